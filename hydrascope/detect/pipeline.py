"""The detection pipeline: snapshot → evidence pairs → clusters → scores → evidence → campaigns.

Pure: it reads only the ``Snapshot`` (enforcement history and analyst triage are the only labels)
and returns DataFrames; ``hydrascope.jobs.detect`` writes them to Neo4j.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from hydrascope.detect.campaigns import group_campaigns
from hydrascope.detect.cluster import cluster_accounts, split_periphery
from hydrascope.detect.explain import cluster_evidence, member_reasons
from hydrascope.detect.features import PAIR_FAMILIES, content_features, family_shares, infra_details
from hydrascope.detect.identity import match_clusters
from hydrascope.detect.leads import LEAD_COLUMNS, rank_leads
from hydrascope.detect.params import DO_NOT_FLAG, DetectParams
from hydrascope.detect.score import score_clusters
from hydrascope.detect.signals.content import account_content, family_edges, focus, template_families
from hydrascope.detect.signals.defence import defence_features
from hydrascope.detect.signals.dense_blocks import dense_blocks
from hydrascope.detect.signals.distillation import member_volume, output_ratio, personal_share
from hydrascope.detect.signals.infra import (
    FAMILIES,
    candidate_pairs,
    chunk_bounds,
    family_matrices,
    object_weights,
    prompt_book_content,
    shared_infrastructure,
    tie_links,
    weighted_links,
)
from hydrascope.detect.signals.pivot import cluster_pivots
from hydrascope.detect.signals.regrowth import regrowth_scores, seed_accounts
from hydrascope.detect.signals.synchrony import (
    excess_hour_jaccard,
    hour_minhash,
    hour_span,
    pair_hour_jaccard,
)
from hydrascope.detect.snapshot import Snapshot
from hydrascope.triage import CONFIRMED, FALSE_POSITIVE

DENSE_KINDS = ("template", "template_family", "fingerprint", "card", "ip")
# candidate pairs scored per chunk (about 100 bytes of columns each): bounds the memory of scoring
# tens of millions of candidates while only the kept pairs accumulate
PAIR_CHUNK = 2_000_000


@dataclass
class DetectionResult:
    """What one run found. ``clusters``: every written cluster (flagged or not); ``members``: their
    memberships; ``accounts``: flagged accounts (the ``flagged`` tier) with risk score and reasons;
    ``campaigns``; ``leads``: every other scored account with its tier (``review`` or ``clear``)."""

    clusters: pd.DataFrame
    members: pd.DataFrame
    accounts: pd.DataFrame
    campaigns: pd.DataFrame
    pairs: pd.DataFrame
    params: DetectParams
    timings: dict[str, float] = field(default_factory=dict)
    # the review tier, best lead first (``leads.LEAD_COLUMNS``; ``tier`` is review or clear)
    leads: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(LEAD_COLUMNS)))

    @property
    def review_accounts(self) -> set[str]:
        return set(self.leads.loc[self.leads["tier"] == "review", "account_id"])

    @property
    def flagged_accounts(self) -> set[str]:
        return set(self.accounts["account_id"])


class _Timer:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.times: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self.t, 3)
        self.t = now


def detect(snapshot: Snapshot, params: DetectParams | None = None) -> DetectionResult:
    """Run every signal, cluster, score, explain and group, then rank the review tier; see
    ``docs/detection.md``."""
    params = params or DetectParams()
    timer = _Timer()
    result = _detect_clusters(snapshot, params, timer)
    result.leads = rank_leads(
        snapshot,
        result.flagged_accounts,
        pd.Index(seed_accounts(snapshot.accounts, _confirmed_members(snapshot))["account_id"]),
        result.members,
        result.clusters,
        params,
    )
    timer.lap("leads")
    result.timings = timer.times
    return result


def _members_labelled(snapshot: Snapshot, label: str) -> pd.Index:
    """Accounts in clusters an analyst gave ``label`` in an earlier run."""
    labelled = snapshot.previous_clusters.loc[
        snapshot.previous_clusters["triage_label"] == label, "cluster_id"
    ]
    return pd.Index(
        snapshot.previous_members.loc[snapshot.previous_members["cluster_id"].isin(labelled), "account_id"]
    )


def _confirmed_members(snapshot: Snapshot) -> pd.Index:
    """Accounts in clusters an analyst confirmed in an earlier run (seeds like bans)."""
    return _members_labelled(snapshot, CONFIRMED)


def _cleared_by_false_positives(
    snapshot: Snapshot, accts: _Accounts, links: pd.DataFrame, share: float
) -> pd.DataFrame:
    """Drop the links through objects that analysts' false positives cleared: at least two of the
    object's users, and at least ``share`` of them, were marked false positive (the account, or
    its cluster). The shared card, NAT and eval templates of an organisation cleared once then tie
    no newcomer to it; a hydra whose two members were marked by mistake keeps its evidence."""
    marked = accts.acc.loc[accts.acc["triage_label"] == FALSE_POSITIVE, "account_id"]
    fp = pd.Index(marked).union(_members_labelled(snapshot, FALSE_POSITIVE))
    if fp.empty or links.empty:
        return links
    is_fp = links["account_id"].isin(fp)
    users = links.groupby("object_key")["account_id"].transform("nunique")
    fp_users = is_fp.groupby(links["object_key"]).transform("sum")
    cleared = (fp_users >= 2) & (fp_users >= share * users)
    return links[~cleared.to_numpy()].reset_index(drop=True)


@dataclass(frozen=True)
class _Accounts:
    """Every account the snapshot mentions, in row order (``ids``), with its attributes."""

    ids: pd.Index
    acc: pd.DataFrame
    blocked: set[str]


@dataclass(frozen=True)
class _Objects:
    """The evidence objects: edges (with template-family edges), families, weights and links."""

    edges: pd.DataFrame
    families: pd.DataFrame
    objects: pd.DataFrame
    links: pd.DataFrame


@dataclass(frozen=True)
class _Regrowth:
    """Per-account enforcement regrowth and hour signatures, read by the pair evidence."""

    seeds: pd.DataFrame
    regrow: pd.DataFrame
    is_seed: np.ndarray
    regrow_v: np.ndarray
    sig: np.ndarray
    n_hours: np.ndarray
    span: int


@dataclass(frozen=True)
class _Clusters:
    """The cluster labels of the kept pairs and what the later stages look up about them."""

    lab: pd.Series
    component_of: pd.Series
    template_family: pd.Series
    users_of: pd.Series
    in_cluster: pd.Series
    cluster_of: pd.Series
    sizes: pd.Series


def _detect_clusters(snapshot: Snapshot, params: DetectParams, timer: _Timer) -> DetectionResult:
    """The ban-grade tier: clusters flagged on several independent kinds of evidence."""
    accts = _account_table(snapshot)
    n = len(accts.ids)
    obj = _evidence_objects(snapshot, accts, params)
    timer.lap("objects")
    tied, cand, mats = _candidate_pairs(obj, n, params)
    timer.lap("pairs")
    rg = _regrowth(snapshot, accts, tied, params)
    timer.lap("regrowth")
    kept = _pair_evidence(tied, cand, n, mats, rg, params)
    del cand
    timer.lap("pair_evidence")
    cl = _cluster_pairs(kept, accts.ids, obj, params)
    timer.lap("cluster")
    if cl.sizes.empty:
        return _empty_result(params, kept, timer)
    feats, member_frame, owned = _cluster_features(snapshot, accts, obj, kept, cl, rg, params)
    timer.lap("features")
    acc_content = _dense_block_shares(feats, accts.ids, obj, cl, params)
    timer.lap("dense_blocks")
    feats = _score_and_triage(snapshot, accts, feats, member_frame, params)
    timer.lap("score")
    seed_set = set(rg.seeds["account_id"])
    members = _members(
        member_frame,
        kept,
        cl.lab,
        feats,
        owned,
        obj.edges,
        acc_content,
        params,
        accts.blocked,
        seed_set,
        cl.template_family,
    )
    timer.lap("members")
    feats, members, campaigns = _campaigns(feats, members, kept, obj, cl)
    timer.lap("campaigns")
    return _result(feats, members, campaigns, kept, accts.ids, params, timer)


def _account_table(snapshot: Snapshot) -> _Accounts:
    """Every account seen anywhere gets a row, so pairs and matrices can index accounts by number."""
    edges = snapshot.edges
    ids = pd.Index(
        pd.unique(pd.concat([snapshot.accounts["account_id"], edges["account_id"]], ignore_index=True))
    )
    acc = snapshot.accounts.set_index("account_id").reindex(ids)
    acc["active_hours"] = [  # type: ignore[assignment]
        h if isinstance(h, np.ndarray) else np.zeros(0, np.int64) for h in acc["active_hours"]
    ]
    acc["status"] = acc["status"].fillna("active")
    acc = acc.rename_axis("account_id").reset_index()
    blocked = set(acc.loc[acc["triage_label"].isin(DO_NOT_FLAG), "account_id"])
    return _Accounts(ids, acc, blocked)


def _evidence_objects(snapshot: Snapshot, accts: _Accounts, params: DetectParams) -> _Objects:
    """Shared objects (and template families) are the evidence that ties accounts, weighed by rarity."""
    edges = snapshot.edges
    families = template_families(edges, min_users=params.family_min_users)
    edges = pd.concat([edges, family_edges(edges, families)], ignore_index=True)
    objects = object_weights(edges, snapshot.ips, params)
    links = weighted_links(edges, objects, accts.ids)
    links = _cleared_by_false_positives(snapshot, accts, links, params.cleared_object_share)
    links = links[~links["account_id"].isin(accts.blocked)]
    return _Objects(edges, families, objects, links)


def _candidate_pairs(
    obj: _Objects, n: int, params: DetectParams
) -> tuple[pd.DataFrame, np.ndarray, dict[str, sparse.csr_matrix]]:
    """Only pairs sharing an allowed object are worth scoring: the tying links, candidates, matrices."""
    links, families = obj.links, obj.families
    if params.prompt_book_content:
        # content ties only through templates that are rare or part of a near-duplicate family (a
        # prompt book), never through popular templates shared with unrelated honest users; those
        # weigh nothing in any family, so they propose no candidate pairs either
        sizes_f = families.groupby("family")["template"].transform("size")
        keep = prompt_book_content(
            links, pd.Index(families.loc[sizes_f >= 2, "template"]), params.rare_template_degree
        )
        tied = tie_links(links, keep)
    else:
        tied = links
    cand = candidate_pairs(tied, params)
    mats = family_matrices(tied, n)
    return tied, cand, mats


def _regrowth(snapshot: Snapshot, accts: _Accounts, tied: pd.DataFrame, params: DetectParams) -> _Regrowth:
    """Pairs weigh enforcement regrowth and timing: per-account regrowth and hour signatures."""
    ids, acc = accts.ids, accts.acc
    n = len(ids)
    seeds = seed_accounts(acc, _confirmed_members(snapshot))
    # born on banned infrastructure through the same links that may tie two accounts: a popular
    # template some banned worker sent as camouflage is no more an inherited prompt book than it is
    # a shared one (with every link, honest proxy customers reached two families: proxy egress
    # plus a handful of popular templates, summed over hundreds of banned accounts)
    regrow = regrowth_scores(tied, acc, seeds, params.family_min, params.regrowth_min_families).set_index(
        "account_id"
    )
    is_seed = ids.isin(seeds["account_id"])
    regrow_v = regrow["regrowth"].reindex(ids).fillna(0.0).to_numpy(float)
    hours = acc["active_hours"].tolist()
    sig = hour_minhash(hours, params.minhash_size, params.seed)
    n_hours = np.fromiter((len(h) for h in hours), dtype=np.int64, count=n)
    span = hour_span(hours) if params.timing_beyond_chance else 0
    return _Regrowth(seeds, regrow, is_seed, regrow_v, sig, n_hours, span)


def _pair_evidence(
    tied: pd.DataFrame,
    cand: np.ndarray,
    n: int,
    mats: dict[str, sparse.csr_matrix],
    rg: _Regrowth,
    params: DetectParams,
) -> pd.DataFrame:
    """Only pairs with several kinds of evidence may cluster; scored in chunks to bound memory."""
    # per-family evidence of the candidate pairs, chunk by chunk: only the kept pairs (a few per
    # cent) are ever held, never every candidate's columns
    sig, n_hours, span, is_seed, regrow_v = rg.sig, rg.n_hours, rg.span, rg.is_seed, rg.regrow_v
    thresholds = {f: (params.sync_min if f == "timing" else params.family_min) for f in PAIR_FAMILIES}
    kept_parts: list[pd.DataFrame] = []
    for start, stop in chunk_bounds(len(cand), PAIR_CHUNK):
        pairs = shared_infrastructure(tied, cand[start:stop], n, mats)
        pairs.index = pd.RangeIndex(start, stop)
        a, b = pairs["a"].to_numpy(np.int64), pairs["b"].to_numpy(np.int64)
        jac = excess_hour_jaccard(pair_hour_jaccard(sig, a, b), n_hours[a], n_hours[b], span)
        pairs["hour_jaccard"] = np.where(
            np.minimum(n_hours[a], n_hours[b]) >= params.min_sync_hours, jac, 0.0
        )
        pairs["timing"] = np.where(pairs["hour_jaccard"] >= params.sync_min, pairs["hour_jaccard"], 0.0)
        pairs["enforcement"] = (
            (is_seed[a] & (regrow_v[b] >= params.family_min))
            | (is_seed[b] & (regrow_v[a] >= params.family_min))
        ).astype(float)
        n_fam = sum((pairs[f] >= thresholds[f]).astype(int) for f in PAIR_FAMILIES)
        pairs["families"] = n_fam
        kept_parts.append(
            pairs[(n_fam >= params.min_pair_families) | (pairs["content"] >= params.strong_content)].copy()
        )
        del pairs
    return pd.concat(kept_parts) if kept_parts else pd.DataFrame()


def _cluster_pairs(kept: pd.DataFrame, ids: pd.Index, obj: _Objects, params: DetectParams) -> _Clusters:
    """Clusters of the kept pairs, judged by their core so periphery cannot inflate them."""
    n = len(ids)
    kept["weight"] = sum(kept[f].clip(upper=1.0) for f in PAIR_FAMILIES)
    labels, components = cluster_accounts(n, kept, params)
    component_of = pd.Series(components, index=ids)
    families = obj.families
    template_family = families.set_index("template")["family"] if len(families) else pd.Series(dtype=object)
    users_of = obj.objects.set_index(["kind", "object_id"])["degree"]
    # judge each cluster by its core; periphery accounts go back only if they run the core's book
    if params.core_share > 0 and len(kept):
        pair_rows = kept[["a", "b"]].to_numpy(np.int64)
        labels = _split_and_reattach(
            labels,
            split_periphery(labels, pair_rows, params.core_share),
            obj.edges,
            ids,
            component_of,
            template_family,
            params,
            users_of,
        )
    lab = pd.Series(labels, index=np.arange(n))
    sizes_all = lab[lab >= 0].value_counts()
    big = sizes_all[sizes_all >= params.min_cluster_size]
    lab = lab.where(lab.isin(big.index), -1)
    in_cluster = lab[lab >= 0]
    cluster_of = pd.Series(in_cluster.to_numpy(), index=ids[in_cluster.index])
    sizes = in_cluster.value_counts().sort_index()
    return _Clusters(lab, component_of, template_family, users_of, in_cluster, cluster_of, sizes)


def _cluster_features(
    snapshot: Snapshot,
    accts: _Accounts,
    obj: _Objects,
    kept: pd.DataFrame,
    cl: _Clusters,
    rg: _Regrowth,
    params: DetectParams,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Scoring judges clusters, not pairs: per-cluster features, the member frame, owned templates."""
    edges, acc, cluster_of, sizes, regrow = obj.edges, accts.acc, cl.cluster_of, cl.sizes, rg.regrow
    feats = pd.DataFrame({"size": sizes})
    feats = feats.join(family_shares(kept, cl.lab, params))
    content = content_features(edges, cluster_of, cl.component_of, sizes, params, cl.users_of)
    owned = content.attrs["owned_templates"]
    feats = feats.join(content)
    feats = feats.join(infra_details(snapshot, edges, cluster_of, sizes, params))
    feats = feats.join(
        cluster_pivots(edges, snapshot.models, cluster_of, sizes, params.pivot_window_s, snapshot.as_of)
    )
    seed_set = set(rg.seeds["account_id"])
    member_frame = pd.DataFrame({"account_id": cluster_of.index, "cluster": cluster_of.to_numpy()})
    member_frame["seed"] = member_frame["account_id"].isin(seed_set)
    member_frame["regrowth"] = member_frame["account_id"].map(regrow["regrowth"]).fillna(0.0)
    member_frame["seeds"] = member_frame["account_id"].map(regrow["seeds"]).fillna(0)
    member_frame["regrown"] = member_frame["regrowth"] >= params.family_min
    enf = member_frame.groupby("cluster").agg(banned=("seed", "sum"), regrown=("regrown", "sum"))
    feats = feats.join(enf)
    feats["enforcement_share"] = (feats["banned"] + feats["regrown"]) / feats["size"]
    feats = feats.join(defence_features(member_frame, acc, snapshot.as_of))
    feats["output_ratio"] = output_ratio(acc, cluster_of).reindex(feats.index).fillna(0.0)
    feats["member_volume"] = member_volume(acc, cluster_of).reindex(feats.index).fillna(0.0)
    feats["personal_share"] = personal_share(edges, cluster_of, cl.users_of).reindex(feats.index)
    return feats, member_frame, owned


