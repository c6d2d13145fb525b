#!/usr/bin/env python3
"""Materiality of every precinct of an Iowa 2020 release, computed without the engine.

An independent check of src/audit/materiality.cc (docs/audit.md, "Reproducing the figures"):
it reads the party's long CSV and data/iowa-2020/apportionment.csv with nothing but the Python
standard library and exact fractions, allocates the six national pools by DNC Rule 14 (15%
threshold, largest remainder), builds the linear assertions of ../shared/spec/audits.md 2.3,
computes each precinct's bound u_p and, where u_p >= 1, searches the smallest change confined to
the precinct (k county delegates moved from one candidate to another, or all of its delegates to
one candidate) that changes a national delegate.

    python3 tests/audit/materiality_iowa.py data/iowa-2020/results-certified-2020-04-07-long.csv \
        data/iowa-2020/apportionment.csv [--json]

Prints the counts and the smallest changes; --json prints every precinct.
"""
import csv
import html
import json
import sys
from decimal import Decimal
from fractions import Fraction

TAU = Fraction(3, 20)
POOLS = [("CD1", "1", 7), ("CD2", "2", 7), ("CD3", "3", 8), ("CD4", "4", 5),
         ("At-large", None, 9), ("PLEO", None, 5)]
SAT_BRACKETS = [(20, 4), (40, 5), (60, 6), (80, 7), (100, 8)]  # iowa-dem-2020.toml; 101+: 9
PLACES = Fraction(1, 10000)


def norm(s):
    return " ".join(html.unescape(html.unescape(s)).split())


def round4(x):
    # half up, x >= 0
    q = x / PLACES
    n = q.numerator // q.denominator
    if q - n >= Fraction(1, 2):
        n += 1
    return n * PLACES


def allocate(votes, size):
    """DNC allocation with exact shares. Returns (seats, tied) per candidate list."""
    total = sum(votes)
    qual = [total > 0 and v >= TAU * total for v in votes]
    y = sum(v for v, q in zip(votes, qual) if q)
    seats = [0] * len(votes)
    if y == 0:
        return tuple(seats), False
    quotas = [size * v / y if q else Fraction(0) for v, q in zip(votes, qual)]
    for i, q in enumerate(quotas):
        seats[i] = q.numerator // q.denominator
    left = size - sum(seats)
    rem = sorted(((quotas[i] - seats[i], i) for i in range(len(votes)) if qual[i]), reverse=True)
    tied = left > 0 and left < len(rem) and rem[left - 1][0] == rem[left][0]
    for _, i in rem[:left]:
        seats[i] += 1
    return tuple(seats), tied


