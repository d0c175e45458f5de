"""The pyvis HTML builder: every node drawn at its fixed position, physics off, nothing remote."""

from __future__ import annotations

import json
import re

import pytest

from hydrascope.ui import graphviews as gv
from hydrascope.ui.pyvis_html import REMAINING_URL_LITERALS, build_network_html, external_urls


def _view(n_accounts: int = 5) -> gv.GraphView:
    nodes = [{"kind": "PaymentInstrument", "key": "tok-1", "props": {}}]
    nodes += [
        {"kind": "Account", "key": f"acc-{i}", "props": {"status": "banned" if i == 0 else "active"}}
        for i in range(n_accounts)
    ]
    edges = [
        {
            "source_kind": "Account",
            "source_key": f"acc-{i}",
            "type": "PAID_WITH",
            "target_kind": "PaymentInstrument",
            "target_key": "tok-1",
        }
        for i in range(n_accounts)
    ]
    return gv.layout(gv.build_view(nodes, edges))


def _dataset(html: str, name: str) -> list[dict]:
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", html, re.DOTALL)
    assert match, f"no {name} DataSet in the HTML"
    return json.loads(match.group(1))


def test_html_has_every_node_at_its_position_and_every_edge() -> None:
    view = _view()
    html = build_network_html(view)
    nodes = {n["id"]: n for n in _dataset(html, "nodes")}
    assert set(nodes) == {n.id for n in view.nodes}
    for n in view.nodes:
        assert (nodes[n.id]["x"], nodes[n.id]["y"]) == (n.x, n.y)
    assert nodes["Account:acc-0"]["state"] == "banned"
    assert nodes["Account:acc-0"]["color"]["border"] != nodes["Account:acc-1"]["color"]["border"]
    assert len(_dataset(html, "edges")) == 5


def test_physics_is_off() -> None:
    html = build_network_html(_view())
    options = re.search(r"var options = (\{.*?\});\s", html, re.DOTALL)
    assert options and json.loads(options.group(1))["physics"]["enabled"] is False


def test_no_asset_or_link_to_another_host() -> None:
    html = build_network_html(_view())
    assert external_urls(html) == []
    assert not re.search(r"(src|href)\s*=\s*[\"'](https?:)?//", html, re.IGNORECASE)
    assert "cdnjs" not in html and "jsdelivr" not in html and "node_modules" not in html
    assert "vis-network" in html and "new vis.Network" in html  # the library is inlined
    for literal in REMAINING_URL_LITERALS:
        assert literal.startswith("http://www.w3.org/")  # an XML namespace, never fetched


def test_labels_cannot_break_out_of_the_script() -> None:
    nodes = [{"kind": "Account", "key": "</script><script>alert(1)</script>", "props": {}}]
    html = build_network_html(gv.layout(gv.build_view(nodes, [])))
    assert "<script>alert(1)" not in html


def test_hostile_keys_and_properties_stay_text_in_the_drawing() -> None:
    """Labels are drawn on the canvas; titles (hover) are strings vis-network sets as innerText."""
    evil = "<img src=x onerror=alert(1)> ![](http://127.0.0.1:9/_beacon) [x](http://x.example)"
    nodes = [{"kind": "Account", "key": evil, "props": {"email": evil, "org_id": evil}}]
    html = build_network_html(gv.layout(gv.build_view(nodes, [])))
    assert "<img" not in html and "innerHTML" not in html  # no tag, and no template that parses one
    assert "this.frame.innerText=t" in html  # vis-network's popup: a string title is text
    assert external_urls(html) == []  # the URLs in the data are defanged like the page's own
    (node,) = _dataset(html, "nodes")
    assert node["label"] == evil.replace("http://", "")
    assert "<img src=x onerror=alert(1)>" in node["title"]


def test_group_nodes_show_their_count() -> None:
    view = gv.layout(gv.collapse(_view(n_accounts=20)))
    html = build_network_html(view)
    group = next(n for n in _dataset(html, "nodes") if n["kind"] == gv.GROUP)
    assert group["label"].startswith("20 accounts")
    assert "stands for 20" in group["title"]


def test_big_drawings_leave_accounts_unlabelled_and_reuse_the_page() -> None:
    big = build_network_html(_view(n_accounts=400))
    nodes = _dataset(big, "nodes")
    assert {n["label"] for n in nodes if n["kind"] == "Account"} == {""}  # not their ids
    assert next(n for n in nodes if n["kind"] == "PaymentInstrument")["label"] == "tok-1"
    small = build_network_html(_view())
    # Only the data differs: the inlined page around it is the same.
    strip = re.compile(r"(nodes|edges) = new vis\.DataSet\(\[.*?\]\);", re.DOTALL)
    assert strip.sub("", big) == strip.sub("", small)


def test_an_edge_to_a_missing_node_is_refused() -> None:
    view = _view()
    broken = gv.GraphView(view.nodes, (*view.edges, gv.ViewEdge("Account:acc-0", "IP:nowhere", "X")))
    with pytest.raises(ValueError, match="IP:nowhere"):
        build_network_html(broken)
