"""From cluster signal values to kinds of evidence, a score, and the flagging decision.

Each *kind* of evidence is a strength in [0, 1], in one of three groups:

- **operator** — what honest organisations do not do: accounts created in one burst, run in
  lockstep (synchrony), tied to banned or confirmed accounts (enforcement/regrowth), or driven by
  one prompt book (``scripted``: most of their templated traffic on templates only they use);
- **distillation** — what harvesting the model leaves: a narrow capability mix or chain-of-thought
  elicitation (``focus``), a release pivot, answers far longer than the population's (``volume``),
  or a prompt book run with nothing of the members' own (``harvest``: templates the group owns,
  while almost none of its templated requests are prompts only the sender ever used);
- **shared** — things in common: payment, client fingerprints, registration domain, network, a
  dense FRAUDAR block, and templates the group owns (``templates``). A hackathon shares its
  tutorial, a plugin's users its default prompts, an agency its library: a shared template says
  the accounts are related, not that they harvest.

A cluster is flagged only if it has at least ``min_flag_size`` accounts, a strong distillation
kind, a strong operator kind (``scripted`` only together with shared payment, client, identity or
network), and ``min_kinds`` strong kinds in all, and the defence does not clear it
(``signals/defence.py``: one established organisation, or members who write their own prompts;
mass regrowth after bans overrides the defence). Its score is the
noisy-or of the strengths. A company (card + NAT + domain + internal templates) has no operator
kind; researchers (benchmark templates + reasoning) neither; a carrier or VPN crowd has no
distillation kind either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.signals.defence import defence_strength

OPERATOR = ("creation", "synchrony", "enforcement", "scripted")
DISTILLATION = ("focus", "pivot", "volume", "harvest")
SHARED = ("payment", "client", "identity", "network", "dense_block", "templates")
KINDS = OPERATOR + DISTILLATION + SHARED
NOISY_OR_RATE = 0.55


def _ramp(x: pd.Series | np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((np.asarray(x, dtype=float) - lo) / (hi - lo), 0.0, 1.0)


def _personal(features: pd.DataFrame) -> pd.Series:
    """The members' personal share (``signals/distillation.py``); NaN where unknown."""
    return features.get("personal_share", pd.Series(np.nan, index=features.index))


def strengths(features: pd.DataFrame, params: DetectParams) -> pd.DataFrame:
    """The strength of each kind of evidence for each cluster (rows as in ``features``)."""
    f = features
    s = pd.DataFrame(index=f.index)
    s["payment"] = _ramp(f["tie_payment"], 0.1, 0.5)
    s["client"] = _ramp(f["tie_client"], 0.1, 0.5)
    s["identity"] = _ramp(f["tie_identity"], 0.2, 0.6)
    s["creation"] = _ramp(f["creation_burst"], 0.3, 0.7)
    s["synchrony"] = np.maximum(_ramp(f["hour_jaccard"], 0.35, 0.6), _ramp(f["tie_timing"], 0.3, 0.8))
    s["enforcement"] = _ramp(f["enforcement_share"], 0.02, 0.2)
    s["templates"] = np.where(
        (f["shared_templates"] + f["shared_families"]) >= 1, _ramp(f["template_members"], 0.3, 0.7), 0.0
    )
    # a prompt book: most of the members' templated traffic runs through templates the group owns
    s["scripted"] = np.where(
        (f["shared_templates"] + f["shared_families"]) >= 3, _ramp(f["template_requests"], 0.4, 0.8), 0.0
    )
    # a narrow mix: one or two capabilities (an office's or a plugin's usual mix, coding 60% and
    # three others, sits at 0.4-0.55 and is not strong)
    s["focus"] = np.maximum(
        _ramp(f["focus"], params.focus_ramp[0], params.focus_ramp[1]), _ramp(f["cot_share"], 0.15, 0.4)
    )
    zeros = np.zeros(len(f))
    s["volume"] = np.maximum(
        _ramp(f.get("output_ratio", zeros), *params.volume_ramp),
        _ramp(f.get("member_volume", zeros), *params.member_volume_ramp)
        * (1.0 - _ramp(f.get("median_age_days", zeros), *params.established_age_days))
        * (s["templates"] >= params.strong),
    )
    s["pivot"] = np.where(
        f["pivot_traffic_share"] >= params.pivot_min_share, _ramp(f["pivot_early_share"], 0.3, 0.6), 0.0
    )
    # a book and nothing of their own: people who share a tutorial or a library still write most of
    # their prompts themselves; a worker sends its operator's book
    own = _ramp(_personal(f).fillna(1.0), params.harvest_personal_ramp[0], params.harvest_personal_ramp[1])
    s["harvest"] = s["templates"] * (1.0 - own)
    s["network"] = _ramp(f["tie_network"], 0.2, 0.6)
    s["dense_block"] = _ramp(f["dense_share"], 0.3, 0.7)
    return s


