"""From cluster signal values to kinds of evidence, a score, and the flagging decision.

Each *kind* of evidence is a strength in [0, 1], in one of three groups:

- **operator** — what honest organisations do not do: accounts created in one burst, run in
  lockstep (synchrony), tied to banned or confirmed accounts (enforcement/regrowth), or driven by
  one prompt book (``scripted``: most of their templated traffic on templates only they use;
  an office shares a few internal templates but most of each employee's prompts are their own);
- **content** — harvesting the model: templates the group owns, a narrow capability mix or
  chain-of-thought elicitation, a release pivot;
- **shared** — infrastructure in common: payment, client fingerprints, registration domain,
  network, a dense FRAUDAR block. Companies, universities and carriers share these honestly.

A cluster is flagged only if it has at least ``min_flag_size`` accounts, a strong content kind,
a strong operator kind, and ``min_kinds`` strong kinds in all; its score is the noisy-or of the
strengths. A company (card + NAT + domain + internal templates) has no operator kind; researchers
(benchmark templates + reasoning) neither; a carrier or VPN crowd has no content kind either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.signals.defence import defence_strength

OPERATOR = ("creation", "synchrony", "enforcement", "scripted")
CONTENT = ("templates", "focus", "pivot")
SHARED = ("payment", "client", "identity", "network", "dense_block")
KINDS = OPERATOR + CONTENT + SHARED
NOISY_OR_RATE = 0.55


def _ramp(x: pd.Series | np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((np.asarray(x, dtype=float) - lo) / (hi - lo), 0.0, 1.0)


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
    s["focus"] = np.maximum(_ramp(f["focus"], 0.25, 0.5), _ramp(f["cot_share"], 0.15, 0.4))
    s["pivot"] = np.where(
        f["pivot_traffic_share"] >= params.pivot_min_share, _ramp(f["pivot_early_share"], 0.3, 0.6), 0.0
    )
    s["network"] = _ramp(f["tie_network"], 0.2, 0.6)
    s["dense_block"] = _ramp(f["dense_share"], 0.3, 0.7)
    return s


def score_clusters(features: pd.DataFrame, params: DetectParams) -> pd.DataFrame:
    """``score, flagged, kinds`` (names of the strong kinds) per cluster, plus the strengths."""
    s = strengths(features, params)
    strong = s >= params.strong
    n_strong = strong.sum(axis=1)
    has_content = strong[list(CONTENT)].any(axis=1)
    has_coord = strong[list(OPERATOR)].any(axis=1)
    score = 1.0 - np.prod(1.0 - NOISY_OR_RATE * s.to_numpy(float), axis=1)
    rule = (
        (features["size"] >= params.min_flag_size) & has_content & has_coord & (n_strong >= params.min_kinds)
    )
    # the defence: one established organisation is cleared unless enforcement says otherwise
    defence = defence_strength(features) if "org_share" in features else np.zeros(len(features))
    cleared = (defence >= params.strong) & ~strong["enforcement"].to_numpy(bool)
    flagged = rule & (score >= params.flag_threshold) & ~cleared
    # an unflagged cluster keeps a score below the threshold, for ranking only
    score = np.where(flagged, score, np.minimum(score, params.flag_threshold * 0.66))
    out = s.add_prefix("s_")
    out["s_defence"] = np.round(defence, 4)
    out["score"] = np.round(score, 4)
    out["flagged"] = flagged.to_numpy(bool)
    out["kinds"] = [sorted(k for k in KINDS if row[k]) for _, row in strong.iterrows()]
    return out
