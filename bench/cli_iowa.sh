#!/usr/bin/env bash
# Whole-process timing of `canvass tabulate` on a full Iowa 2020 release (load, check, tabulate,
# print JSON), as a user runs it. Prints the median of N runs in milliseconds.
#   bench/cli_iowa.sh [runs]      (default 21; needs build/canvass from scripts/setup)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
d=data/iowa-2020
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  build/canvass tabulate --rules iowa-dem-2020 --results $d/results-first-complete-2020-02-08-long.csv \
    --apportionment $d/apportionment.csv --districts $d/county-congressional-district.csv --json >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "canvass tabulate, Iowa 2020 release, whole process: median ${median} us over ${runs} runs"