def _dense_block_shares(
    feats: pd.DataFrame, ids: pd.Index, obj: _Objects, cl: _Clusters, params: DetectParams
) -> pd.DataFrame:
    """Dense blocks (FRAUDAR) catch camouflaged rings: sets ``feats["dense_share"]``; account content."""
    edges, links, in_cluster, sizes = obj.edges, obj.links, cl.in_cluster, cl.sizes
    feats["dense_share"] = 0.0
    cand_clusters = sizes[sizes >= params.min_flag_size].index
    rows_in = in_cluster[in_cluster.isin(cand_clusters)].index.to_numpy()
    if len(rows_in):
        acc_content = account_content(edges, params.cot_capabilities)
        dl = links[links["kind"].isin(DENSE_KINDS) & links["row"].isin(rows_in)]
        r_codes, r_names = pd.factorize(dl["row"])
        c_codes, _ = pd.factorize(dl["object_key"])
        mat = sparse.csr_matrix(
            (np.ones(len(dl)), (r_codes, c_codes)),
            shape=(len(r_names), int(c_codes.max()) + 1 if len(c_codes) else 1),
        )
        prior = (
            acc_content["cot_share"].reindex(ids[np.asarray(r_names, dtype=np.int64)]).fillna(0.0).to_numpy()
        )
        blocks = dense_blocks(mat, prior, params.dense_blocks, params.dense_min_rows)
        if len(blocks):
            block_rows = np.asarray(r_names, dtype=np.int64)[blocks["row"].to_numpy()]
            in_block = pd.Series(1.0, index=block_rows)
            share = in_block.groupby(in_cluster.reindex(block_rows).to_numpy()).sum() / sizes
            feats["dense_share"] = share.reindex(feats.index).fillna(0.0)
    else:
        acc_content = account_content(edges, params.cot_capabilities)
    return acc_content


