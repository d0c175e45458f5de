"""Cypher generated from the graph model.

Labels, relationship types and property names come only from ``hydrascope.schema.model``
constants (validated against the model here); every value travels as a parameter. Writers use the
``UNWIND $rows`` statements below in batches, so one round trip writes thousands of rows.
"""

from __future__ import annotations

import re

from hydrascope.schema.model import FULLTEXT_INDEXES, NODES, FullTextIndex, NodeType, RelType

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """Refuse anything that is not a plain identifier before it is interpolated into Cypher (the
    one such check: ingest and the jobs interpolate labels, types and properties through it)."""
    if not _IDENT.match(name):
        raise ValueError(f"not a Cypher identifier: {name!r}")
    return name


_ident = ident


def constraint_name(node: NodeType) -> str:
    return f"{node.label.lower()}_{node.key}_unique"


def index_name(node: NodeType, prop: str) -> str:
    return f"{node.label.lower()}_{prop}_index"


def constraint_statements() -> list[str]:
    """One uniqueness constraint per node key (which also gives the key its index)."""
    return [
        f"CREATE CONSTRAINT {constraint_name(n)} IF NOT EXISTS "
        f"FOR (n:{_ident(n.label)}) REQUIRE n.{_ident(n.key)} IS UNIQUE"
        for n in NODES
    ]


def index_statements() -> list[str]:
    """Range indexes on the properties the model marks ``indexed`` (lookups, freshness, cleanup),
    then the model's full-text indexes."""
    statements = []
    for n in NODES:
        props = [p.name for p in n.properties if p.indexed] + ["lastupdated"]
        for prop in props:
            statements.append(
                f"CREATE INDEX {index_name(n, prop)} IF NOT EXISTS "
                f"FOR (n:{_ident(n.label)}) ON (n.{_ident(prop)})"
            )
    return statements + [fulltext_index_statement(ix) for ix in FULLTEXT_INDEXES]


_ANALYZER = re.compile(r"^[a-z][a-z0-9_-]*$")


def fulltext_index_statement(index: FullTextIndex) -> str:
    """``CREATE FULLTEXT INDEX`` for a model index, every property checked to be a string one.

    Updated in the writing transaction (``fulltext.eventually_consistent`` stays false), so a node
    is found the moment it is committed.
    """
    for prop in index.properties:
        owners = [n for n in index.nodes if prop in n.property_names]
        if not owners or any(n.prop(prop).type != "string" for n in owners):
            raise ValueError(f"full-text index {index.name}: {prop} is not a string property of its labels")
    if not _ANALYZER.match(index.analyzer):
        raise ValueError(f"not an analyzer name: {index.analyzer!r}")
    labels = "|".join(_ident(n.label) for n in index.nodes)
    props = ", ".join(f"n.{_ident(p)}" for p in index.properties)
    return (
        f"CREATE FULLTEXT INDEX {_ident(index.name)} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{index.analyzer}'}}}}"
    )


def _check_props(allowed: tuple[str, ...], props: tuple[str, ...], owner: str) -> None:
    unknown = [p for p in props if p not in allowed]
    if unknown:
        raise ValueError(f"{owner} has no properties {unknown}; declare them in hydrascope.schema.model")


def merge_nodes(node: NodeType, props: tuple[str, ...] = ()) -> str:
    """``UNWIND $rows`` MERGE of nodes by key; rows are ``{key: ..., props: {...}}``.

    ``props`` names the properties the rows carry (checked against the model); they are SET with
    ``+=`` so a writer that knows only some properties never erases the others.
    """
    _check_props(node.property_names, props, node.label)
    return (
        f"UNWIND $rows AS row MERGE (n:{_ident(node.label)} {{{_ident(node.key)}: row.key}}) "
        "ON CREATE SET n.firstseen = $update_tag "
        "SET n += row.props, n.lastupdated = $update_tag"
    )


