"""Cluster-level signal values, computed for every candidate cluster at once (vectorised).

Input: the snapshot's edges and accounts, the cluster label of each account, the kept pairs with
their per-family evidence, and per-account side signals (content, regrowth, dense blocks). Output:
one row per cluster with plain numbers; ``score.py`` turns them into kinds of evidence and a
score, ``explain.py`` into sentences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.signals.content import focus
from hydrascope.detect.signals.infra import FAMILIES
from hydrascope.detect.snapshot import Snapshot

PAIR_FAMILIES: tuple[str, ...] = (*FAMILIES, "timing", "enforcement")


def burst_share(times: np.ndarray, window_s: float) -> float:
    """Largest share of the values falling in any window of ``window_s`` seconds."""
    t = np.sort(times[np.isfinite(times)])
    if len(t) == 0:
        return 0.0
    right = np.searchsorted(t, t + window_s, side="right")
    return float((right - np.arange(len(t))).max() / len(times))


def member_edges(edges: pd.DataFrame, cluster_of: pd.Series) -> pd.DataFrame:
    """The edges of clustered accounts, with their ``cluster`` (selected first, labelled after:
    clusters hold a small part of all accounts, and the edge table has tens of millions of rows)."""
    e = edges[edges["account_id"].isin(cluster_of.index)]
    return e.assign(cluster=e["account_id"].map(cluster_of).astype(np.int64))


def family_shares(pairs: pd.DataFrame, labels: pd.Series, params: DetectParams) -> pd.DataFrame:
    """Per cluster and family: share of members with an in-cluster tie of that family, and the
    median in-cluster hour Jaccard."""
    la = labels.reindex(pairs["a"]).to_numpy()
    lb = labels.reindex(pairs["b"]).to_numpy()
    inside = pairs[(la == lb) & (la >= 0)].copy()
    inside["cluster"] = la[(la == lb) & (la >= 0)]
    sizes = labels[labels >= 0].value_counts()
    out = pd.DataFrame(index=sizes.index)
    for family in PAIR_FAMILIES:
        thr = params.sync_min if family == "timing" else params.family_min
        tied = inside[inside[family] >= thr]
        ends = pd.concat(
            [
                tied[["cluster", "a"]].rename(columns={"a": "row"}),
                tied[["cluster", "b"]].rename(columns={"b": "row"}),
            ]
        )
        out[f"tie_{family}"] = (
            (ends.groupby("cluster")["row"].nunique() / sizes).reindex(out.index).fillna(0.0)
        )
    out["hour_jaccard"] = inside.groupby("cluster")["hour_jaccard"].median().reindex(out.index).fillna(0.0)
    out["edges"] = inside.groupby("cluster").size().reindex(out.index).fillna(0).astype(int)
    return out


def content_features(
    edges: pd.DataFrame,
    cluster_of: pd.Series,
    component_of: pd.Series,
    sizes: pd.Series,
    params: DetectParams,
    users_of: pd.Series | None = None,
) -> pd.DataFrame:
    """Capability focus, chain-of-thought share and cross-account template reuse per cluster.

    A template is the cluster's own when enough members use it and at least half of all its users
    are members (``template_owner_scope="cluster"``). A popular template that a campaign uses for
    camouflage keeps most of its users outside the cluster, so it never becomes part of the
    cluster's "prompt book", however many honest users of it were pulled into the same connected
    component. ``"component"`` measures the share over the cluster's connected component instead
    (the previous rule; kept for comparison).

    ``users_of``: distinct users per ``(kind, object_id)`` when the caller has them already
    (``object_weights``' degree); computed from ``edges`` otherwise."""
    e = member_edges(edges, cluster_of)
    out = pd.DataFrame(index=sizes.index)
    caps = e[e["kind"] == "capability"].groupby(["cluster", "object_id"])["requests"].sum()
    total = caps.groupby(level=0).sum()
    p = caps / total.reindex(caps.index.get_level_values(0)).to_numpy()
    ent = (-(p * np.log2(p.where(p > 0)))).fillna(0.0).groupby(level=0).sum()
    out["focus"] = focus(ent).reindex(out.index).fillna(0.0)
    cot = caps[caps.index.get_level_values(1).isin(list(params.cot_capabilities))].groupby(level=0).sum()
    out["cot_share"] = (cot / total).reindex(out.index).fillna(0.0)
    top = caps.groupby(level=0).idxmax().map(lambda ix: ix[1]) if len(caps) else pd.Series(dtype=object)
    out["top_capability"] = top.reindex(out.index)
    out["top_capability_share"] = (caps.groupby(level=0).max() / total).reindex(out.index).fillna(0.0)
    out["requests"] = total.reindex(out.index).fillna(0.0)
    # templates (and near-duplicate families) the cluster owns: used by enough members, and
    # mostly by members of this cluster
    is_tpl = edges["kind"].isin(["template", "template_family"])
    if users_of is None:
        users_of = edges[is_tpl].groupby(["kind", "object_id"])["account_id"].nunique()
    cluster_component = pd.Series(
        component_of.reindex(cluster_of.index).to_numpy(), index=cluster_of.to_numpy()
    )
    cluster_component = cluster_component[~cluster_component.index.duplicated()]
    # users per component, only for the components that hold a cluster (not every account's)
    in_comp = component_of[component_of.isin(cluster_component.to_numpy()) & (component_of >= 0)]
    comp = edges[is_tpl & edges["account_id"].isin(in_comp.index)]
    comp = comp.assign(component=comp["account_id"].map(in_comp))
    comp_users = comp.groupby(["component", "kind", "object_id"])["account_id"].nunique()
    tpl = e[e["kind"].isin(["template", "template_family"])]
    users = (
        tpl.groupby(["cluster", "kind", "object_id"])["account_id"].nunique().rename("users").reset_index()
    )
    users["global"] = users_of.reindex(pd.MultiIndex.from_frame(users[["kind", "object_id"]])).to_numpy()
    users["size"] = users["cluster"].map(sizes).to_numpy()
    ckey = pd.MultiIndex.from_arrays(
        [
            users["cluster"].map(cluster_component).to_numpy(),
            users["kind"].to_numpy(),
            users["object_id"].to_numpy(),
        ]
    )
    users["in_component"] = comp_users.reindex(ckey).fillna(0).to_numpy()
    need = np.maximum(3.0, params.template_min_share * users["size"].to_numpy(float))
    holders = users["in_component"] if params.template_owner_scope == "component" else users["users"]
    owned = users[(users["users"] >= need) & (holders / users["global"].clip(lower=1) >= 0.5)]
    out["shared_templates"] = (
        owned[owned["kind"] == "template"].groupby("cluster").size().reindex(out.index).fillna(0)
    )
    out["shared_families"] = (
        owned[owned["kind"] == "template_family"].groupby("cluster").size().reindex(out.index).fillna(0)
    )
    key = pd.MultiIndex.from_frame(tpl[["cluster", "kind", "object_id"]])
    on_owned = key.isin(pd.MultiIndex.from_frame(owned[["cluster", "kind", "object_id"]]))
    owned_rows = tpl[on_owned]
    out["template_members"] = (
        (owned_rows.groupby("cluster")["account_id"].nunique() / sizes).reindex(out.index).fillna(0)
    )
    plain = tpl["kind"] == "template"
    t_total = tpl[plain].groupby("cluster")["requests"].sum()
    t_owned = tpl[plain & on_owned].groupby("cluster")["requests"].sum()
    out["template_requests"] = (t_owned / t_total).reindex(out.index).fillna(0.0)
    out.attrs["owned_templates"] = owned
    return out


def infra_details(
    snapshot: Snapshot, edges: pd.DataFrame, cluster_of: pd.Series, sizes: pd.Series, params: DetectParams
) -> pd.DataFrame:
    """Numbers for the evidence sentences: shared cards and their issuance spread, proxy and
    datacenter traffic, shared fingerprints, creation bursts."""
    out = pd.DataFrame(index=sizes.index)
    e = member_edges(edges, cluster_of)
    for kind in ("card", "fingerprint", "ip", "email_domain"):
        k = e[e["kind"] == kind]
        users = k.groupby(["cluster", "object_id"])["account_id"].nunique()
        shared = users[users >= 2]
        out[f"shared_{kind}s"] = shared.groupby(level=0).size().reindex(out.index).fillna(0).astype(int)
        sharing = k.merge(shared.rename("n").reset_index(), on=["cluster", "object_id"])
        out[f"{kind}_sharing_members"] = (
            sharing.groupby("cluster")["account_id"].nunique().reindex(out.index).fillna(0).astype(int)
        )
        if kind == "card" and len(shared):
            first = snapshot.instruments.set_index(snapshot.instruments["instrument_id"].astype(str))[
                "first_seen"
            ]
            sc = shared.reset_index()
            sc["issued"] = sc["object_id"].map(first)
            span = sc.groupby("cluster")["issued"].agg(
                lambda s: s.max() - s.min() if s.notna().sum() > 1 else np.nan
            )
            out["card_issue_span_h"] = (span / 3600.0).reindex(out.index)
        elif kind == "card":
            out["card_issue_span_h"] = np.nan
    ip = e[e["kind"] == "ip"]
    if len(snapshot.ips) and len(ip):
        info = snapshot.ips.set_index("ip")
        dc = ip["object_id"].map(info["is_datacenter"]).fillna(False).astype(bool)
        proxy = ip["object_id"].map(info["proxy_service"]).notna() & (
            ip["object_id"].map(info["proxy_service"]).astype(str) != ""
        )
        req = ip["requests"].astype(float)
        tot = req.groupby(ip["cluster"]).sum().replace(0, np.nan)
        out["datacenter_share"] = (
            ((req * dc).groupby(ip["cluster"]).sum() / tot).reindex(out.index).fillna(0.0)
        )
        out["proxy_share"] = ((req * proxy).groupby(ip["cluster"]).sum() / tot).reindex(out.index).fillna(0.0)
        svc = ip["object_id"].map(info["proxy_service"])
        by_svc = pd.DataFrame({"cluster": ip["cluster"], "svc": svc, "req": req}).dropna()
        top = (
            by_svc.groupby(["cluster", "svc"])["req"]
            .sum()
            .reset_index()
            .sort_values("req")
            .drop_duplicates("cluster", keep="last")
            .set_index("cluster")["svc"]
        )
        out["top_proxy"] = top.reindex(out.index)
    else:
        out["datacenter_share"] = 0.0
        out["proxy_share"] = 0.0
        out["top_proxy"] = None
    acc = snapshot.accounts.set_index("account_id")
    created = acc["created_at"].reindex(cluster_of.index)
    frame = pd.DataFrame({"cluster": cluster_of.to_numpy(), "created": created.to_numpy(float)})
    out["creation_burst"] = (
        frame.groupby("cluster")["created"]
        .agg(lambda s: burst_share(s.to_numpy(float), params.creation_window_s))
        .reindex(out.index)
        .fillna(0.0)
    )
    return out
