"""Arrow tables in the data contract (and the truth, which only evaluation reads).

Column names and types are declared once, in :mod:`hydrascope.contract`; :data:`SCHEMAS` is
generated from it, every table is built to it and the tests check files against the contract.
Strings are produced for whole columns at once; request chunks use dictionary-encoded columns
whose dictionaries hold only the values present in the chunk.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hydrascope.contract import LOGIN_KINDS, PAYMENT_KINDS, TIMESTAMP, arrow_schemas
from hydrascope.simulate.config import (
    CAPABILITIES,
    MODEL_RELEASES_MS,
    MODELS,
    NEVER_MS,
    ROLES,
    TIERS,
    WINDOW_END_MS,
    WINDOW_START_MS,
)
from hydrascope.simulate.events import Chunk, campaign_template
from hydrascope.simulate.ids import (
    TAG_FINGERPRINT,
    TAG_INSTRUMENT,
    TAG_KEY,
    TAG_ORG,
    TAG_SERVICE,
    ipv4_strings,
    ipv6_strings,
    padded_ids,
    tagged,
    tokens,
)
from hydrascope.simulate.infra import COUNTRY_CODES
from hydrascope.simulate.world import BAN_ACTIONS, BAN_REASONS, World

TS = TIMESTAMP
STR = pa.string()

SCHEMAS: dict[str, pa.Schema] = arrow_schemas()
"""Every table's Arrow schema, truth included, generated from :mod:`hydrascope.contract`."""


def _ts(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(values, dtype=np.int64), mask=null).cast(TS)
    return arr


def _take(strings: pa.Array, idx: np.ndarray) -> pa.Array:
    """Strings by index; negative index -> null."""
    idx = np.asarray(idx, dtype=np.int64)
    return strings.take(pa.array(idx, mask=idx < 0))


def _dict(idx: np.ndarray, strings: pa.Array) -> pa.DictionaryArray:
    """A dictionary column holding only the values present, in order of first appearance
    (hash-based, so a chunk of millions of rows costs one pass, not a sort)."""
    enc = pa.array(idx).dictionary_encode()
    return pa.DictionaryArray.from_arrays(enc.indices, strings.take(enc.dictionary))


class Strings:
    """Global identifier columns of a world, built once and indexed by every table."""

    def __init__(self, w: World) -> None:
        n = w.n_accounts
        width = max(6, len(str(max(n - 1, 0))))
        self.account = padded_ids("acct_", w.account_number, width)
        v6 = w.ips["v6"]
        ips = np.empty(v6.size, dtype=object)
        ip4 = ipv4_strings(w.ips["value"][~v6]).to_numpy(zero_copy_only=False)
        ips[~v6] = ip4
        if v6.any():
            ips[v6] = ipv6_strings(w.ips["value"][v6]).to_numpy(zero_copy_only=False)
        self.ip = pa.array(ips, type=STR)
        self.key = tokens("key_", tagged(TAG_KEY, np.arange(w.keys["acct"].size), w.salt))
        self.fp = tokens("fp_", tagged(TAG_FINGERPRINT, np.arange(w.n_fps), w.salt))
        self.instrument = tokens("pm_", tagged(TAG_INSTRUMENT, np.arange(w.instruments["kind"].size), w.salt))
        self.service = tokens("svc_", tagged(TAG_SERVICE, np.arange(len(w.services)), w.salt), 12)
        self.org = tokens("org_", tagged(TAG_ORG, np.arange(len(w.orgs)), w.salt), 12)
        self.models = pa.array(MODELS, type=STR)
        self.caps = pa.array(CAPABILITIES, type=STR)
        self.campaign = pa.array([c.campaign_id for c in w.campaigns], type=STR)


def _status(w: World) -> np.ndarray:
    a = w.accounts
    banned = a["ban_ms"] < WINDOW_END_MS
    status = np.where(a["closed"], "closed", "active").astype(object)
    status[banned] = np.array(BAN_ACTIONS, dtype=object)[a["ban_action"][banned]]
    status[banned & (status == "ban")] = "banned"
    status[banned & (status == "suspend")] = "suspended"
    return status


