"""The analyst query library: load, validate and parametrise ``queries/*.cypher``.

One file per query (BloodHound style). A file is plain Cypher that pastes into Neo4j Browser
unchanged: a leading ``//`` comment header with the metadata, then sections separated by marker
comments, each one complete statement ending in ``;``::

    // id: ip_fan_in
    // title: IP fan-in
    // category: infrastructure
    // revision: 1
    // description: Accounts per IP with ASN, datacenter and VPN context. A long value
    //   continues on lines indented by two spaces.
    // param: min_accounts integer = 3 | fewest accounts on one IP
    // param: ip string | an IP address (required: no default)
    // param: kind string = any | which node kinds to start from
    // choices: kind = any, account, ip
    // suggest: ip = MATCH (i:IP) RETURN i.ip AS value ORDER BY i.ip LIMIT 50
    // --- table
    MATCH ... RETURN ... LIMIT $limit;
    // --- graph
    MATCH p = ... RETURN p LIMIT $limit;
    // --- count
    MATCH ... RETURN count(*) AS matched, total AS total LIMIT 1;

The header is a deliberately tiny ``key: value`` format rather than YAML so the command line has
no extra runtime dependency and a header can never execute anything. This module is pure: it
never talks to the database (``queries.runner`` does), so the app, the CLI and the docs share it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from hydrascope.errors import InputError

QUERY_DIR = Path(__file__).resolve().parent

# The closed list of categories, in the order the docs and `--list` show them.
CATEGORIES: dict[str, str] = {
    "payment": "Payment instruments: shared cards, virtual-card bursts",
    "infrastructure": "IPs, ASNs and proxy services",
    "client": "Client fingerprints and email domains",
    "content": "What accounts ask for: templates, capabilities, chain-of-thought elicitation",
    "timing": "When: regrowth after bans, release pivots, signup bursts",
    "clusters": "Detector output: clusters, campaigns, risk",
    "investigation": "Pivoting around one entity: profiles, ego networks, paths",
    "data_quality": "Ingest freshness and data quality",
}

SectionName = Literal["table", "graph", "count"]
SECTIONS: tuple[SectionName, ...] = ("table", "graph", "count")
ParamType = Literal["string", "integer", "float", "boolean", "datetime", "list<string>"]
PARAM_TYPES: tuple[ParamType, ...] = ("string", "integer", "float", "boolean", "datetime", "list<string>")
# Injected by the runner on every query (the row limit); a header must not declare it.
RESERVED_PARAMS = frozenset({"limit"})

_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_KEYS = ("id", "title", "category", "revision", "description", "param", "choices", "suggest")
_SINGLE_KEYS = ("id", "title", "category", "revision", "description")
_MARKER = re.compile(r"^//\s*---\s*(\w+)\s*$")
_PARAM_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_ENDS_IN_LIMIT = re.compile(r"\bLIMIT\s+(\$limit|\d+)\s*;?\s*$", re.IGNORECASE)
_NULL = "null"


@dataclass(frozen=True)
class ParamSpec:
    """A declared parameter: its type, default (``required`` when it has none) and help."""

    name: str
    type: ParamType
    description: str
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    suggest: str | None = None

    def coerce(self, value: Any) -> Any:
        """Turn a command-line string (or an app value) into the declared type, or say why not."""
        coerced = coerce_value(value, self.type, self.name)
        if self.choices and coerced is not None and coerced not in self.choices:
            raise InputError(
                f"parameter {self.name!r} must be one of {', '.join(self.choices)}, not {coerced!r}"
            )
        return coerced


@dataclass(frozen=True)
class QuerySpec:
    """One library query: metadata plus its table, graph (optional) and count sections."""

    id: str
    title: str
    category: str
    description: str
    revision: int
    params: tuple[ParamSpec, ...]
    sections: tuple[tuple[SectionName, str], ...]
    path: Path = field(compare=False)

    def section(self, name: str) -> str:
        """The Cypher of one section (without its trailing ``;``)."""
        for section, cypher in self.sections:
            if section == name:
                return cypher
        available = ", ".join(s for s, _ in self.sections)
        raise InputError(f"query {self.id!r} has no {name!r} section (it has: {available})")

    def has_section(self, name: str) -> bool:
        return any(section == name for section, _ in self.sections)

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise InputError(f"query {self.id!r} has no parameter {name!r}")

    def bind(self, supplied: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and coerce supplied values, fill defaults, refuse unknown or missing ones.

        Values only ever travel as Cypher parameters, so a value that looks like Cypher is inert.
        """
        declared = {p.name for p in self.params}
        unknown = sorted(set(supplied) - declared)
        if unknown:
            names = ", ".join(p.name for p in self.params) or "none"
            raise InputError(f"query {self.id!r} has no parameter {', '.join(unknown)} (parameters: {names})")
        bound: dict[str, Any] = {}
        for p in self.params:
            if p.name in supplied:
                bound[p.name] = p.coerce(supplied[p.name])
            elif p.required:
                hint = f" (suggestions: hydrascope query {self.id} --suggest {p.name})" if p.suggest else ""
                raise InputError(f"query {self.id!r} needs --param {p.name}=<{p.type}>{hint}")
            else:
                bound[p.name] = p.default
        return bound


