"""Tiny hand-built worlds for tests, docs and quick experiments (no simulator, no database).

``tiny_world`` holds one hydra cluster and the hard negatives that each look like it on one signal:
a company sharing a card, NAT IPs and a domain; a carrier-grade NAT crowd; VPN users; researchers
sharing benchmark templates and chain-of-thought prompts; honest customers of the hydra's proxy
service; single-account clockwork automation; and independent individuals. Ids say what each
account is (``hydra-``, ``corp-``, ...) so a test can check the answer without a truth table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydrascope.detect.snapshot import Snapshot

T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC
HOUR = 3600.0
DAY = 24 * HOUR
CAPS = (
    "coding",
    "agentic",
    "tool_use",
    "reasoning",
    "cot_elicitation",
    "data_analysis",
    "vision",
    "general",
    "writing",
    "translation",
    "rubric_grading",
    "computer_use",
)


class WorldBuilder:
    """Accumulates accounts and edges; each ``add_*`` call adds one group of accounts."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = np.random.default_rng(seed)
        self.accounts: list[dict] = []
        self.edges: list[dict] = []
        self.ips: list[dict] = []
        self.instruments: list[dict] = []

    def account(
        self,
        account_id: str,
        created: float,
        hours: np.ndarray,
        requests: int,
        status: str = "active",
        banned_at: float | None = None,
        triage: str | None = None,
    ) -> None:
        self.accounts.append(
            {
                "account_id": account_id,
                "created_at": created,
                "status": status,
                "banned_at": banned_at,
                "requests": requests,
                "active_hours": np.unique((T0 // HOUR + hours).astype(np.int64)),
                "triage_label": triage,
            }
        )

    def edge(self, kind: str, account_id: str, obj: str, requests: int, first: float, last: float) -> None:
        self.edges.append(
            {
                "kind": kind,
                "account_id": account_id,
                "object_id": obj,
                "requests": requests,
                "first_seen": first,
                "last_seen": last,
            }
        )

    def ip(self, ip: str, **flags: object) -> str:
        self.ips.append({"ip": ip, **flags})
        return ip

    def content(
        self,
        account_id: str,
        caps: dict[str, int],
        templates: dict[str, int],
        first: float,
        last: float,
        model: str = "model-b",
    ) -> None:
        for cap, n in caps.items():
            if n:
                self.edge("capability", account_id, cap, n, first, last)
        for tpl, n in templates.items():
            if n:
                self.edge("template", account_id, tpl, n, first, last)
        self.edge("model", account_id, model, sum(caps.values()), first, last)

    def diverse_content(self, account_id: str, n_requests: int, first: float, last: float) -> None:
        caps = self.rng.choice(CAPS, size=min(len(CAPS), 5), replace=False)
        counts = self.rng.multinomial(n_requests, np.ones(len(caps)) / len(caps))
        tpls = [f"tpl-pop-{int(i)}" for i in self.rng.zipf(1.6, size=4) % 500]
        tpls += [f"tpl-own-{account_id}-{i}" for i in range(3)]
        tcounts = self.rng.multinomial(n_requests, np.ones(len(tpls)) / len(tpls))
        self.content(
            account_id,
            dict(zip(caps, counts, strict=True)),
            dict(zip(tpls, tcounts, strict=True)),
            first,
            last,
        )

    def office_hours(self) -> np.ndarray:
        days = self.rng.choice(np.arange(21), size=12, replace=False)
        return np.concatenate(
            [d * 24 + self.rng.choice(np.arange(8, 18), size=5, replace=False) for d in days]
        )

    def random_hours(self, k: int = 30) -> np.ndarray:
        return self.rng.choice(np.arange(21 * 24), size=k, replace=False)

    def snapshot(self, **extra: pd.DataFrame) -> Snapshot:
        ips = pd.DataFrame(self.ips)
        if len(ips):
            ips["prefix"] = ips["ip"].map(lambda s: ".".join(s.split(".")[:3]) + ".0/24")
        return Snapshot(
            accounts=pd.DataFrame(self.accounts),
            edges=pd.DataFrame(self.edges),
            ips=ips,
            instruments=pd.DataFrame(self.instruments)
            if self.instruments
            else pd.DataFrame(columns=["instrument_id", "kind", "bin", "first_seen"]),
            models=pd.DataFrame(
                {"model": ["model-b", "model-c"], "released_at": [T0 - 90 * DAY, T0 + 15 * DAY]}
            ),
            **extra,
        )

    # ------------------------------------------------------------------ groups
    def add_hydra(
        self,
        name: str = "hydra",
        n: int = 30,
        banned: int = 2,
        regrown: int = 3,
        camouflage: float = 0.0,
        pivot: bool = False,
        unique_infra: bool = False,
    ) -> None:
        rng = self.rng
        schedule = rng.choice(np.arange(21 * 24), size=60, replace=False)
        templates = [f"tpl-{name}-{i}" for i in range(6)]
        proxy_ips = [
            self.ip(
                f"198.51.100.{10 + i}", is_datacenter=True, proxy_service=f"svc-{name}", proxy_kind="reseller"
            )
            for i in range(6)
        ]
        for i in range(n + regrown):
            aid = f"{name}-{i:03d}"
            is_regrown = i >= n
            created = T0 + (16 * DAY if is_regrown else rng.uniform(0, 1.5 * DAY))
            ban = T0 + 15 * DAY if i < banned else None
            first, last = created + HOUR, (ban or T0 + 21 * DAY)
            hours = np.sort(rng.choice(schedule, size=45, replace=False))
            if is_regrown:
                hours = (
                    np.sort(
                        rng.choice(
                            schedule[schedule > 16 * 24],
                            size=min(10, int((schedule > 16 * 24).sum())),
                            replace=False,
                        )
                    )
                    if (schedule > 16 * 24).any()
                    else hours
                )
            self.account(aid, created, hours, 2000, status="banned" if ban else "active", banned_at=ban)
            if unique_infra:
                card, fp = f"card-{aid}", f"fp-{aid}"
                ips = [self.ip(f"203.0.113.{i % 250}", is_datacenter=False)]
            else:
                src = i % banned if is_regrown and banned else i
                card, fp = f"card-{name}-{src % 3}", f"fp-{name}-{src % 4}"
                ips = [proxy_ips[(src + k) % len(proxy_ips)] for k in range(3)]
            self.edge("card", aid, card, 0, created, created)
            self.edge("fingerprint", aid, fp, 2000, first, last)
            for ip in ips:
                self.edge("ip", aid, ip, 600, first, last)
            self.edge("email_domain", aid, "mailbox.example.com", 0, created, created)
            caps = {"cot_elicitation": 1400, "reasoning": 600}
            tpl = {t: 400 for t in rng.choice(templates, size=5, replace=False)}
            if camouflage:
                extra = int(2000 * camouflage)
                for cap, k in zip(
                    rng.choice(CAPS, 4, replace=False), rng.multinomial(extra, [0.25] * 4), strict=True
                ):
                    caps[str(cap)] = caps.get(str(cap), 0) + int(k)
                for k in rng.zipf(1.6, size=4) % 500:
                    tpl[f"tpl-pop-{int(k)}"] = extra // 4
            self.content(aid, caps, tpl, first, last)
            if pivot:
                self.edge("model", aid, "model-c", 1500, T0 + 15 * DAY + rng.uniform(1, 6) * HOUR, last)

    def add_corporate(self, n: int = 40) -> None:
        nat = [self.ip(f"192.0.2.{i + 1}") for i in range(2)]
        for i in range(n):
            aid = f"corp-{i:03d}"
            created = T0 - self.rng.uniform(30, 700) * DAY
            self.account(aid, created, self.office_hours(), 300)
            self.edge("card", aid, "card-corp", 0, created, created)
            self.edge("email_domain", aid, "corp.example.com", 0, created, created)
            self.edge("fingerprint", aid, "fp-python-sdk", 300, T0, T0 + 20 * DAY)
            for ip in nat:
                self.edge("ip", aid, ip, 150, T0, T0 + 20 * DAY)
            self.diverse_content(aid, 300, T0, T0 + 20 * DAY)

    def add_cgnat(self, n: int = 150) -> None:
        ips = [self.ip(f"100.64.7.{i + 1}", is_cgnat=True, as_org="Mobile Carrier") for i in range(4)]
        for i in range(n):
            aid = f"cgnat-{i:03d}"
            created = T0 - self.rng.uniform(1, 500) * DAY
            self.account(aid, created, self.random_hours(), 100)
            self.edge("card", aid, f"card-{aid}", 0, created, created)
            self.edge("email_domain", aid, "gmail.example.com", 0, created, created)
            for ip in self.rng.choice(ips, 2, replace=False):
                self.edge("ip", aid, str(ip), 50, T0, T0 + 20 * DAY)
            self.diverse_content(aid, 100, T0, T0 + 20 * DAY)

    def add_researchers(self, n: int = 4) -> None:
        for i in range(n):
            aid = f"research-{i:03d}"
            created = T0 - self.rng.uniform(10, 300) * DAY
            self.account(aid, created, np.arange(0, 21 * 24, 6), 5000)
            self.edge("card", aid, f"card-{aid}", 0, created, created)
            self.edge("ip", aid, self.ip(f"203.0.113.{200 + i}", is_datacenter=True), 5000, T0, T0 + 20 * DAY)
            self.content(
                aid,
                {"reasoning": 2500, "cot_elicitation": 2500},
                {f"tpl-bench-{k}": 1000 for k in range(5)},
                T0,
                T0 + 20 * DAY,
            )

    def add_proxy_customers(self, name: str = "hydra", n: int = 20) -> None:
        for i in range(n):
            aid = f"proxycust-{i:03d}"
            created = T0 - self.rng.uniform(1, 300) * DAY
            self.account(aid, created, self.random_hours(), 200)
            self.edge("card", aid, f"card-{aid}", 0, created, created)
            self.edge("fingerprint", aid, f"fp-{aid}", 200, T0, T0 + 20 * DAY)
            self.edge(
                "ip",
                aid,
                self.ip(
                    f"198.51.100.{10 + i % 6}",
                    is_datacenter=True,
                    proxy_service=f"svc-{name}",
                    proxy_kind="reseller",
                ),
                200,
                T0,
                T0 + 20 * DAY,
            )
            self.diverse_content(aid, 200, T0, T0 + 20 * DAY)

    def add_automation(self, n: int = 3) -> None:
        for i in range(n):
            aid = f"auto-{i:03d}"
            self.account(aid, T0 - 100 * DAY, np.arange(21 * 24), 20000)
            self.edge("card", aid, f"card-{aid}", 0, T0 - 100 * DAY, T0 - 100 * DAY)
            self.edge(
                "ip", aid, self.ip(f"203.0.113.{100 + i}", is_datacenter=True), 20000, T0, T0 + 20 * DAY
            )
            self.content(aid, {"data_analysis": 20000}, {f"tpl-auto-{aid}": 20000}, T0, T0 + 20 * DAY)

    def add_individuals(self, n: int = 150) -> None:
        for i in range(n):
            aid = f"indiv-{i:03d}"
            created = T0 - self.rng.uniform(1, 700) * DAY
            self.account(aid, created, self.random_hours(), 80)
            self.edge("card", aid, f"card-{aid}", 0, created, created)
            self.edge("email_domain", aid, "gmail.example.com", 0, created, created)
            self.edge("ip", aid, self.ip(f"192.0.2.{100 + i % 100}"), 80, T0, T0 + 20 * DAY)
            self.diverse_content(aid, 80, T0, T0 + 20 * DAY)


def tiny_world(seed: int = 1, camouflage: float = 0.0, pivot: bool = False) -> Snapshot:
    """One hydra of 30 accounts (2 banned, 3 regrown) among every kind of hard negative."""
    w = WorldBuilder(seed)
    w.add_hydra(camouflage=camouflage, pivot=pivot)
    w.add_corporate()
    w.add_cgnat()
    w.add_researchers()
    w.add_proxy_customers()
    w.add_automation()
    w.add_individuals()
    return w.snapshot()


def card_testing_world(n_honest: int = 400, n_fraud: int = 60, banned: int = 30, seed: int = 0) -> Snapshot:
    """A world for the review tier (payment data only, no request content).

    Honest accounts hold 1-3 cards of their own; fraud accounts cycle through many cards added on
    one day, pairs of them sharing a device; the first ``banned`` fraud accounts are banned."""
    rng = np.random.default_rng(seed)
    rows, edges = [], []
    for i in range(n_honest):
        a = f"h{i:04d}"
        rows.append({"account_id": a, "created_at": T0, "status": "active"})
        for c in range(int(rng.integers(1, 4))):
            edges.append(("card", a, f"hc{i}_{c}", float(rng.integers(0, 300)) * DAY + T0))
        edges.append(("fingerprint", a, f"hd{i}", T0))
    for i in range(n_fraud):
        a = f"f{i:04d}"
        is_banned = i < banned
        rows.append(
            {
                "account_id": a,
                "created_at": T0 + 100 * DAY,
                "status": "banned" if is_banned else "active",
                "banned_at": T0 + 200 * DAY if is_banned else None,
            }
        )
        day = T0 + float(rng.integers(100, 300)) * DAY
        for c in range(int(rng.integers(12, 25))):
            edges.append(("card", a, f"fc{i}_{c}", day))
        edges.append(("fingerprint", a, f"fd{i // 2}", day))  # two fraud accounts per device
    accounts = pd.DataFrame(rows)
    frame = pd.DataFrame(edges, columns=["kind", "account_id", "object_id", "first_seen"])
    frame["requests"] = 0
    frame["last_seen"] = frame["first_seen"]
    return Snapshot(accounts=accounts, edges=frame)
