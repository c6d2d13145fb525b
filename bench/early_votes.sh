#!/usr/bin/env bash
# Whole-process timing of Nevada's early-vote cards onto a ledger: about 75,000 synthetic ranked
# cards (one in six void) over the real 2,088-precinct apportionment (../shared/data/nevada-2020),
# loaded by `canvass early-votes load` into a freshly set up election, loaded again (every
# precinct unchanged), then `canvass ledger verify`. Deterministic cards (seeded).
#   bench/early_votes.sh [build dir]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/canvass
apportionment=../shared/data/nevada-2020/precinct-delegate-apportionment.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$apportionment" "$work/cards.csv" <<'PY'
import csv, random, sys
random.seed(2020)
rows = list(csv.DictReader(open(sys.argv[1])))
names = ["Biden", "Bloomberg", "Buttigieg", "Klobuchar", "Sanders", "Steyer", "Warren", "Uncommitted"]
weights = [18, 2, 17, 10, 34, 8, 12, 1]
dems = [max(1, int(r["democrats_in_precinct"] or 1)) for r in rows]
total = sum(dems)
n = 0
with open(sys.argv[2], "w") as out:
    out.write("county,precinct,card,choice1,choice2,choice3,choice4,choice5\n")
    for r, d in zip(rows, dems):
        for _ in range(round(75000 * d / total)):
            pool, w, choices = names[:], weights[:], []
            for _ in range(random.choice([2, 3, 3, 3, 4, 5])):  # 2: void, too few
                c = random.choices(pool, w)[0]
                choices.append(c)
                if random.random() > 0.01:  # 1%: the same name again (void)
                    i = pool.index(c)
                    pool.pop(i), w.pop(i)
            out.write(f"{r['county']},{r['precinct']},EV-{n:06d}," + ",".join(choices + [""] * (5 - len(choices))) + "\n")
            n += 1
PY
candidates=()
for c in Biden Bloomberg Buttigieg Klobuchar Sanders Steyer Warren Uncommitted; do
  candidates+=(--candidate "$c")
done
"$bin" init --store "$work/nv.db" --rules nevada-dem-2020 --apportionment "$apportionment" \
  "${candidates[@]}" --fast-kdf --codes-out "$work/codes.csv" >/dev/null
timed() {
  local start end
  start=$(date +%s%N)
  "$@" | tail -n 1
  end=$(date +%s%N)
  echo "  $(( (end - start) / 1000000 )) ms"
}
echo "canvass early-votes load (first time):"
timed "$bin" early-votes load --store "$work/nv.db" --file "$work/cards.csv"
echo "canvass early-votes load (the same file again):"
timed "$bin" early-votes load --store "$work/nv.db" --file "$work/cards.csv"
echo "canvass ledger verify:"
timed "$bin" ledger verify --store "$work/nv.db"