def _score_and_triage(
    snapshot: Snapshot,
    accts: _Accounts,
    feats: pd.DataFrame,
    member_frame: pd.DataFrame,
    params: DetectParams,
) -> pd.DataFrame:
    """Flag decisions: scores, identity carried from the last run, and analyst allowlists applied."""
    scores = score_clusters(feats, params)
    feats = feats.join(scores)
    feats["creation_window_h"] = params.creation_window_s / 3600.0
    feats["pivot_window_h"] = params.pivot_window_s / 3600.0
    ident = match_clusters(
        member_frame[["account_id", "cluster"]],
        snapshot.previous_members,
        accts.acc,
        params.identity_min_overlap,
    ).set_index("cluster")
    feats = feats.join(ident)
    allow = set(
        snapshot.previous_clusters.loc[
            snapshot.previous_clusters["triage_label"].isin(DO_NOT_FLAG), "cluster_id"
        ].astype(str)
    )
    feats["allowlisted"] = feats["cluster_id"].isin(allow)
    feats["evidence"] = [cluster_evidence(row) for _, row in feats.iterrows()]
    feats.loc[feats["allowlisted"], "evidence"] = feats.loc[feats["allowlisted"], "evidence"].map(
        lambda ev: ["allowlisted by an analyst: not flagged", *ev]
    )
    feats["flagged"] = feats["flagged"] & ~feats["allowlisted"]
    return feats