def score_clusters(features: pd.DataFrame, params: DetectParams) -> pd.DataFrame:
    """``score, flagged, kinds`` (names of the strong kinds) per cluster, plus the strengths."""
    s = strengths(features, params)
    strong = s >= params.strong
    # harvest restates templates (times the absence of personal prompts): not a kind of its own
    n_strong = strong.drop(columns=["harvest"]).sum(axis=1)
    has_distillation = strong[list(DISTILLATION)].any(axis=1)
    # ban evasion stands without a distillation signature: accounts born on the cards, devices
    # and networks of banned ones after the bans (several of them, not a family that shares a card
    # with one banned member), provisioned together (two independent shared families)
    regrown = features["regrown"] if "regrown" in features else pd.Series(0, index=features.index)
    mass_regrowth = strong["enforcement"] & (
        regrown >= np.maximum(params.evasion_min_regrown, params.evasion_min_share * features["size"])
    )
    evasion = mass_regrowth & (strong[["payment", "client", "network"]].sum(axis=1) >= 2)
    # a prompt book alone is no operator: a plugin's users all send its default prompts. It counts
    # with shared payment, client, identity or network (someone provisioned those accounts)
    infra = strong[["payment", "client", "identity", "network"]].any(axis=1)
    # ... or with nothing of the members' own beside the book
    personal = (
        features["personal_share"] if "personal_share" in features else pd.Series(np.nan, features.index)
    )
    book_only = (personal < params.book_only_personal).to_numpy(bool)
    has_coord = strong[["creation", "synchrony", "enforcement"]].any(axis=1) | (
        strong["scripted"] & (infra | book_only)
    )
    score = 1.0 - np.prod(1.0 - NOISY_OR_RATE * s.drop(columns=["harvest"]).to_numpy(float), axis=1)
    rule = (
        (features["size"] >= params.min_flag_size)
        & (has_distillation | evasion)
        & has_coord
        & (n_strong >= params.min_kinds)
    )
    # the defence: one established organisation is cleared unless enforcement says otherwise, and
    # only mass regrowth says so: a family sharing a card with its one banned member (and a child
    # who signed up since) is still a family
    defence = defence_strength(features, params) if "org_share" in features else np.zeros(len(features))
    cleared = (defence >= params.strong) & ~mass_regrowth.to_numpy(bool)
    flagged = rule & (score >= params.flag_threshold) & ~cleared
    # an unflagged cluster keeps a score below the threshold, for ranking only
    score = np.where(flagged, score, np.minimum(score, params.flag_threshold * 0.66))
    out = s.add_prefix("s_")
    out["s_defence"] = np.round(defence, 4)
    out["score"] = np.round(score, 4)
    out["flagged"] = flagged.to_numpy(bool)
    out["kinds"] = [sorted(k for k in KINDS if row[k]) for _, row in strong.iterrows()]
    return out
