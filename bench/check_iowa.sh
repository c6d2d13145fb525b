#!/usr/bin/env bash
# Whole-process timing of `canvass check --json` on one Iowa 2020 release, the command of
# docs/findings.md, as a user runs it (docs/performance.md, "Caucus engine").
#   bench/check_iowa.sh [--build DIR] [--runs N] [--binary PATH] [--instructions]
# Prints the median and minimum wall time of N runs (default 31, after 3 warm-up runs) and the
# CPU time the runs took (user + system, from /proc). With --instructions also the instruction
# count under valgrind's callgrind, which does not depend on the machine's load.
# The output must not depend on the build: compare two builds' outputs with `cmp`
# (bench/check_iowa.sh --binary OLD --save old.json; ... --save new.json).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
runs=31
binary=
instructions=0
save=
release=results-first-complete-2020-02-08-long.csv
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --instructions) instructions=1; shift ;;
    --save) save=$2; shift 2 ;;
    --certified) release=results-certified-2020-04-07-long.csv; shift ;;
    *) echo "usage: $0 [--build DIR] [--runs N] [--binary PATH] [--instructions] [--save FILE] [--certified]" >&2; exit 2 ;;
  esac
done
bin=${binary:-$build/canvass}
[ -x "$bin" ] || { echo "$0: no $bin (build it first)" >&2; exit 2; }
d=data/iowa-2020
cmd=("$bin" check --json --rules iowa-dem-2020 --results "$d/$release"
     --apportionment "$d/apportionment.csv" --districts "$d/county-congressional-district.csv")

# Exit code 1 is expected: the release has error findings.
run() { "${cmd[@]}" >"${1:-/dev/null}" || [ $? -eq 1 ]; }

if [ -n "$save" ]; then run "$save"; fi
for _ in 1 2 3; do run; done
ticks=$(getconf CLK_TCK)
cpu_before=$(awk '{print $16 + $17}' /proc/$$/stat)  # children's user + system ticks
times=()
for _ in $(seq "$runs"); do
  start=${EPOCHREALTIME/./}
  run
  end=${EPOCHREALTIME/./}
  times+=($(( end - start )))
done
cpu_after=$(awk '{print $16 + $17}' /proc/$$/stat)
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
min=$(head -1 <<<"$sorted")
cpu_ms=$(( (cpu_after - cpu_before) * 1000 / ticks / runs ))
echo "canvass check --json, Iowa 2020 ($release), whole process, $runs runs:" \
     "median ${median} us, min ${min} us, CPU ${cpu_ms} ms per run (user + system)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
if [ "$instructions" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" "${cmd[@]}" >/dev/null 2>"$out/log" || true
  echo "instructions (callgrind): $(grep -o 'refs: *[0-9,]*' "$out/log" | tr -s ' ' | cut -d' ' -f2)"
fi
