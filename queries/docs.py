"""Render ``docs/queries.md`` from the query headers (the headers are the only source).

A unit test compares the committed file with this rendering, so the docs cannot drift from the
library; `hydrascope query --docs` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from queries.library import CATEGORIES, QuerySpec, list_queries
from queries.runner import ALLOWED_PROCEDURES, MAX_CELL_CHARS, MAX_RESULT_DEPTH, REFUSE_ESTIMATED_ROWS
from queries.server_guard import FILE_URLS_SETTING, IMPORT_DIR_SETTING, IP_BLOCKLIST_SETTING

DOCS_PATH = Path(__file__).resolve().parents[1] / "docs" / "queries.md"


def _default(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_markdown(specs: list[QuerySpec] | None = None) -> str:
    """The whole document: usage, guard rails, then each category's queries with their parameters."""
    specs = list_queries() if specs is None else specs
    out = [
        "# Query library",
        "",
        "<!-- Generated from queries/*.cypher by `hydrascope query --docs`; do not edit by hand. -->",
        "",
        f"{len(specs)} vetted Cypher queries for analysts, one file per query in `queries/`. Each file",
        "holds a `//` comment header (id, title, category, description, parameters, revision) and up to",
        "three sections, each one complete statement that pastes into Neo4j Browser unchanged:",
        "`// --- table` (rows), `// --- graph` (paths, for drawing) and `// --- count` (one row,",
        '`matched` and `total`: "x of N"). Every section ends in `LIMIT $limit` or `LIMIT <n>`.',
        "",
        "```",
        "hydrascope query --list",
        "hydrascope query --list --format json       # ids, parameters (type, default), sections: for tools",
        "hydrascope query ip_fan_in --param min_accounts=5 --format csv",
        "hydrascope query ego_network --param node_id=acct-123 --section graph --format json",
        "hydrascope query cluster_summary --show          # the Cypher with :param lines for Neo4j Browser",
        'hydrascope query --cypher "MATCH (a:Account) RETURN a.account_id LIMIT 5" --explain',
        "```",
        "",
        "In Neo4j Browser, set the parameters first (`:param min_accounts => 5`, `:param limit => 100`),",
        "then paste a section.",
        "",
        "**Guard rails** (library and ad-hoc queries alike): a read transaction (the server refuses",
        "writes), a timeout (30 s by default), a row limit (1,000 by default, injected as `$limit`),",
        "values passed only as parameters. Ad-hoc Cypher (`--cypher`, the app's console) is also",
        "tokenised and refused up front when it writes, administers, reads files or URLs or looks at",
        "other sessions, and its `EXPLAIN` plan is checked before it runs; the server's own",
        "configuration forbids `LOAD CSV` from files and URLs. What each guarantee rests on is in",
        "[The console's guarantees](#the-consoles-guarantees) at the end.",
        "",
        "## Contents",
        "",
    ]
    for category, blurb in CATEGORIES.items():
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        out.append(f"- **{category}** ({blurb}): " + ", ".join(f"[`{s.id}`](#{s.id})" for s in members))
    for category, blurb in CATEGORIES.items():
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        out += ["", f"## {category}", "", f"{blurb}."]
        for spec in members:
            sections = ", ".join(name for name, _ in spec.sections)
            out += [
                "",
                f"### {spec.id}",
                "",
                f"**{spec.title}** (revision {spec.revision}; sections: {sections}; "
                f"file `queries/{spec.path.name}`)",
                "",
                spec.description,
                "",
            ]
            if spec.params:
                out += ["| parameter | type | default | description |", "|---|---|---|---|"]
                for p in spec.params:
                    default = "*required*" if p.required else f"`{_default(p.default)}`"
                    extra = f" One of: {', '.join(p.choices)}." if p.choices else ""
                    extra += " Suggestions: `--suggest " + p.name + "`." if p.suggest else ""
                    out.append(f"| `{p.name}` | {p.type} | {default} | {p.description.rstrip('.')}.{extra} |")
            else:
                out.append("No parameters (besides `$limit`).")
    out += ["", *_guarantees()]
    return "\n".join(out) + "\n"


