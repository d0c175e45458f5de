"""The view model: merging rows, collapsing high-degree parts into groups, layout, skeleton."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydrascope.ui import graphviews as gv


def _n(kind: str, key: str, **props: Any) -> dict[str, Any]:
    return {"kind": kind, "key": key, "props": props}


def _e(sk: str, skey: str, t: str, tk: str, tkey: str) -> dict[str, str]:
    return {"source_kind": sk, "source_key": skey, "type": t, "target_kind": tk, "target_key": tkey}


def proxy_world(accounts: int = 30, ips: int = 8, corp: int = 20) -> gv.GraphView:
    """Hydra accounts on a proxy's egress IPs, plus a company on one corporate card."""
    nodes = [_n("ProxyService", "ps", name="RelayHub")]
    edges = []
    for i in range(ips):
        nodes.append(_n("IP", f"203.0.113.{i}", prefix="203.0.113.0/24"))
        edges.append(_e("IP", f"203.0.113.{i}", "EGRESS_OF", "ProxyService", "ps"))
    for i in range(accounts):
        nodes.append(_n("Account", f"h{i}", status="banned" if i == 0 else "active"))
        edges.append(_e("Account", f"h{i}", "CONNECTED_FROM", "IP", f"203.0.113.{i % ips}"))
        edges.append(_e("Account", f"h{i}", "CONNECTED_FROM", "IP", f"203.0.113.{i % ips}"))  # duplicate
        edges.append(_e("Account", f"h{i}", "PAID_WITH", "PaymentInstrument", f"tok-h{i % 3}"))
    nodes += [_n("PaymentInstrument", f"tok-h{i}") for i in range(3)]
    nodes.append(_n("PaymentInstrument", "tok-corp"))
    for i in range(corp):
        nodes.append(_n("Account", f"c{i}"))
        edges.append(_e("Account", f"c{i}", "PAID_WITH", "PaymentInstrument", "tok-corp"))
    return gv.build_view(nodes, edges)


def test_build_view_merges_duplicates_and_sets_states() -> None:
    view = proxy_world()
    assert view.kinds() == {"ProxyService": 1, "IP": 8, "Account": 50, "PaymentInstrument": 4}
    assert len([e for e in view.edges if e.type == "CONNECTED_FROM"]) == 30
    assert {e.weight for e in view.edges if e.type == "CONNECTED_FROM"} == {2}
    assert view.node("Account:h0").state == "banned"
    assert view.node("ProxyService:ps").caption == "RelayHub"


def test_build_view_drops_edges_to_unknown_nodes() -> None:
    view = gv.build_view([_n("Account", "a")], [_e("Account", "a", "PAID_WITH", "PaymentInstrument", "x")])
    assert view.edges == ()


def test_state_from_triage_and_risk() -> None:
    assert gv.node_state("Cluster", {"triage_label": "allowlisted", "flagged": True}) == "allowlisted"
    assert gv.node_state("Cluster", {"flagged": True}) == "flagged"
    assert gv.node_state("Account", {"risk_score": 0.9, "triage_label": "confirmed"}) == "confirmed"
    assert gv.node_state("Account", {"status": "banned", "triage_label": "confirmed"}) == "banned"
    assert gv.node_state("IP", {}) == "normal"


def test_collapse_groups_proxy_egress_ips_and_corporate_card_fan() -> None:
    view = gv.collapse(proxy_world())
    groups = {n.id: n for n in view.nodes if n.kind == gv.GROUP}
    egress = groups["group:egress:RelayHub"]
    assert egress.count == 8 and egress.caption == "8 egress IPs of RelayHub"
    (fan,) = [g for g in groups.values() if "tok-corp" in g.caption]
    assert fan.count == 20
    assert not any(n.kind == "IP" for n in view.nodes)
    assert not any(n.id.startswith("Account:c") for n in view.nodes)
    # Hydra accounts stay visible, now attached to the group, with the edges merged and counted.
    to_group = [e for e in view.edges if e.target == egress.id and e.type == "CONNECTED_FROM"]
    assert len(to_group) == 30
    assert {e.source for e in view.edges if e.type == "EGRESS_OF"} == {egress.id}
    assert view.groups[egress.id] == tuple(sorted(f"IP:203.0.113.{i}" for i in range(8)))


def test_group_state_is_the_worst_member_state() -> None:
    nodes = [_n("PaymentInstrument", "card")] + [
        _n("Account", f"a{i}", status="banned" if i == 3 else "active") for i in range(15)
    ]
    edges = [_e("Account", f"a{i}", "PAID_WITH", "PaymentInstrument", "card") for i in range(15)]
    view = gv.collapse(gv.build_view(nodes, edges))
    (group,) = [n for n in view.nodes if n.kind == gv.GROUP]
    assert group.state == "banned" and group.count == 15


def test_expanded_groups_stay_open() -> None:
    full = gv.collapse(proxy_world())
    opened = gv.collapse(proxy_world(), expanded=["group:egress:RelayHub"])
    assert "group:egress:RelayHub" in full.groups and "group:egress:RelayHub" not in opened.groups
    assert sum(1 for n in opened.nodes if n.kind == "IP") == 8
    assert any(g.startswith("group:same:Account:") for g in opened.groups)


