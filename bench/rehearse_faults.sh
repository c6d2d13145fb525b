#!/usr/bin/env bash
# The fault runs of docs/reliability.md: a rehearsal of the Iowa 2020 night (`canvass rehearse
# --url`, every kind of chair mistake on) while the servers under it are killed and restarted.
# The rehearsal retries every submission by its id until it is acknowledged, then waits for the
# release covering the last one and reconciles it and the whole ledger with what was
# acknowledged; its exit status says whether that held. Builds nothing: needs <build>/canvass.
#
#   bench/rehearse_faults.sh [--build DIR] [--compress X] [--kills N] [--no-pg] [--no-kill]
#
#   --build DIR   the build directory (default build)
#   --compress X  how much faster than the real evening (default 120: about two minutes)
#   --kills N     SIGKILLs of the SQLite server, at random moments 2 to 7 s apart (default 20)
#   --no-kill     skip the SQLite run
#   --no-pg       skip the PostgreSQL run
#
# 1. SQLite: one `canvass serve`; SIGKILL at random moments, restarted on the same port each
#    time. Afterwards `canvass ledger verify`.
# 2. PostgreSQL (inside pg_virtualenv, a throwaway cluster): two `canvass serve` nodes on one
#    database; a third of the way in, node A is killed (SIGKILL) and stays down; two thirds of
#    the way, PostgreSQL itself is restarted under the load. Afterwards `canvass ledger verify`.
# Everything on 127.0.0.1 in a temporary directory; the processes it starts are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=build
compress=120
kills=20
do_kill=1
pg=1
pg_part=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --no-kill) do_kill=0; shift ;;
    --no-pg) pg=0; shift ;;
    --pg-part) pg_part=1; work=$2; shift 2 ;;  # internal: step 2, inside pg_virtualenv
    *) echo "usage: $0 [--build DIR] [--compress X] [--kills N] [--no-kill] [--no-pg]" >&2; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
canvass="$build/canvass"
[ -x "$canvass" ] || { echo "rehearse_faults: $canvass is missing (run scripts/setup)" >&2; exit 2; }
results="$root/data/iowa-2020/results-first-complete-2020-02-08-long.csv"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$pg_part" = 0 ] && [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# serve NAME PORT STORE [options]: starts `canvass serve`; sets $server_pid and $port.
serve() {
  local name=$1 want=$2 store=$3
  shift 3
  rm -f "$work/$name.port"
  "$canvass" serve --store "$store" --address 127.0.0.1 --port "$want" \
    --port-file "$work/$name.port" --fast-kdf --session-key-file "$work/session.key" "$@" \
    >>"$work/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 600); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { tail -5 "$work/$name.log" >&2; return 1; }
    sleep 0.05
  done
  [ -s "$work/$name.port" ] || { echo "rehearse_faults: $name did not start" >&2; return 1; }
  port=$(cat "$work/$name.port")
}

# summary REPORT.json: the lines of the rehearsal report that matter here.
summary() {
  python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
rec = r.get("reconciliation") or {}
print(f"  ok: {r['ok']}; precincts {r['driven']}; requests {r['requests']}; "
      f"submissions never acknowledged {r['submissions_lost']}")
print(f"  reconciliation: {rec.get('matched')} equal, {rec.get('differing')} differing, "
      f"{rec.get('missing')} missing, {rec.get('extra')} extra; acknowledged on the ledger "
      f"{rec.get('acks_found')}/{rec.get('acks')}, written twice {rec.get('written_twice')}; "
      f"chain {'verified' if rec.get('chain_ok') else 'NOT verified'} ({rec.get('events')} events)")
for name in ("first", "final", "confirm"):
    s = r["steps"].get(name)
    if s:
        print(f"  {name}: {s['count']} settled, {s['first_try']} at the first attempt, "
              f"p50 {s['p50_us']/1000:.1f} ms, p99 {s['p99_us']/1000:.1f} ms, max {s['max_us']/1000:.1f} ms")
errors = r.get("errors", {})
print("  failed attempts (retried): " + (", ".join(f"{k} x{v}" for k, v in sorted(errors.items())) or "none"))
print(f"  published: {r['seconds_to_published']:.1f} s after the start, "
      f"{r['last_report_to_release']:.2f} s after the last report")
EOF
}

