#!/usr/bin/env bash
# The reporting server's figures (docs/performance.md, "Reporting server"). Builds nothing: it
# needs <build>/canvass and <build>/bench/canvass_load (scripts/setup builds both into build/),
# wrk and nginx (scripts/setup installs them), and for the PostgreSQL part pg_virtualenv.
#
#   bench/server_bench.sh [--build DIR] [--clients N] [--copies K] [--seconds S] [--no-pg]
#
#   --build DIR   the build directory (default build)
#   --clients N   concurrent reporting clients (default 64)
#   --copies K    the synthetic election: K copies of the Iowa apportionment (default 12:
#                 21,180 precincts, 42,360 reports); 0 skips it
#   --seconds S   each wrk run (default 10)
#   --no-pg       skip PostgreSQL
#
# Everything runs on 127.0.0.1 in a temporary directory, every step under a timeout; the servers
# it starts are stopped on exit. Steps:
#   1. Iowa 2020 on SQLite: `canvass init --demo`, `canvass serve`, replay the 1,765 precincts'
#      first and final alignments with canvass_load; the server's peak RSS (VmHWM) after it.
#   2. GET /api/v1/results: the same bytes from canvass and from nginx (a static file), wrk with
#      the same threads, connections and duration against both, three rounds alternating; the
#      ratio of the medians canvass/nginx.
#   3. The synthetic election on SQLite (the throughput figure over tens of thousands of reports).
#   4. Steps 1 and 3 on PostgreSQL, inside pg_virtualenv (a throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=build
clients=64
copies=12
seconds=10
pg=1
pg_part=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --copies) copies=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --no-pg) pg=0; shift ;;
    --pg-part) pg_part=1; work=$2; shift 2 ;;  # internal: step 4, inside pg_virtualenv
    *) echo "usage: $0 [--build DIR] [--clients N] [--copies K] [--seconds S] [--no-pg]" >&2; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
canvass="$build/canvass"
load="$build/bench/canvass_load"
data="$root/data/iowa-2020"
for f in "$canvass" "$load"; do
  [ -x "$f" ] || { echo "server_bench: $f is missing (run scripts/setup, or pass --build)" >&2; exit 2; }
done

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$pg_part" = 0 ] && [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# serve STORE NAME: starts `canvass serve` on a free loopback port; sets $port and $server_pid.
serve() {
  local store=$1 name=$2
  rm -f "$work/$name.port"
  "$canvass" serve --store "$store" --address 127.0.0.1 --port 0 --port-file "$work/$name.port" \
    --no-rate-limits --fast-kdf --session-key-file "$work/$name.key" >"$work/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 300); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/$name.port" ] || { echo "server_bench: $name did not start" >&2; exit 1; }
  port=$(cat "$work/$name.port")
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

peak_rss() {
  awk '/^VmHWM/ {printf "%.1f MiB (VmHWM %s kB)", $2 / 1024, $2}' "/proc/$1/status"
}

# replay LABEL STORE CODES [canvass_load options]
replay() {
  local label=$1 store=$2 codes=$3
  shift 3
  serve "$store" "$label"
  echo "== $label: canvass_load --clients $clients $* (server on port $port; load $(loadavg))"
  timeout 600 "$load" --port "$port" --codes "$codes" --clients "$clients" "$@" ||
    echo "server_bench: canvass_load reported errors (see above)"
  echo "server peak RSS after the replay: $(peak_rss "$server_pid")"
}

init_iowa() {
  timeout 300 "$canvass" init --demo --fast-kdf --store "$1" --codes-out "$2" >/dev/null
}

init_synthetic() {
  timeout 900 "$canvass" init --fast-kdf --store "$1" --codes-out "$2" --rules iowa-dem-2020 \
    --apportionment "$work/synthetic.csv" --districts "$data/county-congressional-district.csv" \
    --candidates-from "$data/results-first-complete-2020-02-08-long.csv" \
    --name "Synthetic: $copies copies of Iowa 2020" >/dev/null
}

if [ "$pg_part" = 1 ]; then
  # Inside pg_virtualenv: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE name its cluster.
  conninfo() { echo "host=$PGHOST port=$PGPORT dbname=$1 user=$PGUSER password=$PGPASSWORD"; }
  # A PostgreSQL store's signing key is canvass-sign.key in the current directory, for `init`
  # and `serve` alike: the work directory's, not the checkout's.
  cd "$work"
  createdb canvass_iowa
  init_iowa "$(conninfo canvass_iowa)" "$work/pg-iowa-codes.csv"
  replay "PostgreSQL, Iowa 2020" "$(conninfo canvass_iowa)" "$work/pg-iowa-codes.csv"
  stop "$server_pid"
  if [ "$copies" -gt 0 ]; then
    createdb canvass_synthetic
    init_synthetic "$(conninfo canvass_synthetic)" "$work/pg-synthetic-codes.csv"
    replay "PostgreSQL, synthetic ($copies copies)" "$(conninfo canvass_synthetic)" \
      "$work/pg-synthetic-codes.csv"
    stop "$server_pid"
  fi
  exit 0