def accounts_table(w: World, s: Strings) -> pa.Table:
    a = w.accounts
    domains = pa.array(w.domains, type=STR).take(pa.array(a["domain"].astype(np.int64)))
    local = pc.binary_join_element_wise(pa.scalar("user"), pa.array(w.email_number).cast(STR), "")
    email = pc.binary_join_element_wise(local, domains, "@")
    tbl = pa.table(
        {
            "account_id": s.account,
            "created_at": _ts(a["created"]),
            "email": email,
            "org_id": _take(s.org, a["org"]),
            "declared_country": pa.array(np.array(COUNTRY_CODES)[a["country"]], type=STR),
            "tier": pa.array(np.array(TIERS)[a["tier"]], type=STR),
            "status": pa.array(_status(w), type=STR),
        },
        schema=SCHEMAS["accounts"],
    )
    return tbl.take(pa.array(np.argsort(w.account_number)))


def payments_table(w: World, s: Strings) -> pa.Table:
    p = w.payments
    order = np.lexsort((p["first_seen"], p["instr"], p["acct"]))
    acct, instr, first = p["acct"][order], p["instr"][order], p["first_seen"][order]
    keep = np.ones(acct.size, dtype=bool)
    keep[1:] = (acct[1:] != acct[:-1]) | (instr[1:] != instr[:-1])
    acct, instr, first = acct[keep], instr[keep], first[keep]
    o = np.lexsort((instr, w.account_number[acct]))
    acct, instr, first = acct[o], instr[o], first[o]
    ins = w.instruments
    bins = pa.array(ins["bin"][instr]).cast(STR)
    return pa.table(
        {
            "account_id": s.account.take(pa.array(acct)),
            "instrument_id": s.instrument.take(pa.array(instr)),
            "kind": pa.array(np.array(PAYMENT_KINDS)[ins["kind"][instr]], type=STR),
            "bin": bins,
            "issuer_country": pa.array(np.array(COUNTRY_CODES)[ins["country"][instr]], type=STR),
            "first_seen": _ts(first),
        },
        schema=SCHEMAS["payment_methods"],
    )


def keys_table(w: World, s: Strings) -> pa.Table:
    k = w.keys
    o = np.lexsort((k["created"], w.account_number[k["acct"]]))
    revoked = k["revoked"][o]
    return pa.table(
        {
            "key_id": s.key.take(pa.array(o)),
            "account_id": s.account.take(pa.array(k["acct"][o])),
            "created_at": _ts(k["created"][o]),
            "revoked_at": _ts(revoked, revoked >= NEVER_MS),
        },
        schema=SCHEMAS["api_keys"],
    )


def used_ips(w: World, logins: dict[str, np.ndarray]) -> np.ndarray:
    ips = np.concatenate([w.ip_pool, logins["ip"]])
    return np.unique(ips[ips >= 0])


def ip_intel_table(w: World, s: Strings, ips: np.ndarray) -> pa.Table:
    asn_idx = w.ips["asn"][ips]
    asns = w.asns
    return pa.table(
        {
            "ip": s.ip.take(pa.array(ips)),
            "asn": pa.array(np.array([a.asn for a in asns], dtype=np.int64)[asn_idx]),
            "as_org": pa.array(np.array([a.org for a in asns], dtype=object)[asn_idx], type=STR),
            "country": pa.array(np.array([a.country for a in asns], dtype=object)[asn_idx], type=STR),
            "is_datacenter": pa.array(w.ips["dc"][ips]),
            "is_vpn": pa.array(w.ips["vpn"][ips]),
            "proxy_service": _take(s.service, w.ips["svc"][ips]),
        },
        schema=SCHEMAS["ip_intel"],
    )


def services_table(w: World, s: Strings) -> pa.Table:
    return pa.table(
        {
            "service_id": s.service,
            "name": pa.array([n for n, _ in w.services], type=STR),
            "kind": pa.array([k for _, k in w.services], type=STR),
        },
        schema=SCHEMAS["proxy_services"],
    )


