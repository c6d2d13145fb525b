#!/usr/bin/env bash
# Time from an accepted report to a release that contains it, with automatic publication (the
# each-report policy), at Iowa scale (docs/performance.md, "Publication"). Builds nothing: it
# needs <build>/canvass, <build>/bench/canvass_release_latency and <build>/bench/release_bench.
#
#   bench/release_latency.sh [--build DIR] [--rate R] [--limit N]
#
#   --build DIR  the build directory (default build; a Release build for figures)
#   --rate R     reports per second, steady (default 50)
#   --limit N    precincts replayed, first then final alignment (default 0: all 1,765)
#
# On 127.0.0.1 only, in a temporary directory removed on exit, every step under a timeout:
#   1. `canvass init --demo --fast-kdf` (the real Iowa 2020 election and its signing key);
#   2. `canvass serve --no-rate-limits` on a free loopback port;
#   3. canvass_release_latency: the policy set to each-report as the administrator, then the
#      party's first-complete precinct reports replayed through the API as each precinct's chair
#      while an event-stream subscriber notes when each release arrives; p50/p99/max latency;
#   4. the release build time alone: release_bench's BM_IowaRelease (all 1,765 precincts in).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=build
rate=50
limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--rate R] [--limit N]" >&2; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
canvass="$build/canvass"
tool="$build/bench/canvass_release_latency"
release_bench="$build/bench/release_bench"
for f in "$canvass" "$tool"; do
  [ -x "$f" ] || { echo "release_latency: $f is missing (build it, or pass --build)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/canvass-release-latency.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
timeout 120 "$canvass" init --demo --fast-kdf --store "$work/iowa.db" \
  --codes-out "$work/codes.csv" >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }

"$canvass" serve --store "$work/iowa.db" --address 127.0.0.1 --port 0 \
  --port-file "$work/port" --no-rate-limits --fast-kdf >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/port" ] || { echo "release_latency: the server did not start" >&2; exit 1; }
port=$(cat "$work/port")

echo "== report -> release latency, each-report policy, $rate reports/s"
rc=0
timeout 900 "$tool" --port "$port" --codes "$work/codes.csv" --rate "$rate" --limit "$limit" || rc=$?
if [ "$rc" != 0 ]; then
  echo "release_latency: the replay failed ($rc); the server's log ends:" >&2
  tail -n 20 "$work/serve.log" >&2
fi

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

if [ -x "$release_bench" ]; then
  echo "== release build time (BuildRelease, all 1,765 precincts reported)"
  timeout 300 "$release_bench" --benchmark_filter='BM_IowaRelease$' --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true
fi
exit "$rc"
