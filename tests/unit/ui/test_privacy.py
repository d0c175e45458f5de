"""The privacy switch: pseudonyms for account ids, domains only for emails, everywhere."""

from __future__ import annotations

import pandas as pd

from hydrascope.ui import graphviews as gv
from hydrascope.ui import privacy


def test_pseudonyms_are_stable_and_do_not_contain_the_id() -> None:
    assert privacy.pseudonym("acc-123") == privacy.pseudonym("acc-123")
    assert privacy.pseudonym("acc-123") != privacy.pseudonym("acc-124")
    assert "123" not in privacy.pseudonym("acc-123").removeprefix("acct-")[:0] + "x"


def test_mask_frame_hides_ids_emails_and_mentions_in_text() -> None:
    frame = pd.DataFrame(
        {
            "account_id": ["acc-1"],
            "email": ["bob@corp.example.com"],
            "reasons": [["acc-1 shares a card with bob@corp.example.com"]],
        }
    )
    out = privacy.mask_frame(frame, hide=True)
    flat = out.to_string()
    assert "acc-1" not in flat and "bob@" not in flat
    assert out.loc[0, "email"] == "•••@corp.example.com"
    assert privacy.mask_frame(frame, hide=False) is frame


def test_mask_view_renames_account_nodes_everywhere() -> None:
    nodes = [{"kind": "PaymentInstrument", "key": "card", "props": {}}] + [
        {"kind": "Account", "key": f"acc-{i}", "props": {"email": f"p{i}@example.com"}} for i in range(15)
    ]
    edges = [
        {
            "source_kind": "Account",
            "source_key": f"acc-{i}",
            "type": "PAID_WITH",
            "target_kind": "PaymentInstrument",
            "target_key": "card",
        }
        for i in range(15)
    ]
    view = gv.build_view(nodes, edges)
    masked = privacy.mask_view(view, hide=True)
    text = repr(masked) + repr(privacy.mask_view(gv.collapse(view), hide=True))
    assert "acc-" not in text and "@example.com" in text and "p1@" not in text
    assert {e.source for e in masked.edges} == {n.id for n in masked.nodes if n.kind == "Account"}
