"""The triage policy, once: the labels an analyst may set and which of them clear a node.

An analyst labels a cluster or an account (``triage_label`` on the node, see ``docs/schema.md``).
Three readers must agree on what a label means, and they used to hold their own copies:

- detection (``hydrascope.detect.params.DO_NOT_FLAG``): a cleared account or cluster is never
  flagged and never a lead;
- the ban list (``hydrascope.jobs.export.ban_list``, behind ``hydrascope export flagged`` and the
  app's download): a cleared account, or any account of a cleared cluster, is left out at once,
  before the next detection run;
- the app (drawings, top evidence, the triage form).

A leaf module (it imports nothing of the project), so ``schema``, ``detect``, ``jobs`` and ``ui``
can all read it without a cycle.
"""

from __future__ import annotations

CONFIRMED = "confirmed"
FALSE_POSITIVE = "false_positive"
ALLOWLISTED = "allowlisted"

# Every label an analyst may set, in the order the triage form offers them.
LABELS: tuple[str, ...] = (CONFIRMED, FALSE_POSITIVE, ALLOWLISTED)
# Labels that clear: the node is not flagged, not a lead and not on the ban list. ``confirmed``
# does not clear: it seeds detection (regrowth after a ban) instead.
CLEARING: tuple[str, ...] = (ALLOWLISTED, FALSE_POSITIVE)


def clears(label: str | None) -> bool:
    """Whether a node carrying ``label`` is cleared (kept off every flag, lead and ban list)."""
    return label in CLEARING
