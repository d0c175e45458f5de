"""Readable evidence, each sentence with its numbers, for clusters and for member accounts.

An analyst must be able to check every sentence with a Cypher query, so each names counts and
shares rather than a model's opinion ("212 accounts share 3 cards issued within 2 hours; 97% of
their requests are chain-of-thought elicitation").
"""

from __future__ import annotations

import math

import pandas as pd


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def cluster_evidence(row: pd.Series) -> list[str]:
    """Evidence sentences for one cluster, strongest kinds first; ``row`` joins features and scores."""
    n = int(row["size"])
    items: list[tuple[float, str]] = []
    if row.get("shared_cards", 0) and row.get("card_sharing_members", 0) >= 2:
        span = row.get("card_issue_span_h")
        when = f" issued within {span:.0f} hours" if span is not None and math.isfinite(span) else ""
        items.append(
            (
                row["s_payment"],
                f"{int(row['card_sharing_members'])} of {n} accounts share "
                f"{int(row['shared_cards'])} payment instruments{when}",
            )
        )
    if row.get("shared_fingerprints", 0):
        items.append(
            (
                row["s_client"],
                f"{int(row['fingerprint_sharing_members'])} of {n} accounts share "
                f"{int(row['shared_fingerprints'])} client fingerprints",
            )
        )
    if row.get("shared_email_domains", 0) and row["s_identity"] > 0:
        items.append(
            (
                row["s_identity"],
                f"{int(row['email_domain_sharing_members'])} of {n} accounts registered "
                f"with {int(row['shared_email_domains'])} uncommon email domains",
            )
        )
    if row.get("shared_ips", 0):
        extra = []
        if row.get("proxy_share", 0) > 0.05:
            svc = row.get("top_proxy")
            extra.append(
                f"{_pct(row['proxy_share'])} of their traffic via proxy egress"
                + (f" ({svc})" if isinstance(svc, str) and svc else "")
            )
        if row.get("datacenter_share", 0) > 0.05:
            extra.append(f"{_pct(row['datacenter_share'])} from datacenter IPs")
        items.append(
            (
                row["s_network"],
                f"{int(row['ip_sharing_members'])} of {n} accounts share "
                f"{int(row['shared_ips'])} IP addresses" + ("; " + ", ".join(extra) if extra else ""),
            )
        )
    if row["s_creation"] > 0:
        items.append(
            (
                row["s_creation"],
                f"{_pct(row['creation_burst'])} of the accounts were created within "
                f"{row['creation_window_h']:.0f} hours of each other",
            )
        )
    if row["s_synchrony"] > 0:
        items.append(
            (
                row["s_synchrony"],
                f"median active-hour overlap between tied accounts is "
                f"{_pct(row['hour_jaccard'])} ({_pct(row['tie_timing'])} of accounts in lockstep "
                "with another)",
            )
        )
    if row["s_enforcement"] > 0:
        items.append(
            (
                row["s_enforcement"],
                f"{int(row['banned'])} accounts already banned and "
                f"{int(row['regrown'])} born on their infrastructure after the ban",
            )
        )
    if row["s_templates"] > 0:
        fam = int(row.get("shared_families", 0))
        items.append(
            (
                row["s_templates"],
                f"{_pct(row['template_members'])} of the accounts reuse "
                f"{int(row['shared_templates'])} prompt templates"
                + (f" and {fam} near-duplicate template families" if fam else "")
                + f" that few accounts outside the cluster use ({_pct(row['template_requests'])} "
                "of their templated requests)",
            )
        )
    if row.get("s_scripted", 0) > 0:
        items.append(
            (
                row["s_scripted"],
                f"{_pct(row['template_requests'])} of their templated requests run through "
                f"{int(row['shared_templates'])} templates used almost only by this group "
                "(a shared prompt book)",
            )
        )
    if row["s_focus"] > 0:
        top = row.get("top_capability")
        items.append(
            (
                row["s_focus"],
                f"{_pct(row['top_capability_share'])} of their requests are "
                f"{top if isinstance(top, str) else 'one capability'}; chain-of-thought elicitation "
                f"{_pct(row['cot_share'])}; capability focus {row['focus']:.2f}",
            )
        )
    if row["s_pivot"] > 0:
        items.append(
            (
                row["s_pivot"],
                f"{_pct(row['pivot_early_share'])} of the accounts moved to "
                f"{row['pivot_model']} within {row['pivot_window_h']:.0f} hours of its release "
                f"(median {row['pivot_delay_h']:.1f} h); it carries {_pct(row['pivot_traffic_share'])} "
                "of their requests",
            )
        )
    if row.get("s_volume", 0) > 0:
        items.append(
            (
                row["s_volume"],
                f"answers {row['output_ratio']:.1f}x as long as the median account's "
                "(output tokens per request): a harvest asks for long outputs",
            )
        )
    if row["s_dense_block"] > 0:
        items.append(
            (
                row["s_dense_block"],
                f"{_pct(row['dense_share'])} of the accounts form a dense "
                "account × evidence block (FRAUDAR) that camouflage traffic does not dilute",
            )
        )
    items.sort(key=lambda t: -t[0])
    return [text for _, text in items] + defence_evidence(row)


def defence_evidence(row: pd.Series) -> list[str]:
    """What was weighed for the defence, with its numbers: the organisation, the accounts' age and
    how much of their prompting is their own (listed whenever there is something to weigh)."""
    n = int(row["size"])
    share = float(row.get("org_share", 0.0) or 0.0)
    age = float(row.get("median_age_days", 0.0) or 0.0)
    personal = row.get("personal_share")
    parts = []
    if share > 0:
        parts.append(f"{round(share * n)} of {n} accounts belong to one organisation ({row.get('org')})")
    parts.append(f"median account age {age:.0f} days")
    if isinstance(personal, float) and math.isfinite(personal):
        parts.append(f"{_pct(personal)} of their templated requests on prompts only the sender ever used")
    text = "weighed: " + ", ".join(parts)
    if row.get("s_defence", 0.0) >= 0.5:
        text += "; cleared: not flagged without enforcement evidence"
    return [text]


def member_reasons(row: pd.Series) -> list[str]:
    """The account's own reasons inside its cluster (``row`` from the pipeline's member table)."""
    reasons = []
    if row.get("families"):
        reasons.append(f"tied to {int(row['ties'])} cluster members by {', '.join(row['families'])}")
    if row.get("owned_template_share", 0) > 0:
        reasons.append(
            f"{_pct(row['owned_template_share'])} of its templated requests on the cluster's templates"
        )
    if row.get("cot_share", 0) >= 0.1:
        reasons.append(f"chain-of-thought elicitation {_pct(row['cot_share'])} of its requests")
    if row.get("regrowth", 0) > 0:
        reasons.append(f"born on the infrastructure of {int(row['seeds'])} banned or confirmed accounts")
    if row.get("banned"):
        reasons.append("already banned")
    return reasons