# ----------------------------------------------------------------------------------- coercion


def coerce_value(value: Any, type_: str, name: str = "value") -> Any:
    """Coerce ``value`` to a declared parameter type.

    Strings come from ``--param k=v`` (and from headers' defaults); the literal ``null`` means "no
    value". Already-typed values (from the app) pass through after a type check.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() == _NULL):
        return None
    try:
        if type_ == "string":
            return str(value)
        if type_ == "integer":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            return int(str(value).strip().replace("_", ""))
        if type_ == "float":
            if isinstance(value, bool):
                raise ValueError
            result = float(value)
            if not math.isfinite(result):
                raise ValueError
            return result
        if type_ == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "yes", "1", "on"):
                return True
            if text in ("false", "no", "0", "off"):
                return False
            raise ValueError
        if type_ == "datetime":
            if isinstance(value, datetime):
                moment = value
            else:
                text = str(value).strip()
                moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
            # Times in the graph are UTC; a naive value is read as UTC rather than refused.
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if type_ == "list<string>":
            if isinstance(value, list | tuple):
                return [str(v) for v in value]
            text = str(value).strip()
            if text.startswith("["):
                parsed = json.loads(text)
                if not isinstance(parsed, list):
                    raise ValueError
                return [str(v) for v in parsed]
            return [part.strip() for part in text.split(",") if part.strip()]
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise InputError(f"parameter {name!r} must be {_article(type_)}, not {value!r}") from exc
    raise InputError(f"unknown parameter type {type_!r} for {name!r}; use one of {', '.join(PARAM_TYPES)}")


def _article(type_: str) -> str:
    examples = {
        "string": "a string",
        "integer": "an integer",
        "float": "a number",
        "boolean": "true or false",
        "datetime": "an ISO-8601 time such as 2026-02-01T00:00:00Z",
        "list<string>": "a comma-separated list",
    }
    return examples.get(type_, type_)


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """Split ``--param k=v`` strings (the value may itself contain ``=``)."""
    result: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"--param takes name=value, not {pair!r}")
        if name in result:
            raise InputError(f"--param {name} given twice")
        result[name] = value
    return result


# ------------------------------------------------------------------------------------ parsing


class QueryFileError(InputError):
    """A query file's header or sections are malformed."""