def main():
    results, apportionment = sys.argv[1], sys.argv[2]
    want_json = "--json" in sys.argv
    ap = {}
    with open(apportionment, newline="") as f:
        for r in csv.DictReader(f):
            ap[(r["county"], r["precinct"])] = r
    sde, first = {}, {}
    cands = []
    with open(results, newline="") as f:
        for r in csv.DictReader(f):
            if r["precinct"] in ("Total", "Total_recalc"):
                continue
            key = (norm(r["county"]), norm(r["precinct"]))
            c = r["candidate"]
            if c not in cands:
                cands.append(c)
            if r["measure"] == "sde":
                sde.setdefault(key, {})[c] = round4(Fraction(Decimal(r["value"])))
            elif r["measure"] == "expression_1":
                first.setdefault(key, {})[c] = int(r["value"])
    n = len(cands)
    prec = []
    for key, v in sde.items():
        a = ap[key]
        s = [v.get(c, Fraction(0)) for c in cands]
        if a["satellite"] == "1":
            att = sum(first[key].values())
            d_total = next((d for hi, d in SAT_BRACKETS if att <= hi), 9)
            site = Fraction(Decimal(a["site_sde"]))
            per = site / d_total
        else:
            d_total = int(a["delegates"])
            per = Fraction(a["sde_per_delegate"])
        cap = per * d_total
        dels = [round(x / per) if per else 0 for x in s]
        prec.append(dict(key=key, s=s, district=a["district"] or None, D=d_total, per=per,
                         S=cap, dels=dels))

    def totals(vectors):
        state = [Fraction(0)] * n
        dist = {d: [Fraction(0)] * n for _, d, _ in POOLS if d}
        for p in vectors:
            for c in range(n):
                state[c] += p["s"][c]
                if p["district"]:
                    dist[p["district"]][c] += p["s"][c]
        return state, dist

    state, dist = totals(prec)

    def pool_votes(name, d, st, di):
        return di[d] if d else st

    outcome = {name: allocate(pool_votes(name, d, state, dist), size) for name, d, size in POOLS}
    national = [sum(outcome[p][0][c] for p, _, _ in POOLS) for c in range(n)]

    # Assertions: (pool, district, weights, G).
    assertions = []
    for name, d, size in POOLS:
        x = pool_votes(name, d, state, dist)
        total = sum(x)
        seats, _ = outcome[name]
        viable = [v >= TAU * total for v in x]
        for c in range(n):
            if viable[c]:
                w = [-TAU] * n
                w[c] = 1 - TAU
            else:
                w = [TAU] * n
                w[c] = TAU - 1
            assertions.append((name, d, w, f"{name}: {cands[c]} {'viable' if viable[c] else 'not viable'}"))
        for a in range(n):
            for b in range(n):
                if a == b or not (viable[a] and viable[b]):
                    continue
                k = 1 - seats[a] + seats[b]
                w = [Fraction(k) if viable[c] else Fraction(0) for c in range(n)]
                w[a] = Fraction(size + k)
                w[b] = Fraction(-size + k)
                assertions.append((name, d, w, f"{name}: {cands[a]} {seats[a]} against {cands[b]} {seats[b]}"))
    margins = []
    for name, d, w, label in assertions:
        x = pool_votes(name, d, state, dist)
        margins.append(sum(wc * xc for wc, xc in zip(w, x)))
    assert all(g > 0 for g in margins), "an assertion fails on the reported outcome"

    def changed(p, new_s):
        st = list(state)
        di = {k: list(v) for k, v in dist.items()}
        for c in range(n):
            delta = new_s[c] - p["s"][c]
            st[c] += delta
            if p["district"]:
                di[p["district"]][c] += delta
        for name, d, size in POOLS:
            seats, tied = allocate(pool_votes(name, d, st, di), size)
            if tied or seats != outcome[name][0]:
                return name, seats, tied
        return None

    def new_vector(p, dels):
        s = list(p["s"])
        for c in range(n):
            if dels[c] != p["dels"][c]:
                s[c] = round4(p["per"] * dels[c])
        return s

    out = []
    bounded = 0
    for p in prec:
        best = Fraction(-1)
        for (name, d, w, label), g in zip(assertions, margins):
            if d and d != p["district"]:
                continue
            wmin = min(Fraction(0), min(w))
            u = (sum(wc * sc for wc, sc in zip(w, p["s"])) - p["S"] * wmin) / g
            if u > best:
                best = u
        rec = dict(county=p["key"][0], precinct=p["key"][1], u=float(best), change=None)
        if best >= 1:
            bounded += 1
            found = None
            moves = []
            for a in range(n):
                for b in range(n):
                    if a != b:
                        for k in range(1, p["dels"][a] + 1):
                            moves.append((k, a, b))
            for b in range(n):
                moves.append((p["D"] - p["dels"][b], None, b))
            moves.sort(key=lambda m: (m[0], m[1] is None))
            for k, a, b in moves:
                if k <= 0:
                    continue
                dels = list(p["dels"])
                if a is None:
                    dels = [0] * n
                    dels[b] = p["D"]
                else:
                    dels[a] -= k
                    dels[b] += k
                ch = changed(p, new_vector(p, dels))
                if ch:
                    found = dict(moved=k, source=cands[a] if a is not None else "all",
                                 to=cands[b], pool=ch[0], tie=ch[2],
                                 sde=float(sum(abs(x - y) for x, y in zip(new_vector(p, dels), p["s"])) / 2))
                    break
            rec["change"] = found
        out.append(rec)
    material = [r for r in out if r["change"]]
    pair = [r for r in material if r["change"]["source"] != "all"]
    if want_json:
        json.dump(out, sys.stdout, indent=1)
        return
    print("national:", {cands[c]: national[c] for c in range(n) if national[c]})
    print(f"precincts {len(out)}, u_p >= 1: {bounded}, confirmed: {len(material)} "
          f"({len(pair)} by moving delegates between two candidates, "
          f"{len(material) - len(pair)} only by all delegates to one)")
    smallest = min((r["change"]["sde"] for r in material), default=None)
    print("smallest SDE moved:", smallest)
    for r in material:
        if abs(r["change"]["sde"] - smallest) < 1e-9:
            print("  ", r["county"], r["precinct"], r["change"])
    fewest = min(r["change"]["moved"] for r in material)
    print("fewest delegates moved:", fewest,
          sum(1 for r in material if r["change"]["moved"] == fewest), "precincts")


if __name__ == "__main__":
    main()