def build_logins(w: World) -> dict[str, np.ndarray]:
    """Signups, console sessions and key creations, from each account's own addresses — or, for
    some hydra accounts, from the operator's machine that provisions them."""
    rng = np.random.default_rng([w.seed, 7])
    a, st = w.accounts, w.streams
    n = w.n_accounts
    first = np.full(n, -1, dtype=np.int64)
    idx = np.arange(st["acct"].size)[::-1]
    first[st["acct"][idx]] = idx  # earliest stream of each account wins
    has = first >= 0

    def from_pool(acct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f = first[acct]
        ip = w.ip_pool[st["ip_off"][f] + (st["ip_cnt"][f] * rng.random(acct.size) ** 2).astype(np.int64)]
        fp = w.fp_pool[st["fp_off"][f] + (st["fp_cnt"][f] * rng.random(acct.size) ** 2).astype(np.int64)]
        prov = (a["prov_ip"][acct] >= 0) & (rng.random(acct.size) < a["prov_share"][acct])
        return np.where(prov, a["prov_ip"][acct], ip), np.where(prov, a["prov_fp"][acct], fp)

    parts = []
    su = np.flatnonzero(has)
    ip, fp = from_pool(su)
    parts.append((a["created"][su], su, ip, fp, np.zeros(su.size, np.int64)))
    k_acct = w.keys["acct"]
    kk = np.flatnonzero(has[k_acct])
    ip, fp = from_pool(k_acct[kk])
    parts.append((w.keys["created"][kk], k_acct[kk], ip, fp, np.full(kk.size, 2)))
    lo = np.maximum(a["created"], WINDOW_START_MS)
    hi = np.minimum(a["ban_ms"], WINDOW_END_MS)
    days = np.maximum(hi - lo, 0) / 86_400_000
    cnt = np.where(has, rng.poisson(a["console_rate"] * days / 30.0 * 2), 0)
    ca = np.repeat(np.arange(n), cnt)
    t = lo[ca] + (rng.random(ca.size) * (hi[ca] - lo[ca])).astype(np.int64)
    ip, fp = from_pool(ca)
    fp = np.where(rng.random(ca.size) < 0.3, -1, fp)
    parts.append((t, ca, ip, fp, np.ones(ca.size, np.int64)))
    x = w.extra_logins
    parts.append((x["ts"], x["acct"], x["ip"], x["fp"], x["kind"].astype(np.int64)))
    ts, acct, ip, fp, kind = (np.concatenate([p[i] for p in parts]) for i in range(5))
    keep = ts < WINDOW_END_MS
    ts, acct, ip, fp, kind = ts[keep], acct[keep], ip[keep], fp[keep], kind[keep]
    o = np.lexsort((kind, w.account_number[acct], ts))
    return {"ts": ts[o], "acct": acct[o], "ip": ip[o], "fp": fp[o], "kind": kind[o]}


def logins_table(logins: dict[str, np.ndarray], s: Strings) -> pa.Table:
    return pa.table(
        {
            "ts": _ts(logins["ts"]),
            "account_id": s.account.take(pa.array(logins["acct"])),
            "ip": _take(s.ip, logins["ip"]),
            "client_fingerprint": _take(s.fp, logins["fp"]),
            "kind": pa.array(np.array(LOGIN_KINDS)[logins["kind"]], type=STR),
        },
        schema=SCHEMAS["logins"],
    )


def enforcement_table(w: World, s: Strings) -> pa.Table:
    a = w.accounts
    sel = np.flatnonzero(a["ban_ms"] < WINDOW_END_MS)
    sel = sel[np.lexsort((w.account_number[sel], a["ban_ms"][sel]))]
    return pa.table(
        {
            "account_id": s.account.take(pa.array(sel)),
            "action": pa.array(np.array(BAN_ACTIONS)[a["ban_action"][sel]], type=STR),
            "ts": _ts(a["ban_ms"][sel]),
            "reason": pa.array(np.array(BAN_REASONS)[a["ban_reason"][sel]], type=STR),
        },
        schema=SCHEMAS["enforcement"],
    )


def releases_table() -> pa.Table:
    return pa.table(
        {"model": pa.array(MODELS, type=STR), "released_at": _ts(np.array(MODEL_RELEASES_MS))},
        schema=SCHEMAS["model_releases"],
    )


def requests_table(c: Chunk, s: Strings) -> pa.Table:
    tpl = pa.array(c.template).dictionary_encode()
    return pa.table(
        {
            "ts": _ts(c.ts),
            "account_id": _dict(c.acct, s.account),
            "ip": _dict(c.ip, s.ip),
            "key_id": _dict(c.key, s.key),
            "client_fingerprint": _dict(c.fp, s.fp),
            "model": pa.DictionaryArray.from_arrays(pa.array(c.model.astype(np.int32)), s.models),
            "capability": pa.DictionaryArray.from_arrays(pa.array(c.cap.astype(np.int32)), s.caps),
            "prompt_template": pa.DictionaryArray.from_arrays(
                tpl.indices, tokens("tpl_", tpl.dictionary.to_numpy())
            ),
            "input_tokens": pa.array(c.input_tokens),
            "output_tokens": pa.array(c.output_tokens),
        }
    )


def truth_accounts_table(w: World, s: Strings) -> pa.Table:
    a = w.accounts
    o = np.argsort(w.account_number)
    return pa.table(
        {
            "account_id": s.account.take(pa.array(o)),
            "campaign_id": _take(s.campaign, a["campaign"][o].astype(np.int64)),
            "role": pa.array(np.array(ROLES)[a["role"][o]], type=STR),
            "exchanges": pa.array(w.exchanges_per_account()[o]),
        },
        schema=SCHEMAS["truth/accounts"],
    )


def truth_campaigns_table(w: World, s: Strings) -> pa.Table:
    ex = w.exchanges_per_account()
    camp = w.accounts["campaign"]
    return pa.table(
        {
            "campaign_id": s.campaign,
            "name": pa.array([c.name for c in w.campaigns], type=STR),
            "strategy": pa.array([c.strategy for c in w.campaigns], type=STR),
            "start": _ts(np.array([c.start_ms for c in w.campaigns], dtype=np.int64)),
            "end": _ts(np.array([c.end_ms for c in w.campaigns], dtype=np.int64)),
            "accounts": pa.array([int((camp == c.index).sum()) for c in w.campaigns], type=pa.int64()),
            "exchanges": pa.array([int(ex[camp == c.index].sum()) for c in w.campaigns], type=pa.int64()),
            "proxy_service": _take(
                s.service, np.array([c.proxy_service for c in w.campaigns], dtype=np.int64)
            ),
        },
        schema=SCHEMAS["truth/campaigns"],
    )


def truth_templates_table(w: World) -> pa.Table:
    """Every skeleton a campaign can send, with its hidden family (paraphrases share one)."""
    rows: dict[str, list[pa.Array]] = {
        "prompt_template": [],
        "campaign_id": [],
        "family": [],
        "capability": [],
    }
    for c in w.campaigns:
        caps = np.unique(c.cap_slots.astype(np.int64))
        cap, fam, para = (
            x.ravel()
            for x in np.meshgrid(caps, np.arange(c.families), np.arange(c.paraphrases), indexing="ij")
        )
        hashes = campaign_template(c.index, cap, fam, para)
        cap_names = np.array(CAPABILITIES, dtype=object)[cap]
        family = [
            f"{c.campaign_id}/{cn}/{f:03d}" for cn, f in zip(cap_names.tolist(), fam.tolist(), strict=True)
        ]
        rows["prompt_template"].append(tokens("tpl_", hashes))
        rows["campaign_id"].append(pa.array([c.campaign_id] * cap.size, type=STR))
        rows["family"].append(pa.array(family, type=STR))
        rows["capability"].append(pa.array(cap_names, type=STR))
    cols = {k: pa.concat_arrays(v) if v else pa.array([], type=STR) for k, v in rows.items()}
    return pa.table(cols, schema=SCHEMAS["truth/templates"])
