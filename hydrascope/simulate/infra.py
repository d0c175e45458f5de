"""The synthetic internet and payment system that accounts live on.

Autonomous systems (residential ISPs, mobile carriers doing CGNAT, universities, clouds, VPN
hosting), their address blocks, proxy services, card BINs and popular client fingerprints.
Everything honest and adversarial draws from the same catalogue, which is what makes single
signals ambiguous: a campaign's virtual cards come from a fintech BIN that thousands of honest
users also hold, its proxy egress is shared with honest proxy customers, and its SDK fingerprint
may be the most popular one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hydrascope.contract import PAYMENT_KINDS

# (code, weight, utc offset hours) — weights shape the honest population's geography.
COUNTRIES: tuple[tuple[str, float, int], ...] = (
    ("US", 0.30, -6),
    ("IN", 0.08, 5),
    ("GB", 0.06, 0),
    ("DE", 0.06, 1),
    ("BR", 0.05, -3),
    ("FR", 0.04, 1),
    ("CA", 0.04, -5),
    ("JP", 0.04, 9),
    ("KR", 0.03, 9),
    ("SG", 0.02, 8),
    ("AU", 0.03, 10),
    ("NL", 0.02, 1),
    ("ES", 0.03, 1),
    ("PL", 0.02, 1),
    ("ID", 0.03, 7),
    ("MX", 0.03, -6),
    ("NG", 0.02, 1),
    ("TR", 0.02, 3),
    ("VN", 0.02, 7),
    ("PH", 0.02, 8),
    ("IL", 0.02, 2),
    ("SE", 0.02, 1),
)
COUNTRY_CODES = tuple(c for c, _, _ in COUNTRIES)
COUNTRY_WEIGHTS = np.array([w for _, w, _ in COUNTRIES]) / sum(w for _, w, _ in COUNTRIES)
COUNTRY_TZ = np.array([tz for _, _, tz in COUNTRIES], dtype=np.int64)
#: US accounts spread over its time zones (offset added to the country's -6).
US_TZ_SPREAD = (np.array([1, 0, -1, -2]), np.array([0.5, 0.3, 0.05, 0.15]))

FREE_MAIL = (
    "mail.example.net",
    "inbox.example.org",
    "webmail.example.com",
    "post.example.de",
    "mailbox.example.io",
    "correo.example.es",
    "mail.example.jp",
    "posteo.example.eu",
)
FREE_MAIL_WEIGHTS = np.array([0.34, 0.22, 0.14, 0.08, 0.07, 0.06, 0.05, 0.04])

_WORDS_A = (
    "acme",
    "northwind",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "hooli",
    "vandelay",
    "wonka",
    "gringotts",
    "oscorp",
    "aperture",
    "blackmesa",
    "massive",
    "dunder",
    "pied",
    "monarch",
    "krusty",
    "sirius",
    "zenith",
    "quantum",
    "nimbus",
    "lumen",
    "vertex",
    "orbit",
    "cobalt",
    "ember",
    "harbor",
    "summit",
    "atlas",
    "beacon",
    "cedar",
)
_WORDS_B = ("corp", "labs", "systems", "analytics", "works", "digital", "group", "ai", "data", "tech")

ISP_NAMES = ("Broadband", "Telecom", "Cable", "Fiber", "Net", "Connect")
CLOUDS = (
    ("Cumulus Cloud", "US"),
    ("Stratus Compute", "US"),
    ("Nimbo Hosting", "DE"),
    ("Cirrus Platform", "SG"),
    ("Altostratus", "JP"),
    ("Fog Datacenters", "NL"),
)
VPN_HOSTS = (("Bulwark Hosting", "NL"), ("Skyline Servers", "SE"), ("Harbor Colo", "US"))
CARRIERS = (
    ("Example Mobile", "US"),
    ("Sample Wireless", "IN"),
    ("Demo Movel", "BR"),
    ("Placeholder Seluler", "ID"),
    ("Mock Mobile UK", "GB"),
    ("Test Funk", "DE"),
)

ASN_ISP, ASN_MOBILE, ASN_UNIVERSITY, ASN_CLOUD, ASN_HOSTING = range(5)


def company_name(index: int) -> str:
    """Deterministic fictional company names ("acme-labs", "globex-data-3")."""
    a = _WORDS_A[index % len(_WORDS_A)]
    b = _WORDS_B[(index // len(_WORDS_A)) % len(_WORDS_B)]
    n = index // (len(_WORDS_A) * len(_WORDS_B))
    return f"{a}-{b}" + (f"-{n + 1}" if n else "")


@dataclass
class Asn:
    asn: int
    org: str
    country: str
    kind: int
    base: int
    size: int
    used: int = 0
    mult: int = 40503
    shift: int = 17


class Network:
    """Autonomous systems and addresses. Addresses within a block are scattered (an affine
    permutation of the block) so that accounts created one after another do not sit in the
    same /24 — adjacency must not leak creation order or campaign membership."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.asns: list[Asn] = []
        self.ip_value: list[np.ndarray] = []
        self.ip_v6: list[np.ndarray] = []
        self.ip_asn: list[np.ndarray] = []
        self.ip_dc: list[np.ndarray] = []
        self.ip_vpn: list[np.ndarray] = []
        self.ip_svc: list[np.ndarray] = []
        self.n_ips = 0
        self._next_block = 0
        self._next_cgnat = 0
        self.services: list[tuple[str, str]] = []  # (name, kind)
        self.isps: dict[str, list[int]] = {}
        for ci, code in enumerate(COUNTRY_CODES):
            count = 2 if COUNTRY_WEIGHTS[ci] >= 0.05 else 1
            self.isps[code] = [
                self.add_asn(f"{code} {ISP_NAMES[(ci + j * 3) % len(ISP_NAMES)]} {'AB'[j]}", code, ASN_ISP)
                for j in range(count)
            ]
        self.carriers = [self.add_asn(name, cc, ASN_MOBILE) for name, cc in CARRIERS]
        self.clouds = [self.add_asn(name, cc, ASN_CLOUD) for name, cc in CLOUDS]
        self.hosting = [self.add_asn(name, cc, ASN_HOSTING) for name, cc in VPN_HOSTS]

    def add_asn(self, org: str, country: str, kind: int) -> int:
        if kind == ASN_MOBILE:
            base, size = (100 << 24) | ((64 + 4 * self._next_cgnat) << 16), 1 << 18
            self._next_cgnat += 1
        else:
            i = self._next_block
            self._next_block += 1
            first = 20 + i % 80
            first = first + 1 if first >= 100 else first
            base, size = (first << 24) | (((i // 80) * 16) << 16), 1 << 20
        mult = int(self.rng.integers(1, size // 2)) * 2 + 1  # odd: the affine map permutes the block
        self.asns.append(
            Asn(
                64512 + len(self.asns),
                org,
                country,
                kind,
                base,
                size,
                0,
                mult,
                int(self.rng.integers(0, size)),
            )
        )
        return len(self.asns) - 1

    def add_service(self, name: str, kind: str) -> int:
        self.services.append((name, kind))
        return len(self.services) - 1

    def alloc(
        self, asn: int, n: int, *, dc: bool = False, vpn: bool = False, svc: int = -1, v6: bool = False
    ) -> np.ndarray:
        """Allocate ``n`` new addresses in ``asn``; returns their global indices."""
        a = self.asns[asn]
        if v6:
            values = (np.uint64(asn) << np.uint64(48)) | (
                self.rng.integers(1, 2**47, size=n, dtype=np.int64).astype(np.uint64)
            )
        else:
            # Permute the block's usable hosts (.1 to .254 of every /24) so that no two indices
            # share an address: shifting .0/.255 onto a neighbour would collide with it.
            usable = (a.size // 256) * 254
            if a.used + n > usable - usable // 64:
                raise RuntimeError(f"address block of {a.org} exhausted")
            mult = a.mult if a.mult % 127 else a.mult + 2  # coprime with usable = 2 * 127 * 2^k
            k = np.arange(a.used, a.used + n, dtype=np.int64)
            a.used += n
            host = (k * mult + a.shift) % usable
            offset = (host // 254) * 256 + host % 254 + 1
            values = (a.base + offset).astype(np.uint64)
        start = self.n_ips
        self.ip_value.append(values)
        self.ip_v6.append(np.full(n, v6))
        self.ip_asn.append(np.full(n, asn, dtype=np.int32))
        self.ip_dc.append(np.full(n, dc))
        self.ip_vpn.append(np.full(n, vpn))
        self.ip_svc.append(np.full(n, svc, dtype=np.int32))
        self.n_ips += n
        return np.arange(start, start + n, dtype=np.int64)

    def alloc_residential(self, countries: np.ndarray, v6_share: float = 0.0) -> np.ndarray:
        """One home address per entry of ``countries`` (country indices), in a local ISP."""
        out = np.empty(countries.size, dtype=np.int64)
        isp_pick = self.rng.random(countries.size)
        v6 = self.rng.random(countries.size) < v6_share
        for ci in np.unique(countries):
            isps = self.isps[COUNTRY_CODES[ci]]
            for j, asn in enumerate(isps):
                for is6 in (False, True):
                    sel = (countries == ci) & ((isp_pick * len(isps)).astype(int) == j) & (v6 == is6)
                    if sel.any():
                        out[sel] = self.alloc(asn, int(sel.sum()), v6=is6)
        return out

    def finish(self) -> dict[str, np.ndarray]:
        return {
            "value": np.concatenate(self.ip_value),
            "v6": np.concatenate(self.ip_v6),
            "asn": np.concatenate(self.ip_asn),
            "dc": np.concatenate(self.ip_dc),
            "vpn": np.concatenate(self.ip_vpn),
            "svc": np.concatenate(self.ip_svc),
        }


class Payments:
    """Payment instruments (tokens, never PANs) and the BINs they come from."""

    KINDS = PAYMENT_KINDS  # the contract's order: an instrument's kind is an index into it

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        # Bank BINs by country; a few fintech BINs issue virtual cards to honest and hydra alike.
        self.bank_bins = rng.choice(np.arange(400000, 560000), size=(len(COUNTRY_CODES), 12), replace=False)
        self.fintech_bins = rng.choice(np.arange(520000, 540000), size=6, replace=False)
        self.fintech_country = np.array(
            [COUNTRY_CODES.index(c) for c in ("US", "GB", "SG", "US", "NL", "US")]
        )
        self.prepaid_bins = rng.choice(np.arange(430000, 440000), size=8, replace=False)
        self.kind: list[np.ndarray] = []
        self.bin: list[np.ndarray] = []
        self.country: list[np.ndarray] = []
        self.n = 0

    def add(self, kind: np.ndarray, bins: np.ndarray, country: np.ndarray) -> np.ndarray:
        n = len(kind)
        self.kind.append(np.asarray(kind, dtype=np.int8))
        self.bin.append(np.asarray(bins, dtype=np.int64))
        self.country.append(np.asarray(country, dtype=np.int64))
        start = self.n
        self.n += n
        return np.arange(start, start + n, dtype=np.int64)

    def personal(
        self, countries: np.ndarray, virtual_share: float = 0.08, prepaid_share: float = 0.03
    ) -> np.ndarray:
        """One instrument per entry, the way individuals pay: mostly local bank cards."""
        n = countries.size
        u = self.rng.random(n)
        kind = np.where(u < virtual_share, 1, np.where(u < virtual_share + prepaid_share, 2, 0))
        # Bank BINs are heavy-tailed within a country: big banks issue most cards.
        rank = np.minimum((self.rng.pareto(1.2, n)).astype(np.int64), 11)
        bins = self.bank_bins[countries, rank]
        fin = self.rng.integers(0, len(self.fintech_bins), n)
        bins = np.where(kind == 1, self.fintech_bins[fin], bins)
        bins = np.where(kind == 2, self.prepaid_bins[fin % len(self.prepaid_bins)], bins)
        country = np.where(kind == 1, self.fintech_country[fin], countries)
        return self.add(kind, bins, country)

    def finish(self) -> dict[str, np.ndarray]:
        return {
            "kind": np.concatenate(self.kind) if self.kind else np.zeros(0, np.int8),
            "bin": np.concatenate(self.bin) if self.bin else np.zeros(0, np.int64),
            "country": np.concatenate(self.country) if self.country else np.zeros(0, np.int64),
        }
