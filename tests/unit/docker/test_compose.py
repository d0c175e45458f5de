"""The docker files are valid without a Docker engine: structure, image, loopback, no secrets."""

from __future__ import annotations

import re
import subprocess

import yaml

from hydrascope.config import PROJECT_ROOT
from queries.server_guard import FILE_URLS_SETTING, IMPORT_DIR_SETTING, IP_BLOCKLIST_SETTING

DOCKER = PROJECT_ROOT / "docker"


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def test_compose_has_neo4j_app_and_ingest() -> None:
    services = _compose()["services"]
    assert set(services) >= {"neo4j", "app", "ingest"}
    neo4j = services["neo4j"]
    assert re.fullmatch(r"neo4j:5\.26[\w.-]*", neo4j["image"])
    assert "healthcheck" in neo4j and neo4j["healthcheck"]["test"]
    assert any(v.startswith("neo4j-data:") for v in neo4j["volumes"])
    for name in ("app", "ingest"):
        assert services[name]["depends_on"]["neo4j"]["condition"] == "service_healthy"
        assert services[name]["env_file"] == ".env"
    assert "--watch" in services["ingest"]["command"]


def _neo4j_settings() -> dict[str, str]:
    """The Neo4j settings the compose file sets, by name (NEO4J_a_b__c means a.b_c)."""
    env = _compose()["services"]["neo4j"]["environment"]
    return {
        key[len("NEO4J_") :].replace("__", "\0").replace("_", ".").replace("\0", "_"): str(value)
        for key, value in env.items()
        if key.startswith("NEO4J_") and key != "NEO4J_AUTH"
    }


def test_neo4j_forbids_load_csv_from_files_and_urls() -> None:
    """The same lock-down as the local server: no file URL, an unmounted import folder, no address."""
    settings = _neo4j_settings()
    assert settings[FILE_URLS_SETTING] == "false"
    assert set(settings[IP_BLOCKLIST_SETTING].split(",")) == {"0.0.0.0/0", "::/0"}
    import_dir = settings[IMPORT_DIR_SETTING]
    mounted = [v.split(":")[1] for v in _compose()["services"]["neo4j"]["volumes"]]
    assert import_dir.startswith("/") and not any(import_dir.startswith(m) for m in mounted)


def test_published_ports_bind_to_loopback() -> None:
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_no_secret_is_committed() -> None:
    text = (DOCKER / "compose.yaml").read_text()
    assert "NEO4J_PASSWORD:?" in text, "the password must come from the env file, required"
    assert not re.search(r"NEO4J_AUTH:\s*neo4j/(?!\$\{)", text)
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "docker/.env"], cwd=PROJECT_ROOT, check=False
    ).returncode
    assert ignored == 0, "docker/.env must be git-ignored"


def test_dockerfile_copies_the_package_and_runs_unprivileged() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    assert lines[next(i for i, line in enumerate(lines) if line.startswith("FROM"))].startswith(
        "FROM python:3.1"
    )
    copied = {line.split()[1] for line in lines if line.startswith("COPY")}
    assert {"hydrascope", "ingest", "queries", "app.py"} <= copied
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    for path in copied - {"pyproject.toml", "README.md"}:
        assert (PROJECT_ROOT / path).exists(), f"Dockerfile copies {path}, which does not exist"
