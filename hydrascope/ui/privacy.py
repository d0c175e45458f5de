"""Hiding personal data (emails, account ids) for screenshots and shared material.

Pure: no Streamlit. Account ids become stable pseudonyms for the life of the process (a keyed
hash with a random per-process key, so a pseudonym cannot be reversed by hashing guessed ids),
which keeps a masked drawing readable: the same account has the same pseudonym everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from hydrascope.ui.graphviews import GraphView

_KEY = secrets.token_bytes(16)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
PERSONAL_COLUMNS = ("account_id", "email")


def pseudonym(account_id: str) -> str:
    """A stable, non-reversible stand-in for an account id."""
    digest = hmac.new(_KEY, account_id.encode(), hashlib.sha256).hexdigest()[:8]
    return f"acct-{digest}"


def mask_email(email: str | None) -> str:
    """Keep only the domain (an organisation-level fact the graph also holds as EmailDomain)."""
    if not email:
        return ""
    match = EMAIL_RE.fullmatch(email.strip())
    return f"•••@{match.group(1)}" if match else "•••"


def scrub_text(text: str, account_ids: Iterable[str] = ()) -> str:
    """Remove emails and the given account ids from free text (evidence, reasons, notes)."""
    out = EMAIL_RE.sub(lambda m: f"•••@{m.group(1)}", text)
    for account_id in sorted(set(account_ids), key=len, reverse=True):
        if account_id:
            out = out.replace(account_id, pseudonym(account_id))
    return out


def mask_frame(frame: pd.DataFrame, hide: bool) -> pd.DataFrame:
    """A copy of ``frame`` with account ids pseudonymised and emails reduced to their domain."""
    if not hide or frame.empty:
        return frame
    out = frame.copy()
    ids: list[str] = []
    for col in out.columns:
        if col == "account_id" or col.endswith("account_id"):
            ids.extend(str(v) for v in out[col].dropna())
            out[col] = out[col].map(lambda v: pseudonym(str(v)) if isinstance(v, str) else v)
        elif col == "email" or col.endswith("email"):
            out[col] = out[col].map(lambda v: mask_email(v) if isinstance(v, str) else v)
    for col in out.columns:
        if out[col].dtype == object and col not in ("account_id", "email"):
            out[col] = out[col].map(lambda v: _scrub_value(v, ids))
    return out


def _scrub_value(value: object, ids: list[str]) -> object:
    if isinstance(value, str):
        return scrub_text(value, ids)
    if isinstance(value, list | tuple):
        return [scrub_text(v, ids) if isinstance(v, str) else v for v in value]
    return value


def show_account(account_id: str, hide: bool) -> str:
    """How an account id is displayed under the current privacy setting."""
    return pseudonym(account_id) if hide else account_id


def mask_view(view: GraphView, hide: bool) -> GraphView:
    """A view with account ids replaced by pseudonyms everywhere (ids, captions, edges, groups)
    and no email in any property, so the drawing and its exports are safe to show."""
    if not hide:
        return view
    account_ids = [n.key for n in view.nodes if n.kind == "Account"]
    prefix = "Account:"
    ids = {f"{prefix}{a}": f"{prefix}{pseudonym(a)}" for a in account_ids}
    for members in view.groups.values():
        for member in members:
            if member.startswith(prefix):
                ids.setdefault(member, prefix + pseudonym(member[len(prefix) :]))

    def remap(node_id: str) -> str:
        if node_id in ids:
            return ids[node_id]
        return scrub_text(node_id, account_ids) if node_id.startswith("group:") else node_id

    nodes = []
    for n in view.nodes:
        props = {
            k: (mask_email(v) if k == "email" and isinstance(v, str) else _scrub_value(v, account_ids))
            for k, v in n.props.items()
            if k != "account_id"
        }
        members = tuple(remap(x) for x in n.members)
        if n.kind == "Account":
            pseudo = pseudonym(n.key)
            nodes.append(replace(n, id=remap(n.id), caption=pseudo, key=pseudo, props=props, members=members))
        else:
            nodes.append(
                replace(
                    n,
                    id=remap(n.id),
                    caption=scrub_text(n.caption, account_ids),
                    props=props,
                    members=members,
                )
            )
    edges = tuple(replace(e, source=remap(e.source), target=remap(e.target)) for e in view.edges)
    groups = {remap(g): tuple(remap(x) for x in members) for g, members in view.groups.items()}
    return GraphView(tuple(nodes), edges, groups, scrub_text(view.title, account_ids))
