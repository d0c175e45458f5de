"""Render ``docs/queries.md`` from the query headers (the headers are the only source).

A unit test compares the committed file with this rendering, so the docs cannot drift from the
library; `hydrascope query --docs` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from queries.library import CATEGORIES, QuerySpec, list_queries

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
        "values passed only as parameters. Ad-hoc Cypher is also refused up front when it writes, changes",
        "schema, uses `LOAD CSV` or `CALL { } IN TRANSACTIONS`, and is previewed with `EXPLAIN`: a plan",
        "that is not read-only is refused, and one whose estimated rows pass 100 million is refused",
        "unless `--force` is given.",
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
    return "\n".join(out) + "\n"


def write_docs(path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(), encoding="utf-8")
    return path