def parse_query_text(text: str, path: Path) -> QuerySpec:
    """Parse and validate one query file; every problem names the file and the line."""
    where = path.name
    lines = text.splitlines()
    entries: list[tuple[str, str, int]] = []  # (key, value, line number)
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        if _MARKER.match(line) or not line.startswith("//"):
            break
        body = line[2:]
        if body.startswith("  ") and body.strip():
            if not entries:
                raise QueryFileError(f"{where}:{index + 1}: continuation line before any header key")
            key, value, number = entries[-1]
            entries[-1] = (key, f"{value} {body.strip()}".strip(), number)
        elif body.strip():
            key, sep, value = body.strip().partition(":")
            if not sep or key.strip() not in _HEADER_KEYS:
                raise QueryFileError(
                    f"{where}:{index + 1}: expected a header line `// key: value` "
                    f"with key one of {', '.join(_HEADER_KEYS)}"
                )
            entries.append((key.strip(), value.strip(), index + 1))
        index += 1

    sections = _parse_sections(lines[index:], index, where)
    header: dict[str, str] = {}
    param_lines: list[tuple[str, int]] = []
    choices: dict[str, tuple[str, ...]] = {}
    suggests: dict[str, str] = {}
    for key, value, number in entries:
        if key in _SINGLE_KEYS:
            if key in header:
                raise QueryFileError(f"{where}:{number}: {key!r} given twice")
            header[key] = value
        elif key == "param":
            param_lines.append((value, number))
        else:
            name, sep, rest = value.partition("=")
            if not sep or not name.strip():
                raise QueryFileError(f"{where}:{number}: expected `// {key}: <param> = ...`")
            if key == "choices":
                choices[name.strip()] = tuple(c.strip() for c in rest.split(",") if c.strip())
            else:
                suggests[name.strip()] = rest.strip()

    missing = [k for k in _SINGLE_KEYS if not header.get(k)]
    if missing:
        raise QueryFileError(f"{where}: header lacks {', '.join(missing)}")
    query_id = header["id"]
    if not _ID.match(query_id):
        raise QueryFileError(f"{where}: id {query_id!r} must be snake_case <subject>_<finding>")
    if query_id != path.stem:
        raise QueryFileError(f"{where}: id {query_id!r} must equal the file name {path.stem!r}")
    if header["category"] not in CATEGORIES:
        raise QueryFileError(
            f"{where}: category {header['category']!r} is not one of {', '.join(CATEGORIES)}"
        )
    try:
        revision = int(header["revision"])
    except ValueError as exc:
        raise QueryFileError(f"{where}: revision must be an integer") from exc

    params = tuple(_parse_param(value, number, where, choices, suggests) for value, number in param_lines)
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryFileError(f"{where}: a parameter is declared twice")
    for extra in (set(choices) | set(suggests)) - set(names):
        raise QueryFileError(f"{where}: choices/suggest for undeclared parameter {extra!r}")

    spec = QuerySpec(
        id=query_id,
        title=header["title"],
        category=header["category"],
        description=header["description"],
        revision=revision,
        params=params,
        sections=sections,
        path=path,
    )
    _check_sections(spec)
    return spec


def _parse_sections(lines: list[str], offset: int, where: str) -> tuple[tuple[SectionName, str], ...]:
    found: list[tuple[SectionName, str]] = []
    current: str | None = None
    body: list[str] = []

    def flush() -> None:
        if current is None:
            if any(line.strip() for line in body):
                raise QueryFileError(f"{where}: Cypher before the first `// --- <section>` marker")
            return
        cypher = "\n".join(body).strip()
        cypher = cypher[:-1].rstrip() if cypher.endswith(";") else cypher
        if not cypher:
            raise QueryFileError(f"{where}: section {current!r} is empty")
        found.append((current, cypher))  # type: ignore[arg-type]

    for number, line in enumerate(lines, start=offset + 1):
        marker = _MARKER.match(line.strip())
        if marker:
            flush()
            name = marker.group(1)
            if name not in SECTIONS:
                raise QueryFileError(f"{where}:{number}: unknown section {name!r}; use {', '.join(SECTIONS)}")
            if any(s == name for s, _ in found):
                raise QueryFileError(f"{where}:{number}: section {name!r} given twice")
            current, body = name, []
        else:
            body.append(line)
    flush()
    return tuple(found)


