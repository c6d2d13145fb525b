#!/usr/bin/env bash
# The whole chair flow at scale (docs/performance.md, "Rehearsals"): `canvass rehearse
# --simulate N --compress max` at 1x, 10x and 100x Iowa's 1,765 precincts. Each chair logs in,
# reports the first and final alignments, settles ties, attaches a photo and confirms, with the
# default mistakes on; then one release (manual policy, asked for at the end) and the
# reconciliation. Prints each run's report lines and the server's peak RSS (VmHWM). With
# --publish each-report, a release follows every report as the server can, and the run also
# prints the report -> release latency of every figure event, read from the ledger
# (bench/report_latency.py). Builds nothing.
#
#   bench/rehearse_scale.sh [--build DIR] [--sizes "1765 17650 176500"] [--workers W] [--attack]
#                           [--publish manual|each-report|interval:N]
#
# The codes use the cheapest Argon2id (--fast-kdf) so that setting up 176,500 chairs takes
# seconds, not minutes; the login figures are therefore lower than with the server's cost
# (1 MiB, t=2), which the 1x Iowa rehearsal without --fast-kdf measures (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=build
sizes="1765 17650 176500"
workers=64
attack=()
publish=manual
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --attack) attack=(--attack); shift ;;
    --publish) publish=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--sizes \"N ...\"] [--workers W] [--attack] [--publish P]" >&2
       exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
canvass="$build/canvass"
[ -x "$canvass" ] || { echo "rehearse_scale: $canvass is missing (run scripts/setup)" >&2; exit 2; }

work=$(mktemp -d /tmp/canvass-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem/ {print $2}') GiB"
overall=0
for n in $sizes; do
  echo "== $n precincts ($((n * 100 / 1765))% of Iowa's count), --workers $workers --publish $publish ${attack[*]}"
  status=0
  "$canvass" rehearse --simulate "$n" --seed 1 --compress max --fast-kdf --publish "$publish" \
    --workers "$workers" --give-up 600 --dir "$work/night-$n" --json "$work/report-$n.json" \
    "${attack[@]}" >"$work/out-$n.txt" 2>&1 || status=$?
  sed -n '/^step/,/^$/p' "$work/out-$n.txt"
  grep -E '^[0-9]+ requests|^Last report|^Published|^Server peak|^Set up|^Reconciliation|^RESULT|^Attack|^  (flood|malformed|oversized|slowloris|guess|reader|subscriber) ' \
    "$work/out-$n.txt" || tail -20 "$work/out-$n.txt"
  python3 - "$work/report-$n.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["seconds"]
print(f"  whole chair flow: {r['driven']} precincts in {s:.1f} s = {r['driven'] / s:.0f} precincts/s, "
      f"{r['requests'] / s:.0f} requests/s")
EOF
  if [ "$publish" != manual ] && [ -f "$work/night-$n/canvass.db" ]; then
    "$canvass" ledger export --store "$work/night-$n/canvass.db" >"$work/ledger-$n.jsonl" &&
      python3 bench/report_latency.py "$work/ledger-$n.jsonl" | sed 's/^/  /'
  fi
  [ "$status" = 0 ] || overall=1
done
exit "$overall"