def _guarantees() -> list[str]:
    """The console's guarantees and what enforces each (numbers and names taken from the code)."""
    procedures = ", ".join(f"`{p}`" for p in ALLOWED_PROCEDURES)
    settings = (FILE_URLS_SETTING, IMPORT_DIR_SETTING, IP_BLOCKLIST_SETTING)
    env = [f"NEO4J_{name.replace('_', '__').replace('.', '_')}" for name in settings]
    return [
        "## The console's guarantees",
        "",
        "The ad-hoc console (`hydrascope query --cypher`, the app's Queries page) runs an analyst's",
        "own Cypher. It cannot write, read a file, fetch a URL, see or stop other sessions, or read",
        "the server's configuration. Each guarantee rests on more than one check, the last of them",
        "outside this program wherever the server allows it:",
        "",
        "| guarantee | 1. text (before anything is sent) | 2. plan (`EXPLAIN`, nothing runs) | 3. server |",
        "|---|---|---|---|",
        "| no writes, no schema or admin commands | `CREATE`, `MERGE`, `DELETE`, `SET`, `REMOVE`, "
        "`FOREACH`, `INSERT`, `DROP`, `ALTER`, `GRANT`, `DENY`, `REVOKE`, `USE`, `IN TRANSACTIONS`, "
        "several statements: refused | query type must be `r`; no write operator anywhere in the plan "
        "| read transaction: the server refuses any write |",
        "| no file read, no URL fetched (`LOAD CSV`) | `LOAD` refused | a `LoadCSV` operator anywhere "
        f"in the plan tree is refused | `{FILE_URLS_SETTING}=false`, `{IMPORT_DIR_SETTING}` an "
        f"empty dedicated folder, `{IP_BLOCKLIST_SETTING}=0.0.0.0/0,::/0` |",
        "| other sessions and the server stay out of sight (`SHOW TRANSACTIONS`, `TERMINATE "
        "TRANSACTIONS`, `SHOW SETTINGS`, `SHOW USERS`, every `SHOW`; `dbms.listConfig`, "
        "`dbms.listConnections`, `dbms.killConnection`...) | `SHOW`, `TERMINATE` refused; `CALL` "
        "only for the allowlisted procedures | `Show*`, `Terminate*` operators refused; every "
        "`ProcedureCall` must name an allowlisted procedure | Community Edition has no privileges "
        "to withhold; on Enterprise or Aura, see below |",
        "| bounded work and output | row limit, timeout | estimated rows over "
        f"{REFUSE_ESTIMATED_ROWS:,.0f} refused without `--force`; a plan with a cartesian product is "
        "planned again with its limits lifted, so `LIMIT 1` does not hide the product | transaction "
        "timeout; transaction memory limit |",
        "",
        "**One pass over the text.** `queries/lexer.py` reads the query once, left to right, with",
        "the server's rules: strings in `'` and `\"` (a backslash escapes the next character), names",
        "in backticks (a doubled backtick is a backtick), `//` comments to the end of the line",
        "(`\\n` or `\\r`) and `/* */` comments (not nested). A quote inside a comment, or a comment",
        "marker inside a string, is therefore just text, as it is to the server; a string, name or",
        "comment that never closes is refused. A keyword counts where it is used as a keyword, not",
        "as a property (`n.set`), label (`:Set`), map key (`{set: 1}`) or quoted name (`` `set` ``).",
        "",
        f"**Procedures** the console may call (all others refused): {procedures}.",
        "",
        "**Results.** Lists and maps nested more than "
        f"{MAX_RESULT_DEPTH} levels deep are refused with a message (not a traceback); a value "
        "nested so deep that the server fails to send it (Neo4j then never answers) is reported "
        "once, without retries, after the server's keep-alive window (10 s on the project's "
        "servers); table cells "
        f"(command line and app) show at most {MAX_CELL_CHARS:,} characters and say how much is left "
        "out; `--format json` and `--format csv` keep whole values.",
        "",
        "### What the server must be configured with",
        "",
        "`hydrascope db status` checks the connected server from its own session: it reads the two",
        "settings Neo4j shows (`SHOW SETTINGS`) and probes with `LOAD CSV` from a file URL and from",
        "four addresses at both ends of the IPv4 and IPv6 ranges (the IP block list is an internal",
        "setting that Neo4j does not show). It reports `LOAD CSV lock-down: held` or `NOT held`.",
        "",
        "- **The local server** (`hydrascope db start`): set by the launcher",
        "  (`neo4j-local/.../Launcher.java`); its import folder is `<state>/neo4j/home/import`, kept",
        "  empty (the server does not start if a file is in it). The launcher is rebuilt whenever its",
        "  sources change (a digest of them is kept next to the jar); restart a running server",
        "  (`hydrascope db stop && hydrascope db start`) to apply a change.",
        "- **Your own server** (`neo4j.conf`):",
        "",
        "  ```",
        f"  {FILE_URLS_SETTING}=false",
        f"  {IMPORT_DIR_SETTING}=/an/empty/folder/only/neo4j/can/write",
        f"  {IP_BLOCKLIST_SETTING}=0.0.0.0/0,::/0",
        "  ```",
        "",
        "- **Docker** (`docker/compose.yaml` sets them):"
        f" `{env[0]}=false`, `{env[1]}=/var/lib/neo4j/import` (the image's import folder,"
        " on which nothing is mounted),"
        f" `{env[2]}=0.0.0.0/0,::/0`.",
        "- **Aura** does not let these be set. It reads no local file, but `LOAD CSV` can fetch",
        "  public URLs: `db status` then reports the IP block list as not ok, and the console's text",
        "  and plan checks are the only guard against URL fetching.",
        "- **Sessions and settings on Enterprise or Aura:** run the console as a user whose roles",
        "  grant neither `TRANSACTION MANAGEMENT` nor `SHOW SETTING` (the built-in `reader` role",
        "  grants neither), so the server itself refuses `SHOW TRANSACTIONS` of other users,",
        "  `TERMINATE TRANSACTIONS` and `SHOW SETTINGS`. Community Edition has no such roles: there",
        "  the text and plan checks are the guard.",
    ]


def write_docs(path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(), encoding="utf-8")
    return path