def test_accounts_hanging_only_off_a_collapsed_range_collapse_too() -> None:
    nodes = [_n("IP", f"203.0.113.{i}", prefix="203.0.113.0/24") for i in range(4)]
    nodes += [_n("Account", f"a{i}") for i in range(20)]
    edges = [_e("Account", f"a{i}", "CONNECTED_FROM", "IP", f"203.0.113.{i % 4}") for i in range(20)]
    view = gv.collapse(gv.build_view(nodes, edges))
    assert view.kinds() == {gv.GROUP: 2}
    assert [e.weight for e in view.edges] == [20]


def test_small_sets_are_not_collapsed() -> None:
    view = gv.collapse(proxy_world(accounts=6, ips=3, corp=5))
    assert view.groups == {}
    assert view.kinds()["IP"] == 3


def test_cgnat_addresses_collapse_into_one_range() -> None:
    nodes = [_n("IP", f"100.64.0.{i}", is_cgnat=True, prefix=f"100.64.{i}.0/24") for i in range(5)]
    nodes += [_n("Account", "a")]
    edges = [_e("Account", "a", "CONNECTED_FROM", "IP", f"100.64.0.{i}") for i in range(5)]
    view = gv.collapse(gv.build_view(nodes, edges))
    assert "group:cgnat" in view.groups and len(view.groups["group:cgnat"]) == 5


def test_layout_positions_every_node_deterministically() -> None:
    view = gv.collapse(proxy_world())
    a, b = gv.layout(view, seed=3), gv.layout(view, seed=3)
    assert all(n.x is not None and n.y is not None for n in a.nodes)
    assert [(n.x, n.y) for n in a.nodes] == [(n.x, n.y) for n in b.nodes]
    assert len({(n.x, n.y) for n in a.nodes}) == len(a.nodes)


def test_layout_of_a_2000_node_view() -> None:
    nodes = [_n("Account", f"a{i}") for i in range(1500)] + [
        _n("PaymentInstrument", f"t{i}") for i in range(500)
    ]
    edges = [_e("Account", f"a{i}", "PAID_WITH", "PaymentInstrument", f"t{i % 500}") for i in range(1500)]
    view = gv.layout(gv.build_view(nodes, edges))
    assert len(view.nodes) == 2000 and all(n.x is not None for n in view.nodes)


def test_skeleton_view_counts_cohorts_and_shared_infrastructure() -> None:
    cohorts = [
        {"cohort": "203.0.113.0/24", "accounts": 12000, "banned": 100, "mean_score": 0.9},
        {"cohort": "CGNAT 100.64.0.0/10", "accounts": 8000, "banned": 5000, "mean_score": 0.7},
    ]
    links = [
        {
            "cohort": "203.0.113.0/24",
            "kind": "ProxyService",
            "key": "ps",
            "props": {"name": "RelayHub"},
            "accounts": 11000,
        },
        {
            "cohort": "CGNAT 100.64.0.0/10",
            "kind": "ProxyService",
            "key": "ps",
            "props": {"name": "RelayHub"},
            "accounts": 300,
        },
        {"cohort": "203.0.113.0/24", "kind": "PaymentInstrument", "key": "tok", "props": {}, "accounts": 40},
        {"cohort": "unknown", "kind": "IP", "key": "x", "props": {}, "accounts": 1},
    ]
    view = gv.skeleton_view(cohorts, links)
    cohort_nodes = {n.key: n for n in view.nodes if n.kind == gv.COHORT}
    assert cohort_nodes["203.0.113.0/24"].count == 12000
    assert cohort_nodes["203.0.113.0/24"].state == "flagged"
    assert cohort_nodes["CGNAT 100.64.0.0/10"].state == "banned"
    assert sum(1 for n in view.nodes if n.kind == "ProxyService") == 1
    assert sorted(e.weight for e in view.edges) == [40, 300, 11000]


@dataclass
class FakeNode(dict):
    element_id: str = ""
    labels: frozenset = frozenset()
    props: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.update(self.props)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self.element_id)


@dataclass
class FakeRel(dict):
    type: str = ""
    start_node: FakeNode | None = None
    end_node: FakeNode | None = None


@dataclass
class FakePath:
    nodes: list
    relationships: list
    start_node: FakeNode | None = None


def test_view_from_records_reads_nodes_relationships_and_paths() -> None:
    a = FakeNode("1", frozenset({"Account"}), {"account_id": "acc-1", "active_hours": [1, 2, 3]})
    card = FakeNode("2", frozenset({"PaymentInstrument"}), {"instrument_id": "tok-1"})
    other = FakeNode("3", frozenset({"Scratch"}), {})
    r = FakeRel("PAID_WITH", a, card)
    path = FakePath([a, card], [r], a)
    view = gv.view_from_records(
        [[path, 7], [other, "x"]], {"Account": "account_id", "PaymentInstrument": "instrument_id"}
    )
    ids = {n.id for n in view.nodes}
    assert ids == {"Account:acc-1", "PaymentInstrument:tok-1", "Scratch:3"}
    assert [(e.source, e.type, e.target) for e in view.edges] == [
        ("Account:acc-1", "PAID_WITH", "PaymentInstrument:tok-1")
    ]
    assert "active_hours" not in view.node("Account:acc-1").props