def merge_relationships(
    rel: RelType, props: tuple[str, ...] = (), merge_end: bool = True, merge_start: bool = True
) -> str:
    """``UNWIND $rows`` MERGE of relationships; rows are ``{start: ..., end: ..., props: {...}}``.

    The start node is MERGEd too (an event may name an account the accounts table lacks: it is
    kept, never dropped). ``merge_end=False`` MATCHes the end node instead, for edges that must
    only point at nodes already loaded; ``merge_start=False`` MATCHes the start node (a writer that
    must never create it, such as detection linking existing accounts to clusters).
    """
    _check_props(rel.property_names, props, rel.type)
    start = f"(a:{_ident(rel.start.label)} {{{_ident(rel.start.key)}: row.start}}) "
    end_verb = "MERGE" if merge_end else "MATCH"
    return (
        "UNWIND $rows AS row "
        + (
            f"MERGE {start}ON CREATE SET a.firstseen = $update_tag, a.lastupdated = $update_tag "
            if merge_start
            else f"MATCH {start}"
        )
        + ("" if merge_end else "WITH row, a ")
        + f"{end_verb} (b:{_ident(rel.end.label)} {{{_ident(rel.end.key)}: row.end}}) "
        + ("ON CREATE SET b.firstseen = $update_tag, b.lastupdated = $update_tag " if merge_end else "")
        + f"MERGE (a)-[r:{_ident(rel.type)}]->(b) "
        "ON CREATE SET r.firstseen = $update_tag "
        "SET r += row.props, r.lastupdated = $update_tag"
    )


# ----------------------------------------------------------------------------------- cleanup
# Every cleanup statement is generated here. What a run did not touch carries an older
# ``lastupdated`` than its ``$update_tag``; behavioural edges age out by ``last_seen`` against a
# ``$cutoff``. Deletes run in batches (``CALL ... IN TRANSACTIONS``, autocommit): a cleanup of
# millions of edges in one transaction would exceed the server's transaction memory.
CLEANUP_BATCH = 10_000


def _in_batches(match: str, var: str, action: str) -> str:
    return f"{match} CALL ({var}) {{ {action} {var} }} IN TRANSACTIONS OF {CLEANUP_BATCH} ROWS"


def _stale_node_match(node: NodeType, orphans_only: bool, kept_if: tuple[str, ...], kept: bool) -> str:
    _check_props(node.property_names, kept_if, node.label)
    conditions = ["n.lastupdated < $update_tag"]
    if orphans_only:
        conditions.append("NOT (n)--()")
    test = "IS NOT NULL" if kept else "IS NULL"
    conditions += [f"n.{_ident(p)} {test}" for p in kept_if]
    return f"MATCH (n:{_ident(node.label)}) WHERE {' AND '.join(conditions)}"


def stale_nodes(node: NodeType, *, orphans_only: bool = False, kept_if: tuple[str, ...] = ()) -> str:
    """Delete the nodes of a label that the run tagged ``$update_tag`` did not touch.

    ``orphans_only``: only those nothing points at any more (reference data: a node still in use is
    never deleted, so they are DELETEd, not DETACH DELETEd); otherwise with their relationships.
    ``kept_if``: properties whose presence keeps a node (a cluster an analyst triaged)."""
    match = _stale_node_match(node, orphans_only, kept_if, kept=False)
    return _in_batches(match, "n", "DELETE" if orphans_only else "DETACH DELETE")


def retire_stale_nodes(node: NodeType, kept_if: tuple[str, ...], props: tuple[str, ...]) -> str:
    """The stale nodes ``stale_nodes(node, kept_if=...)`` keeps: ``SET n += $retired`` on them (a
    triaged cluster that vanished stays for the analyst's record, with ``$retired`` values such as
    ``flagged = false``); ``props`` names the properties ``$retired`` may carry."""
    _check_props(node.property_names, props, node.label)
    return _stale_node_match(node, False, kept_if, kept=True) + " SET n += $retired"


def stale_relationships(rel: RelType) -> str:
    """Delete the relationships of a type that the run tagged ``$update_tag`` did not touch."""
    return _in_batches(
        f"MATCH ()-[r:{_ident(rel.type)}]->() WHERE r.lastupdated < $update_tag", "r", "DELETE"
    )