def _parse_param(
    value: str, number: int, where: str, choices: Mapping[str, tuple[str, ...]], suggests: Mapping[str, str]
) -> ParamSpec:
    spec, sep, description = value.partition("|")
    if not sep or not description.strip():
        raise QueryFileError(
            f"{where}:{number}: expected `// param: <name> <type> [= <default>] | <description>`"
        )
    declaration, has_default, default_text = spec.partition("=")
    parts = declaration.split()
    if len(parts) != 2:
        raise QueryFileError(f"{where}:{number}: expected `<name> <type>` before the `=` or `|`")
    name, type_ = parts
    if not _NAME.match(name) or name in RESERVED_PARAMS:
        raise QueryFileError(f"{where}:{number}: parameter name {name!r} is invalid or reserved")
    if type_ not in PARAM_TYPES:
        raise QueryFileError(f"{where}:{number}: type {type_!r} is not one of {', '.join(PARAM_TYPES)}")
    default: Any = None
    if has_default:
        try:
            default = coerce_value(default_text.strip(), type_, name)
        except InputError as exc:
            raise QueryFileError(f"{where}:{number}: default of {name!r}: {exc}") from exc
    param_choices = choices.get(name, ())
    if param_choices and default is not None and default not in param_choices:
        raise QueryFileError(f"{where}:{number}: default {default!r} of {name!r} is not among its choices")
    suggest = suggests.get(name)
    if suggest is not None and not _ENDS_IN_LIMIT.search(suggest):
        raise QueryFileError(f"{where}: suggestion query for {name!r} must end in LIMIT")
    return ParamSpec(
        name=name,
        type=type_,
        description=description.strip(),
        required=not has_default,
        default=default,
        choices=param_choices,
        suggest=suggest,
    )


def _check_sections(spec: QuerySpec) -> None:
    where = spec.path.name
    if not spec.has_section("table"):
        raise QueryFileError(f"{where}: every query needs a `// --- table` section")
    declared = {p.name for p in spec.params} | RESERVED_PARAMS
    used: set[str] = set()
    for name, cypher in spec.sections:
        if not _ENDS_IN_LIMIT.search(cypher):
            raise QueryFileError(f"{where}: section {name!r} must end in `LIMIT $limit` or `LIMIT <n>`")
        refs = set(_PARAM_REF.findall(_strip_comments(cypher)))
        undeclared = sorted(refs - declared)
        if undeclared:
            raise QueryFileError(f"{where}: section {name!r} uses undeclared parameters {undeclared}")
        used |= refs
    unused = sorted({p.name for p in spec.params} - used)
    if unused:
        raise QueryFileError(f"{where}: parameters {unused} are declared but no section uses them")


def _strip_comments(cypher: str) -> str:
    return "\n".join(line.split("//", 1)[0] if "//" in line else line for line in cypher.splitlines())


# ------------------------------------------------------------------------------------ loading


def query_files(directory: Path = QUERY_DIR) -> list[Path]:
    return sorted(directory.glob("*.cypher"))


@cache
def _load(directory: Path) -> tuple[QuerySpec, ...]:
    specs = tuple(parse_query_text(path.read_text(encoding="utf-8"), path) for path in query_files(directory))
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.id in seen:
            raise QueryFileError(f"query id {spec.id!r} appears in {seen[spec.id].name} and {spec.path.name}")
        seen[spec.id] = spec.path
    order = list(CATEGORIES)
    return tuple(sorted(specs, key=lambda s: (order.index(s.category), s.id)))


def list_queries(category: str | None = None, directory: Path = QUERY_DIR) -> list[QuerySpec]:
    """Every library query, by category then id (optionally one category)."""
    if category is not None and category not in CATEGORIES:
        raise InputError(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    return [s for s in _load(directory) if category is None or s.category == category]


def get_query(query_id: str, directory: Path = QUERY_DIR) -> QuerySpec:
    """One query by id, with a close-match hint when the id is wrong."""
    specs = {s.id: s for s in _load(directory)}
    if query_id in specs:
        return specs[query_id]
    import difflib

    close = difflib.get_close_matches(query_id, specs, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `hydrascope query --list` lists them"
    raise InputError(f"no query {query_id!r}{hint}")


def browser_params(spec: QuerySpec, params: Mapping[str, Any]) -> str:
    """``:param`` lines that set the same values in Neo4j Browser before pasting a section."""
    lines = []
    for name, value in params.items():
        if isinstance(value, datetime):
            lines.append(f":param {name} => datetime('{value.isoformat()}')")
        else:
            lines.append(f":param {name} => {json.dumps(value)}")
    return "\n".join(lines)
