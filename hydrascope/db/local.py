"""The project's own local Neo4j: Neo4j 5.26 Community embedded, with Bolt on loopback.

No Docker engine and no Neo4j package exist on the machines this project runs on, only Java 17
and Maven. So ``neo4j-local/`` is a one-class Maven module; the first start builds it (Maven
fetches Neo4j from Maven Central) and later starts reuse the build. The server runs detached, its
data, log, pid and password under ``<state>/neo4j``. The password is generated once, stored with
0600 permissions and passed to the JVM through that file, never on a command line.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from hydrascope.config import PROJECT_ROOT, local_bolt_port, state_dir
from hydrascope.errors import ConfigError, DatabaseUnavailable

LAUNCHER_DIR = PROJECT_ROOT / "neo4j-local"
LAUNCHER_CLASS = "io.hydrascope.neo4j.Launcher"
BIND_HOST = "127.0.0.1"
READY_MARK = "hydrascope-neo4j: ready"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str


class LocalServer:
    """Build, start, stop and inspect the local server. Every method is idempotent."""

    def __init__(self, home: Path | None = None, port: int | None = None) -> None:
        self.root = home or state_dir() / "neo4j"
        self.port = port or local_bolt_port()

    # ------------------------------------------------------------------ paths and facts
    @property
    def bolt_uri(self) -> str:
        return f"bolt://{BIND_HOST}:{self.port}"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def pid_file(self) -> Path:
        return self.root / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def data_home(self) -> Path:
        return self.root / "home"

    def read_password(self) -> str:
        """The stored password, generated (0600) on first use."""
        if not self.password_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(24) + "\n")
        os.chmod(self.password_file, 0o600)
        return self.password_file.read_text().strip()

    def status(self) -> ServerStatus:
        pid = self._pid()
        return ServerStatus(running=pid is not None, pid=pid, bolt_uri=self.bolt_uri)

    # ------------------------------------------------------------------ build
    def launcher_classpath(self) -> str:
        target = LAUNCHER_DIR / "target"
        return f"{target / 'neo4j-local.jar'}{os.pathsep}{target / 'lib' / '*'}"

    def build(self, quiet: bool = True) -> None:
        """Build the launcher with Maven unless a build of exactly these sources exists.

        "Exactly" is a digest of ``pom.xml`` and the Java sources, stored next to the jar: file
        times are not enough (a checkout or a copy can leave a jar that looks newer than a changed
        source), and a launcher change such as the ``LOAD CSV`` lock-down must reach every server.
        """
        target = LAUNCHER_DIR / "target"
        jar = target / "neo4j-local.jar"
        stamp = target / "sources.sha256"
        digest = _sources_digest()
        built = jar.exists() and (target / "lib").is_dir() and stamp.is_file()
        if built and stamp.read_text().strip() == digest:
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ConfigError(
                "Maven (mvn) is not installed: it builds the local Neo4j. Install it "
                "(Debian: apt-get install maven) or set NEO4J_URI to use another server."
            )
        _require_java()
        cmd = [
            mvn,
            "-B",
            "-q" if quiet else "-ntp",
            "package",
            "-DskipTests",
            "-f",
            str(LAUNCHER_DIR / "pom.xml"),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise ConfigError(f"building the local Neo4j with Maven failed:\n{tail}")
        stamp.write_text(digest + "\n")

    # ------------------------------------------------------------------ start / stop
    def start(
        self, timeout: float = 180.0, heap: str | None = None, pagecache_mb: int | None = None
    ) -> ServerStatus:
        """Start the server detached and wait until Bolt answers; a running server is left alone."""
        current = self.status()
        if current.running:
            return current
        java = _require_java()
        self.build()
        self.root.mkdir(parents=True, exist_ok=True)
        password_file = self.password_file
        self.read_password()
        heap = heap or os.environ.get("HYDRASCOPE_NEO4J_HEAP", "2g")
        pagecache = pagecache_mb or int(os.environ.get("HYDRASCOPE_NEO4J_PAGECACHE_MB", "1024"))
        cmd = [
            java,
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            # a result nested thousands of levels deep overflows a 1 MiB stack while the server
            # packs it, and it then never answers (the Launcher's keep-alive bounds the wait)
            "-Xss16m",
            "-Dfile.encoding=UTF-8",
            "-cp",
            self.launcher_classpath(),
            LAUNCHER_CLASS,
            str(self.data_home),
            BIND_HOST,
            str(self.port),
            str(password_file),
            str(pagecache),
        ]
        log = self.log_file.open("w")
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise DatabaseUnavailable(
                    f"the local Neo4j exited during start-up (code {proc.returncode}); "
                    f"last lines of {self.log_file}:\n{self._log_tail()}"
                )
            if READY_MARK in self.log_file.read_text(errors="replace"):
                return self.status()
            time.sleep(0.25)
        self.stop()
        raise DatabaseUnavailable(
            f"the local Neo4j did not become ready in {timeout:.0f}s; see {self.log_file}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM runs Neo4j's shutdown); returns whether a server was running."""
        pid = self._pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    # ------------------------------------------------------------------ helpers
    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if not _alive(pid) or not _is_launcher(pid):
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def _sources_digest() -> str:
    """SHA-256 over the launcher's ``pom.xml`` and Java sources (names and contents)."""
    digest = hashlib.sha256()
    for source in sorted([LAUNCHER_DIR / "pom.xml", *LAUNCHER_DIR.glob("src/**/*.java")]):
        digest.update(source.relative_to(LAUNCHER_DIR).as_posix().encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    return digest.hexdigest()


def _require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigError(
            "Java is not installed: the local Neo4j needs Java 17 or newer "
            "(Debian: apt-get install openjdk-17-jre-headless), or set NEO4J_URI to use another server."
        )
    return java


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not yet reaped) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _is_launcher(pid: int) -> bool:
    """Guard against a stale pid file naming a recycled pid of another program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return LAUNCHER_CLASS.encode() in fh.read()
    except FileNotFoundError:
        return True  # no /proc (macOS): trust the pid file