def _campaigns(
    feats: pd.DataFrame, members: pd.DataFrame, kept: pd.DataFrame, obj: _Objects, cl: _Clusters
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One operator often runs several clusters: group them into campaigns by ties and templates."""
    cross = _cross_ties(kept, cl.lab, feats)
    common = _common_templates(obj.edges, cl.cluster_of, cl.sizes, feats)
    camp = group_campaigns(feats[["cluster_id", "size", "flagged"]], cross, common)
    feats = feats.merge(camp, on="cluster_id", how="left")
    campaigns = _campaign_table(feats, members)
    members = members.merge(feats[["cluster_id", "campaign_id"]], on="cluster_id", how="left")
    return feats, members, campaigns


def _result(
    feats: pd.DataFrame,
    members: pd.DataFrame,
    campaigns: pd.DataFrame,
    kept: pd.DataFrame,
    ids: pd.Index,
    params: DetectParams,
    timer: _Timer,
) -> DetectionResult:
    """The tables the writer stores: clusters, members, flagged accounts, campaigns, kept pairs."""
    clusters = _cluster_table(feats)
    flagged = members[members["flagged"]]
    accounts_out = (
        flagged.sort_values("score", ascending=False)
        .drop_duplicates("account_id")[["account_id", "cluster_id", "campaign_id", "score", "reasons"]]
        .rename(columns={"score": "risk_score", "reasons": "risk_reasons"})
        .reset_index(drop=True)
    )
    pairs_out = kept[["a", "b", "weight", *PAIR_FAMILIES, "hour_jaccard"]].copy()
    pairs_out["account_a"] = ids[pairs_out["a"].to_numpy()]
    pairs_out["account_b"] = ids[pairs_out["b"].to_numpy()]
    return DetectionResult(clusters, members, accounts_out, campaigns, pairs_out, params, timer.times)


def _members(
    member_frame: pd.DataFrame,
    kept: pd.DataFrame,
    lab: pd.Series,
    feats: pd.DataFrame,
    owned: pd.DataFrame,
    edges: pd.DataFrame,
    acc_content: pd.DataFrame,
    params: DetectParams,
    blocked: set[str],
    seed_set: set[str],
    template_family: pd.Series,
) -> pd.DataFrame:
    """Per membership: the account's own ties, reasons, score and whether it is flagged."""
    la = lab.reindex(kept["a"]).to_numpy()
    lb = lab.reindex(kept["b"]).to_numpy()
    inside = kept[(la == lb) & (la >= 0)]
    ends = pd.concat([inside.assign(row=inside["a"]), inside.assign(row=inside["b"])])
    ties = ends.groupby("row").size()
    fam_flags = {
        f: ends[ends[f] >= (params.sync_min if f == "timing" else params.family_min)].groupby("row").size()
        for f in PAIR_FAMILIES
    }
    mf = member_frame.copy()
    row_of = lab.index[lab >= 0]
    row_by_account = pd.Series(row_of, index=mf["account_id"].to_numpy()) if len(row_of) == len(mf) else None
    rows = mf["account_id"].map(row_by_account) if row_by_account is not None else None
    mf["ties"] = rows.map(ties).fillna(0).astype(int) if rows is not None else 0
    mf["families"] = [
        [f for f in PAIR_FAMILIES if r in fam_flags[f].index] for r in (rows if rows is not None else [])
    ]
    # share of the account's templated requests on its cluster's prompt book: the templates the
    # cluster owns, and the templates of near-duplicate families it owns (paraphrases)
    tpl, on = _on_prompt_book(edges, mf.set_index("account_id")["cluster"], owned, template_family)
    tot = tpl.groupby("account_id")["requests"].sum()
    mine = tpl[on].groupby("account_id")["requests"].sum()
    mf["owned_template_share"] = mf["account_id"].map((mine / tot.replace(0, np.nan)).fillna(0.0)).fillna(0.0)
    mf["cot_share"] = mf["account_id"].map(acc_content["cot_share"]).fillna(0.0)
    mf["cap_requests"] = mf["account_id"].map(acc_content["cap_requests"]).fillna(0.0)
    mf["focus"] = focus(mf["account_id"].map(acc_content["cap_entropy"])).fillna(0.0)
    mf["banned"] = mf["account_id"].isin(seed_set)
    # the ties of each cluster's best-tied members (90th percentile): the yardstick of the core rules
    mf["core_ties"] = _core_ties(mf)
    info = feats.set_index(feats.index)[
        ["cluster_id", "score", "flagged", "shared_templates", "shared_families", "s_focus"]
    ]
    mf = mf.join(info, on="cluster")
    has_owned = _has_prompt_book(mf, tpl[on], tpl, params)
    coordinated = mf["families"].map(lambda fs: bool({"payment", "client"} & set(fs)))
    # membership needs the account's own evidence, not just its place in the component: it works
    # from the cluster's prompt book (a real share of its templated requests), or it was born on
    # banned infrastructure, or it shares a card or client with members *and* uses the prompt
    # book at least sometimes (a shared popular SDK fingerprint plus popular templates is what an
    # honest user of the same tools looks like)
    share = mf["owned_template_share"]
    eligible = mf["flagged"].astype(bool) & ~mf["account_id"].isin(blocked)
    own_evidence = (
        (share >= params.member_template_share)
        | (coordinated & (share >= params.member_coordinated_share))
        | (mf["regrowth"] >= params.family_min)
        | (~has_owned & _own_coordination(mf, params))
    )
    # a flagged cluster in which none of those rules holds for anyone is judged by its core
    nobody = ~(eligible & own_evidence).groupby(mf["cluster"]).transform("any")
    mf["flagged"] = eligible & (
        own_evidence | (nobody & _core_member(mf, params)) | _focused_core_member(mf, has_owned, params)
    )
    n_fams = mf["families"].map(len)
    mf["score"] = np.round(mf["score"] * (0.6 + 0.4 * np.minimum(1.0, n_fams / 3.0)), 4)
    mf.loc[~mf["flagged"], "score"] = np.minimum(
        mf.loc[~mf["flagged"], "score"], params.flag_threshold * 0.66
    )
    mf["reasons"] = [member_reasons(r) for _, r in mf.iterrows()]
    return mf[["account_id", "cluster_id", "score", "reasons", "flagged", "families", "ties"]]


def _core_ties(mf: pd.DataFrame) -> pd.Series:
    """The ties of each cluster's best-tied members (90th percentile), the core rules' yardstick:
    ``_members`` computes it once per run; a frame without it gets it computed here."""
    if "core_ties" in mf:
        return mf["core_ties"]
    return mf.groupby("cluster")["ties"].transform(lambda t: t.quantile(0.9))


def _core_member(mf: pd.DataFrame, params: DetectParams) -> pd.Series:
    """Members at the core of their cluster: content ties and one more family, and at least
    ``member_core_dense_ties`` of the ties of its best-tied members. An honest account hanging on a
    campaign has a tie or two; a worker of a clique is tied to most of its fellow workers by the
    prompts they share. Without content (a reseller's always-on hours on its own network) it is
    not a member's evidence of harvesting. Used only in a flagged cluster where no member has the
    evidence of the other rules (a clique on popular templates at one schedule: development random
    world 18); where some do, the hubs it would add are shared services (a reseller the campaign
    routes through, random world 10)."""
    fams = mf["families"].map(set)
    content = fams.map(lambda fs: "content" in fs and len(fs) >= 2)
    return content & (mf["ties"] >= params.member_core_dense_ties * _core_ties(mf)) & (mf["ties"] >= 2)


def _focused_core_member(mf: pd.DataFrame, has_owned: pd.Series, params: DetectParams) -> pd.Series:
    """Members of a cluster without a prompt book but flagged on a narrow capability mix, at its
    core by infrastructure and timing, whose own traffic has that narrow mix: two families, at
    least ``member_core_dense_ties`` of its best-tied members' ties, and its own focus past the
    focus ramp over at least ``member_focus_min_requests`` classified requests.

    Without request templates (a provider that keeps only capability labels, or none) a worker
    has no content tie to show, and the three-family rule left a flagged campaign's members
    unflagged (development random world 114: 57 of 58). An honest hub the campaign routes through
    (a reseller, a shared egress) asks for everything and fails the focus; an honest individual
    with a handful of requests fails the volume."""
    fams = mf["families"].map(len)
    return (
        ~has_owned
        & (mf["s_focus"] >= params.strong)
        & (fams >= 2)
        & (mf["ties"] >= params.member_core_dense_ties * _core_ties(mf))
        & (mf["ties"] >= 2)
        & (mf["focus"] >= params.focus_ramp[1])
        & (mf["cap_requests"] >= params.member_focus_min_requests)
    )


def _own_coordination(mf: pd.DataFrame, params: DetectParams) -> pd.Series:
    """Members of a cluster without a prompt book flagged on their own ties: at least
    ``member_min_families`` independent families among them, and at least
    ``member_core_ties`` of the ties its best-tied members have (the cluster's 90th percentile).

    A campaign that paraphrases owns no templates, and judging every member by the cluster
    flagged the crowd that hangs on it: honest individuals tied by one or two chance pairs of
    long-tail templates (random world 0: 442 of them on an 85-worker clique, median 2 ties and
    one family, against the workers' 76-120 ties in four to six families).
    """
    n_fams = mf["families"].map(len)
    return (n_fams >= params.member_min_families) & (mf["ties"] >= params.member_core_ties * _core_ties(mf))


def _on_prompt_book(
    edges: pd.DataFrame, cluster_of: pd.Series, owned: pd.DataFrame, template_family: pd.Series
) -> tuple[pd.DataFrame, np.ndarray]:
    """The template edges of accounts in ``cluster_of`` (with ``cluster`` and ``family`` columns)
    and, per edge, whether the template is on that cluster's prompt book: a template the cluster
    owns, or a member of a near-duplicate family it owns (paraphrases)."""
    tpl = edges[edges["kind"] == "template"]
    tpl = tpl.assign(cluster=tpl["account_id"].map(cluster_of)).dropna(subset=["cluster"])
    tpl["cluster"] = tpl["cluster"].astype(np.int64)
    family = tpl["object_id"].map(template_family).astype(object)
    tpl["family"] = family.where(family.notna(), tpl["object_id"])
    owned_plain = owned[owned["kind"] == "template"]
    fam_owned = owned[owned["kind"] == "template_family"]
    on = pd.MultiIndex.from_frame(tpl[["cluster", "object_id"]]).isin(
        pd.MultiIndex.from_frame(owned_plain[["cluster", "object_id"]])
    ) | pd.MultiIndex.from_frame(tpl[["cluster", "family"]]).isin(
        pd.MultiIndex.from_frame(fam_owned[["cluster", "object_id"]])
    )
    return tpl, np.asarray(on, dtype=bool)


def _split_and_reattach(
    labels: np.ndarray,
    split: np.ndarray,
    edges: pd.DataFrame,
    ids: pd.Index,
    component_of: pd.Series,
    template_family: pd.Series,
    params: DetectParams,
    users_of: pd.Series | None = None,
) -> np.ndarray:
    """Cluster labels after the core/periphery split (``split``: ``split_periphery`` of
    ``labels``), with each periphery account that runs its core's prompt book given back to it.

    Why: a worker with one or two ties (a low-volume or late account) sits in its campaign's
    periphery with the honest leaves; cut off, it fell in a periphery cluster too small to flag
    (proxy_mixing, low_and_slow). Its own traffic says where it belongs: at least
    ``member_template_share`` of its templated requests on the templates its core owns (the same
    test membership applies). An honest leaf's traffic is its own, so it stays out; the core's
    book is computed from the core alone, so leaves cannot make their popular templates "owned".
    """
    moved = (split != labels) & (labels >= 0)
    if not moved.any():
        return split
    core = np.where(moved, -1, split)
    in_core = core >= 0
    core_of = pd.Series(core[in_core], index=ids[in_core])
    sizes = core_of.value_counts().sort_index()
    owned = content_features(edges, core_of, component_of, sizes, params, users_of).attrs["owned_templates"]
    home_of = pd.Series(labels[moved], index=ids[moved])
    tpl, on = _on_prompt_book(edges, home_of, owned, template_family)
    tot = tpl.groupby("account_id")["requests"].sum()
    mine = tpl[on].groupby("account_id")["requests"].sum().reindex(tot.index).fillna(0.0)
    runs_book = (mine / tot.replace(0, np.nan)).fillna(0.0) >= params.member_template_share
    back = ids.get_indexer(pd.Index(runs_book.index[runs_book.to_numpy(bool)]))
    out = split.copy()
    out[back] = labels[back]
    return out


def _has_prompt_book(
    mf: pd.DataFrame, on_book: pd.DataFrame, tpl: pd.DataFrame, params: DetectParams
) -> pd.Series:
    """Per membership: whether its cluster has a prompt book to judge members by — owned templates
    or families that carry at least ``member_template_share`` of the members' templated requests.

    A campaign that paraphrases every prompt spreads its book over thousands of templates, each
    sent by a few workers (and, with random paraphrase choice, in no near-duplicate family): none
    reaches 20 % of the members, or a handful do by chance when Leiden cuts the campaign into
    smaller clusters (``paraphrase`` seed 2). Judged on those few templates every worker's share
    was ~2 % and the whole campaign went unflagged. A "book" that carries almost none of the
    cluster's traffic is chance, not a book: such a cluster is treated like one that owns none."""
    owned_any = (mf["shared_templates"] + mf["shared_families"]) > 0
    carried = on_book.groupby("cluster")["requests"].sum() / tpl.groupby("cluster")["requests"].sum()
    share = mf["cluster"].map(carried).fillna(0.0)
    return owned_any & (share >= params.member_template_share)


def _cross_ties(kept: pd.DataFrame, lab: pd.Series, feats: pd.DataFrame) -> pd.DataFrame:
    la = lab.reindex(kept["a"]).to_numpy()
    lb = lab.reindex(kept["b"]).to_numpy()
    mask = (la != lb) & (la >= 0) & (lb >= 0)
    cid = feats["cluster_id"]
    frame = pd.DataFrame({"x": np.minimum(la[mask], lb[mask]), "y": np.maximum(la[mask], lb[mask])})
    ties = frame.groupby(["x", "y"]).size().rename("ties").reset_index()
    ties["cluster_a"] = ties["x"].map(cid)
    ties["cluster_b"] = ties["y"].map(cid)
    return ties[["cluster_a", "cluster_b", "ties"]]


def _common_templates(
    edges: pd.DataFrame, cluster_of: pd.Series, sizes: pd.Series, feats: pd.DataFrame
) -> dict[str, set[str]]:
    flagged = feats.index[feats["flagged"]]
    tpl = edges[edges["kind"].isin(["template", "template_family"])]
    tpl = tpl.assign(cluster=tpl["account_id"].map(cluster_of)).dropna(subset=["cluster"])
    tpl = tpl[tpl["cluster"].isin(flagged)]
    if tpl.empty:  # no request content (e.g. payment data only): no common templates to share
        return {}
    users = tpl.groupby(["cluster", "object_id"])["account_id"].nunique().reset_index()
    cluster_size = users["cluster"].map(sizes).astype(float)
    users = users[users["account_id"] >= np.maximum(2, 0.2 * cluster_size)]
    out: dict[str, set[str]] = {}
    for c, group in users.groupby("cluster"):
        out[str(feats["cluster_id"].get(c))] = set(group["object_id"])
    return out


def _campaign_table(feats: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    flagged = feats[feats["flagged"] & feats["campaign_id"].notna()]
    flagged_members = members[members["flagged"]]
    rows = []
    for cid, group in flagged.groupby("campaign_id"):
        accounts = int(flagged_members["cluster_id"].isin(group["cluster_id"]).sum())
        reasons = sorted({r for r in group["reason"] if r})
        top = group["top_capability"].mode()
        rows.append(
            {
                "campaign_id": cid,
                "name": f"{top.iloc[0] if len(top) else 'mixed'} campaign of {accounts} accounts",
                "score": float(group["score"].max()),
                "accounts": accounts,
                "clusters": sorted(group["cluster_id"]),
                "evidence": (
                    [f"{len(group)} clusters grouped: " + "; ".join(reasons)]
                    if len(group) > 1
                    else ["one cluster"]
                ),
            }
        )
    return pd.DataFrame(rows, columns=["campaign_id", "name", "score", "accounts", "clusters", "evidence"])


SIGNAL_COLUMNS = (
    "org_share",
    "median_age_days",
    "tie_payment",
    "tie_network",
    "tie_client",
    "tie_identity",
    "tie_content",
    "tie_timing",
    "tie_enforcement",
    "hour_jaccard",
    "focus",
    "cot_share",
    "template_members",
    "template_requests",
    "shared_templates",
    "shared_families",
    "creation_burst",
    "enforcement_share",
    "dense_share",
    "pivot_early_share",
    "pivot_traffic_share",
    "proxy_share",
    "datacenter_share",
    "requests",
    "output_ratio",
    "member_volume",
    "personal_share",
    "org_share",
    "median_age_days",
)


# The cluster table's columns (plus "signals", the JSON of every signal), in one place for the
# normal and the empty result.
CLUSTER_COLUMNS = (
    "cluster_id",
    "score",
    "size",
    "flagged",
    "evidence",
    "lifecycle",
    "campaign_id",
    "kinds",
    "pivot_model",
    "s_pivot",
    "matched_from",
)


def _cluster_table(feats: pd.DataFrame) -> pd.DataFrame:
    strengths = [c for c in feats.columns if c.startswith("s_")]

    def signals(row: pd.Series) -> str:
        values = {c: row[c] for c in (*SIGNAL_COLUMNS, *strengths) if c in row.index}
        values["pivot_model"] = row.get("pivot_model")
        values["kinds"] = row["kinds"]
        return json.dumps(
            {
                k: (
                    None
                    if isinstance(v, float) and not np.isfinite(v)
                    else (round(float(v), 4) if isinstance(v, (int, float, np.number)) else v)
                )
                for k, v in values.items()
            },
            default=str,
        )

    out = feats[list(CLUSTER_COLUMNS)].copy()
    out["signals"] = [signals(r) for _, r in feats.iterrows()]
    out["size"] = out["size"].astype(int)
    return out.sort_values(["flagged", "score"], ascending=[False, False]).reset_index(drop=True)


def _empty_result(params: DetectParams, kept: pd.DataFrame, timer: _Timer) -> DetectionResult:
    clusters = pd.DataFrame(columns=[*CLUSTER_COLUMNS, "signals"])
    members = pd.DataFrame(
        columns=["account_id", "cluster_id", "score", "reasons", "flagged", "families", "ties", "campaign_id"]
    )
    accounts = pd.DataFrame(columns=["account_id", "cluster_id", "campaign_id", "risk_score", "risk_reasons"])
    campaigns = pd.DataFrame(columns=["campaign_id", "name", "score", "accounts", "clusters", "evidence"])
    pairs = kept.reindex(columns=["a", "b", "weight", *FAMILIES])
    return DetectionResult(clusters, members, accounts, campaigns, pairs, params, timer.times)
