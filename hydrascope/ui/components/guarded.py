"""Downloads that check the analyst's role and leave a record in the audit trail.

Why a component: every export (ban list, drawing, STIX bundle, audit CSV) must be refused for a
role that may not take it and recorded when taken, and a page must not be able to forget either.
A permitted download is Streamlit's own button, recorded when clicked (``on_click``); for a role
that may not, the data never reaches the browser: a plain button stands in, and clicking it
records the refused attempt and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from hydrascope.db import Graph
from hydrascope.errors import PermissionRefused
from hydrascope.inert import md
from hydrascope.workflow import audit
from hydrascope.workflow.identity import Action, Analyst


def download(
    graph: Graph,
    who: Analyst,
    action: Action,
    label: str,
    data: str | bytes,
    *,
    file_name: str,
    mime: str,
    key: str,
    what: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """A download of ``data`` (recorded as an ``export`` of ``what``) if ``who`` may ``action``."""
    record = {"file_name": file_name, "bytes": len(data), **(detail or {})}

    def recorded() -> None:
        audit.record(graph, who, "export", what, file_name, record)

    if who.may(action):
        st.download_button(
            label,
            data,
            file_name=file_name,
            mime=mime,
            key=key,
            on_click=recorded,
        )
        return
    if st.button(label, key=key):
        try:
            audit.authorise(graph, who, action, what, file_name, record)
        except PermissionRefused as exc:
            st.error(f"Not exported: {md(str(exc))} (the attempt is in the audit trail)")