if [ "$pg_part" = 1 ]; then
  # Inside pg_virtualenv: PGHOST, PGPORT, PGUSER, PGPASSWORD and PGVERSION name its cluster.
  store="host=$PGHOST port=$PGPORT dbname=canvass_faults user=$PGUSER password=$PGPASSWORD"
  createdb canvass_faults
  "$canvass" init --demo --fast-kdf --store "$store" --codes-out "$work/pg-codes.csv" \
    --signing-key-file "$work/pg.sign" >/dev/null
  serve node-a 0 "$store" --signing-key-file "$work/pg.sign"
  pid_a=$server_pid port_a=$port
  serve node-b 0 "$store" --signing-key-file "$work/pg.sign"
  port_b=$port
  echo "== PostgreSQL: two nodes (ports $port_a, $port_b) on one database; rehearsal at ${compress}x"
  span=$((14400 / compress))  # the evening's length in seconds, compressed
  "$canvass" rehearse --url "http://127.0.0.1:$port_a" --url "http://127.0.0.1:$port_b" \
    --codes "$work/pg-codes.csv" --results "$results" --compress "$compress" --give-up 300 \
    --json "$work/pg-report.json" >"$work/pg-rehearsal.out" 2>&1 &
  rehearsal=$!
  pids+=("$rehearsal")
  sleep $((span / 3))
  echo "  $(date +%T) SIGKILL node A (pid $pid_a); it stays down"
  kill -9 "$pid_a"
  wait "$pid_a" 2>/dev/null || true
  sleep $((span / 3))
  echo "  $(date +%T) restarting PostgreSQL under the load"
  pg_ctlcluster "$PGVERSION" regress restart
  echo "  $(date +%T) PostgreSQL is back"
  status=0
  wait "$rehearsal" || status=$?
  grep -E '^RESULT' "$work/pg-rehearsal.out" || tail -20 "$work/pg-rehearsal.out"
  summary "$work/pg-report.json"
  echo "  ledger verify: $("$canvass" ledger verify --store "$store" | head -1)"
  exit "$status"
fi

work=$(mktemp -d /tmp/canvass-faults.XXXXXX)
chmod 755 "$work"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
overall=0

if [ "$do_kill" = 1 ]; then
  "$canvass" init --demo --fast-kdf --store "$work/night.db" --codes-out "$work/codes.csv" \
    >/dev/null
  serve sqlite 0 "$work/night.db"
  fixed=$port
  echo "== SQLite: $kills SIGKILLs during a rehearsal at ${compress}x (port $fixed)"
  "$canvass" rehearse --url "http://127.0.0.1:$fixed" --codes "$work/codes.csv" \
    --results "$results" --compress "$compress" --give-up 300 --json "$work/report.json" \
    >"$work/rehearsal.out" 2>&1 &
  rehearsal=$!
  pids+=("$rehearsal")
  done_kills=0
  while [ "$done_kills" -lt "$kills" ] && kill -0 "$rehearsal" 2>/dev/null; do
    sleep "$((2 + RANDOM % 5)).$((RANDOM % 10))"
    kill -0 "$rehearsal" 2>/dev/null || break
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    done_kills=$((done_kills + 1))
    until serve sqlite "$fixed" "$work/night.db"; do sleep 0.2; done
  done
  status=0
  wait "$rehearsal" || status=$?
  echo "  SIGKILLs: $done_kills (each restarted on port $fixed)"
  grep -E '^RESULT' "$work/rehearsal.out" || tail -20 "$work/rehearsal.out"
  summary "$work/report.json"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  echo "  ledger verify: $("$canvass" ledger verify --store "$work/night.db" | head -1)"
  [ "$status" = 0 ] || overall=1
fi

if [ "$pg" = 1 ]; then
  status=0
  pg_virtualenv -t -o max_connections=100 "$0" --pg-part "$work" --build "$build" \
    --compress "$compress" || status=$?
  [ "$status" = 0 ] || overall=1
fi
exit "$overall"