def _aged_match(rel: RelType) -> str:
    _check_props(rel.property_names, ("last_seen",), rel.type)
    return f"MATCH ()-[r:{_ident(rel.type)}]->()"


def aged_relationships(rel: RelType) -> str:
    """Delete behavioural edges whose last event is older than ``$cutoff`` (the TTL)."""
    return _in_batches(f"{_aged_match(rel)} WHERE r.last_seen < $cutoff", "r", "DELETE")


def count_aged_relationships(rel: RelType) -> str:
    """``aged, total``: the edges ``aged_relationships`` would delete, and all of the type (what
    ingest's cleanup guard compares before deleting anything)."""
    return (
        f"{_aged_match(rel)} "
        "RETURN count(CASE WHEN r.last_seen < $cutoff THEN 1 END) AS aged, count(r) AS total"
    )


def merge_node_keys(node: NodeType) -> str:
    """``UNWIND $keys`` MERGE of nodes by key alone (``$keys`` a plain list): the end nodes of
    relationships written next, created once per distinct key instead of once per relationship.
    Like the end node of ``merge_relationships``, an existing node is left as it is."""
    return (
        f"UNWIND $keys AS k MERGE (n:{_ident(node.label)} {{{_ident(node.key)}: k}}) "
        "ON CREATE SET n.firstseen = $update_tag, n.lastupdated = $update_tag"
    )


def write_grouped_relationships(
    rel: RelType, props: tuple[str, ...], times: tuple[str, ...] = (), create: bool = False
) -> str:
    """``UNWIND $groups`` write of relationships grouped by start node, in parallel lists.

    A group is ``[start, [end, ...], [prop1, ...], [prop2, ...], ...]`` (``props`` in that order,
    one value per end; the ``times`` among them as epoch milliseconds, stored as ``DATETIME``).
    Both end points must exist (MATCHed on their unique keys); the statement returns
    ``count(*)``, the relationships written, so a caller can check that no row matched nothing.
    ``create=True`` CREATEs the relationships: only for start nodes known to have no relationship
    of this type yet; otherwise they are MERGEd. Values are SET, never added to; a null value
    leaves the stored one (MERGE) or is absent (CREATE).
    """
    _check_props(rel.property_names, props, rel.type)
    sets = ["r.lastupdated = $update_tag"]
    for n, prop in enumerate(props, start=2):
        value = f"g[{n}][i]"
        new = f"datetime({{epochMillis: {value}}})" if prop in times else value
        if create:
            sets.append(f"r.{_ident(prop)} = CASE WHEN {value} IS NULL THEN null ELSE {new} END")
        else:
            sets.append(f"r.{_ident(prop)} = CASE WHEN {value} IS NULL THEN r.{_ident(prop)} ELSE {new} END")
    verb = (
        f"CREATE (a)-[r:{_ident(rel.type)}]->(b) SET r.firstseen = $update_tag, "
        if create
        else f"MERGE (a)-[r:{_ident(rel.type)}]->(b) ON CREATE SET r.firstseen = $update_tag SET "
    )
    return (
        "UNWIND $groups AS g "
        f"MATCH (a:{_ident(rel.start.label)} {{{_ident(rel.start.key)}: g[0]}}) "
        "UNWIND range(0, size(g[1]) - 1) AS i "
        f"MATCH (b:{_ident(rel.end.label)} {{{_ident(rel.end.key)}: g[1][i]}}) "
        + verb
        + ", ".join(sets)
        + " RETURN count(*) AS written"
    )


def start_nodes_with_relationships(rel: RelType) -> str:
    """Which of ``$keys`` (start node keys) already have at least one ``rel`` relationship."""
    return (
        f"UNWIND $keys AS k MATCH (a:{_ident(rel.start.label)} {{{_ident(rel.start.key)}: k}}) "
        f"WHERE EXISTS {{ (a)-[:{_ident(rel.type)}]->() }} RETURN k"
    )