fi

work=$(mktemp -d /tmp/canvass-server-bench.XXXXXX)
chmod 755 "$work"  # nginx's workers (user nobody) read www/ below
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "load average before: $(loadavg)"
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }  # jiffies, all cores
busy_start=$(busy)
wall_start=$(date +%s)

# 1. Iowa on SQLite.
init_iowa "$work/iowa.db" "$work/iowa-codes.csv"
replay "SQLite, Iowa 2020" "$work/iowa.db" "$work/iowa-codes.csv"
iowa_pid=$server_pid
iowa_port=$port

# 2. GET /api/v1/results against nginx serving the same bytes.
mkdir -p "$work/www/api/v1" "$work/nginx"
curl -fsS -o "$work/www/api/v1/results" "http://127.0.0.1:$iowa_port/api/v1/results"
bytes=$(stat -c %s "$work/www/api/v1/results")
nginx_port=""
for p in $(seq 18080 18180); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then nginx_port=$p; break; fi
done
[ -n "$nginx_port" ] || { echo "server_bench: no free port for nginx" >&2; exit 1; }
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  sendfile on;  # as in Debian's nginx.conf
  tcp_nopush on;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/api/v1/results" 2>/dev/null && break
  sleep 0.1
done
cmp -s "$work/www/api/v1/results" <(curl -fsS "http://127.0.0.1:$nginx_port/api/v1/results") ||
  { echo "server_bench: nginx does not serve the same bytes" >&2; exit 1; }
rps() { timeout $((seconds + 30)) wrk -t2 -c64 -d"${seconds}s" "$1" | tee -a "$work/wrk.log" |
  awk '/^Requests\/sec:/ {print $2}'; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "== GET /api/v1/results, $bytes bytes: wrk -t2 -c64 -d${seconds}s, 3 rounds alternating" \
  "(load $(loadavg))"
canvass_runs=()
nginx_runs=()
for _ in 1 2 3; do
  canvass_runs+=("$(rps "http://127.0.0.1:$iowa_port/api/v1/results")")
  nginx_runs+=("$(rps "http://127.0.0.1:$nginx_port/api/v1/results")")
done
grep -E 'Non-2xx|Socket errors' "$work/wrk.log" || true
canvass_rps=$(median "${canvass_runs[@]}")
nginx_rps=$(median "${nginx_runs[@]}")
echo "canvass requests/s: ${canvass_runs[*]}; nginx requests/s: ${nginx_runs[*]}"
echo "median: canvass $canvass_rps requests/s, nginx $nginx_rps requests/s, ratio canvass/nginx" \
  "$(awk -v a="$canvass_rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')"
echo "server peak RSS after the replay and wrk: $(peak_rss "$iowa_pid")"
stop "$iowa_pid"
stop "$nginx_pid"

# 3. The synthetic election on SQLite.
if [ "$copies" -gt 0 ]; then
  "$load" --write-apportionment "$work/synthetic.csv" --copies "$copies"
  init_synthetic "$work/synthetic.db" "$work/synthetic-codes.csv"
  replay "SQLite, synthetic ($copies copies)" "$work/synthetic.db" "$work/synthetic-codes.csv"
  stop "$server_pid"
fi

# 4. PostgreSQL.
if [ "$pg" = 1 ]; then
  if command -v pg_virtualenv >/dev/null; then
    timeout 1800 pg_virtualenv -- "$root/bench/server_bench.sh" --build "$build" --clients "$clients" --copies "$copies" \
      --pg-part "$work"
  else
    echo "== PostgreSQL: skipped (no pg_virtualenv; install postgresql-15 postgresql-common)"
  fi
fi
echo "load average after: $(loadavg)"
# CPU time of the whole machine during the run, and of this script's own processes (the servers,
# canvass_load, wrk, nginx; PostgreSQL's daemons are counted with the others).
times >"$work/times"  # a builtin: no subshell, so it counts this script's children
ours=$(tail -1 "$work/times" | awk '{ for (i = 1; i <= NF; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }')
awk -v b="$(( $(busy) - busy_start ))" -v hz="$(getconf CLK_TCK)" -v o="$ours" \
  -v w="$(( $(date +%s) - wall_start ))" -v n="$(nproc)" 'BEGIN {
    printf "CPU during the run: %.0f s busy of %d s x %d cores; this benchmark %.0f s, other processes about %.0f s\n",
      b / hz, w, n, o, b / hz - o }'
