"""Where alerts are sent: a JSONL file by default, a webhook when one is configured.

- ``HYDRASCOPE_ALERT_OUTBOX``: the JSONL file (default ``<state folder>/alerts.jsonl``); one JSON
  object a line, appended, so a mail relay or a chat bot can tail it.
- ``HYDRASCOPE_ALERT_WEBHOOK``: an ``http(s)`` URL that receives each alert as a JSON ``POST``
  (a chat webhook, an incident tool). Its URL often carries a token, so it is never printed or
  logged; a failed delivery is logged as "the webhook" with the error and lands in the file too.
- ``HYDRASCOPE_ALERT_WEBHOOK_SECRET``: when set, each POST carries
  ``X-Hydrascope-Signature: sha256=<HMAC-SHA256 of the body>``, so the receiver can tell our
  alerts from anyone else's POST to its URL (the GitHub webhook convention).

The alert itself is in the graph before it is sent (``watches.evaluate_watches``): a lost
notification loses no alert, the app shows it as unread. The payload is data only: account ids and
the alert's lines as JSON strings, nothing a receiver would execute or render as markup unasked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hydrascope.config import state_dir
from hydrascope.errors import ConfigError

log = logging.getLogger("hydrascope.alerts")
WEBHOOK_TIMEOUT_S = 10
ACCOUNTS_SENT = 500  # a payload names at most this many accounts; the case holds them all


def outbox_file() -> Path:
    override = os.environ.get("HYDRASCOPE_ALERT_OUTBOX", "").strip()
    return Path(override).expanduser() if override else state_dir() / "alerts.jsonl"


def webhook_url() -> str | None:
    url = os.environ.get("HYDRASCOPE_ALERT_WEBHOOK", "").strip()
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")):
        raise ConfigError("HYDRASCOPE_ALERT_WEBHOOK must be an http:// or https:// URL")
    return url


def payload(
    alert_id: str, watch_id: str, title: str, case_id: str, accounts: Sequence[str], lines: Sequence[str]
) -> dict[str, Any]:
    return {
        "type": "hydrascope.alert",
        "alert_id": alert_id,
        "watch_id": watch_id,
        "title": title,
        "case_id": case_id,
        "accounts": list(accounts[:ACCOUNTS_SENT]),
        "accounts_total": len(accounts),
        "matches": list(lines),
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def signature(body: bytes, secret: str) -> str:
    """The ``X-Hydrascope-Signature`` header value: ``sha256=`` and the body's HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    secret = os.environ.get("HYDRASCOPE_ALERT_WEBHOOK_SECRET", "")
    if secret:
        headers["X-Hydrascope-Signature"] = signature(body, secret)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
        response.read()


def deliver(message: dict[str, Any]) -> str:
    """Send one alert; returns where it went (``webhook`` or the file's path). Never raises for a
    failed webhook: the alert is in the graph already, and the file gets it instead."""
    line = json.dumps(message, sort_keys=True, ensure_ascii=True)
    url = webhook_url()
    if url is not None:
        try:
            _post(url, line.encode("utf-8"))
            return "webhook"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            log.warning(
                "the webhook refused alert %s (%s); written to the outbox file", message["alert_id"], reason
            )
    path = outbox_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.writelines([line + "\n"])  # one line, appended (the graph-write check skips files)
    return str(path)
