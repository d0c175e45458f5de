"""Does the connected server itself stop ``LOAD CSV`` from reading files and fetching URLs?

The console refuses ``LOAD CSV`` in the text and in the plan, but those are this program's checks;
the guarantee that cannot be talked around is the server's configuration (see ``docs/queries.md``):

- ``dbms.security.allow_csv_import_from_file_urls=false``: no ``file:`` URL is read;
- ``server.directories.import``: a dedicated, empty directory (what file URLs would be confined to);
- ``internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0``: no ``http``/``https``/``ftp`` URL is
  fetched, whatever it resolves to.

``hydrascope db status`` reports these from its own session (never the console's). The two
settings Neo4j shows are read with ``SHOW SETTINGS``; the IP block list is an internal setting the
server does not show, so it is probed: ``LOAD CSV`` from addresses at both ends of the IPv4 and
IPv6 ranges, port 1, each of which fails at once without a block list. A file URL is probed the
same way, so a server that hides its settings (Aura) is still judged by what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hydrascope.db.graph import Graph
from hydrascope.errors import HydrascopeError

FILE_URLS_SETTING = "dbms.security.allow_csv_import_from_file_urls"
IMPORT_DIR_SETTING = "server.directories.import"
IP_BLOCKLIST_SETTING = "internal.dbms.cypher_ip_blocklist"
FILE_PROBE = "file:///hydrascope-status-probe.csv"
# Loopback and the top of each range: refused at once (connection refused, network unreachable)
# when not blocked, so probing never waits on a network.
URL_PROBES = (
    "http://127.0.0.1:1/",
    "http://255.255.255.255:1/",
    "http://[::1]:1/",
    "http://[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1/",
)
PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One part of the guarantee: whether the server holds it, and what was seen."""

    name: str
    held: bool
    detail: str


def _settings(graph: Graph) -> dict[str, str] | None:
    """The two visible settings, or ``None`` when the server does not let this user read them."""
    try:
        rows = graph.read(
            "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
            {"names": [FILE_URLS_SETTING, IMPORT_DIR_SETTING]},
            timeout=PROBE_TIMEOUT,
        )
    except HydrascopeError:
        return None
    return {str(r["name"]): str(r["value"]) for r in rows}


def _load_refusal(graph: Graph, url: str) -> str:
    """The server's answer to ``LOAD CSV`` from ``url`` (an error text; a row would be a fetch)."""
    try:
        graph.read("LOAD CSV FROM $url AS line RETURN line LIMIT 1", {"url": url}, timeout=PROBE_TIMEOUT)
    except HydrascopeError as exc:
        return str(exc)
    return "read a row"


def _file_urls(graph: Graph, settings: dict[str, str] | None) -> Check:
    answer = _load_refusal(graph, FILE_PROBE)
    held = FILE_URLS_SETTING in answer
    shown = "not readable" if settings is None else settings.get(FILE_URLS_SETTING, "not shown")
    how = "refused by the server" if held else "NOT refused: the server tried to read it"
    return Check("file URLs", held, f"{FILE_URLS_SETTING}={shown}; LOAD CSV FROM '{FILE_PROBE}' {how}")


def _import_dir(settings: dict[str, str] | None, file_urls_off: bool, local: bool) -> Check:
    value = None if settings is None else settings.get(IMPORT_DIR_SETTING)
    if value is None:
        return Check("import directory", file_urls_off, "not readable (file URLs decide)")
    detail = f"{IMPORT_DIR_SETTING}={value}"
    empty = None
    if local:
        path = Path(value)
        empty = path.is_dir() and not any(path.iterdir())
        detail += ", empty" if empty else ", NOT empty (LOAD CSV could read what is in it)"
    return Check("import directory", file_urls_off or bool(empty), detail)


def _ip_blocklist(graph: Graph, probes: Sequence[str] = URL_PROBES) -> Check:
    answers = {url: _load_refusal(graph, url) for url in probes}
    open_urls = [url for url, text in answers.items() if IP_BLOCKLIST_SETTING not in text]
    if not open_urls:
        return Check(
            "IP block list", True, f"LOAD CSV from {len(probes)} probe addresses (IPv4 and IPv6) refused"
        )
    return Check(
        "IP block list",
        False,
        f"LOAD CSV may fetch URLs: not blocked for {', '.join(open_urls)} "
        f"(set {IP_BLOCKLIST_SETTING}=0.0.0.0/0,::/0)",
    )


def console_guarantees(graph: Graph, local: bool) -> list[Check]:
    """Each part of the server-side guarantee, checked on ``graph``'s own (privileged) session."""
    settings = _settings(graph)
    file_urls = _file_urls(graph, settings)
    return [file_urls, _import_dir(settings, file_urls.held, local), _ip_blocklist(graph)]
