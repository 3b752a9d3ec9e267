#!/usr/bin/env bash
# Requests per second for the 10,000-event feed served by gunicorn (2 workers, the project's
# gunicorn config: uvicorn workers, the ASGI app) — full GET, gzip GET, 304 revalidation — beside
# nginx serving the same bytes
# as a static file (plain, gzip_static, 304), in the same run, with wrk from Debian's packages.
#
#   bench/http.sh [EVENTS] [SECONDS]        defaults: 10000 events, 10 s per case
#   BENCH_DIR=/tmp/b bench/http.sh          keep the store in /tmp/b and reuse it next time
#   GUNICORN_ARGS='-k gthread --threads 4' APP='icalfeed.web:create_app()' ...
#                                           extra gunicorn options, another app (here: the
#                                           threaded WSGI worker this project used before)
#   RUNS=3 bench/http.sh                    every case three times (the machine may be busy)
#   ACCESS_LOG=1 bench/http.sh              both servers write an access log to a file (default:
#                                           neither, as behind a proxy that logs the requests)
#
# Installs wrk and nginx with apt-get when missing (as root). Issue 5's targets: 304s >= 5,000/s;
# full GETs within 4x of nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-10000}
seconds=${2:-10}
threads=${WRK_THREADS:-2}
connections=${WRK_CONNECTIONS:-16}
runs=${RUNS:-1}
export PATH="$PWD/.venv/bin:$PATH"

need() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "http.sh: install ${missing[*]} (apt-get install ${missing[*]})" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}
need
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# BENCH_DIR=folder keeps the store (and its rendered VEVENTs) there between runs.
keep=${BENCH_DIR:-}
if [ -n "$keep" ]; then work=$keep; mkdir -p "$work"; else work=$(mktemp -d /tmp/icalfeed-bench-http.XXXXXX); fi
chmod 755 "$work"
gunicorn_pid=""
nginx_pid=""
cleanup() {
    [ -n "$gunicorn_pid" ] && kill "$gunicorn_pid" 2>/dev/null && wait "$gunicorn_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export ICALFEED_INSTANCE_PATH=$work ICALFEED_ACCESS_LOG="" ICALFEED_LOG_LEVEL=warning
nginx_access_log=off
if [ "${ACCESS_LOG:-0}" = 1 ]; then
    ICALFEED_ACCESS_LOG=$work/gunicorn-access.log nginx_access_log=$work/nginx-access.log
fi
if [ ! -f "$work/icalfeed.sqlite3" ]; then
    python bench/http_store.py "$work" "$events"
    # Render and cache every VEVENT once, in one process, before timing anything (what a first
    # subscriber's fetch would do).
    started=$(date +%s.%N)
    icalfeed serve --get /calendar.ics >/dev/null
    echo "first render of the feed (cold VEVENT cache): $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s"
fi
app_port=$(free_port)
gunicorn --config python:icalfeed.web.gunicorn_conf --bind "127.0.0.1:$app_port" --workers 2 \
    ${GUNICORN_ARGS:-} "${APP:-icalfeed.web:create_asgi_app()}" >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
feed="http://127.0.0.1:$app_port/calendar.ics"
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$app_port/healthz" && break; sleep 0.1; done

# The first fetch renders and caches every VEVENT in the store; keep the bytes for nginx.
mkdir -p "$work/www"
curl -sf -D "$work/headers" -o "$work/www/calendar.ics" "$feed"
etag=$(grep -i '^etag:' "$work/headers" | cut -d' ' -f2- | tr -d '\r')
gzip -6 -n -k -f "$work/www/calendar.ics"
count=$(grep -c '^BEGIN:VEVENT' "$work/www/calendar.ics")
echo "feed: $count events, $(stat -c %s "$work/www/calendar.ics") bytes, gzip $(stat -c %s "$work/www/calendar.ics.gz") bytes"

web_port=$(free_port)
cat >"$work/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
user root;
events { worker_connections 1024; }
http {
    access_log $nginx_access_log;
    sendfile on;
    types { text/calendar ics; }
    server {
        listen 127.0.0.1:$web_port;
        root $work/www;
        gzip_static on;
        etag on;
    }
}
EOF
"$nginx_bin" -c "$work/nginx.conf" &
nginx_pid=$!
static="http://127.0.0.1:$web_port/calendar.ics"
for _ in $(seq 50); do curl -sf -o /dev/null "$static" && break; sleep 0.1; done
nginx_etag=$(curl -sfI "$static" | grep -i '^etag:' | cut -d' ' -f2- | tr -d '\r')
cmp <(curl -sf "$static") "$work/www/calendar.ics"

cpu_ticks() {  # cpu_ticks PID: CPU clock ticks used by PID and its children (user + system)
    local total=0 p f
    for p in "$1" $(pgrep -P "$1"); do
        read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
        total=$((total + f[13] + f[14]))
    done
    echo "$total"
}
ticks_per_s=$(getconf CLK_TCK)

rate() {  # rate PID URL [HEADER...]: "requests/s µs-of-server-CPU-per-request", after a warm-up
    local pid=$1 url=$2; shift 2
    local args=() out before after
    for h in "$@"; do args+=(-H "$h"); done
    wrk -t"$threads" -c"$connections" -d2s "${args[@]}" "$url" >/dev/null
    before=$(cpu_ticks "$pid")
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" "${args[@]}" "$url")
    after=$(cpu_ticks "$pid")
    echo "$out" | awk -v ticks=$((after - before)) -v hz="$ticks_per_s" '
        /requests in/ {n = $1} /Requests\/sec/ {r = $2} /Non-2xx or 3xx/ {bad = $NF}
        END {printf "%.0f %.0f", r, n ? ticks / hz * 1e6 / n : 0; if (bad) printf " (non-2xx/3xx: %s)", bad}'
}

# Each case: requests per second of each server, the CPU each server spent per request (µs; it
# does not depend on how busy the machine is, unlike requests per second), the nginx/gunicorn
# ratio of requests per second, and the load average when the case ended.
printf '%-18s %10s %8s %10s %8s %7s  %s\n' "case" "gunicorn" "µs/req" "nginx" "µs/req" "ratio" "load"
row() {
    local name=$1 app=$2 web=$3
    local a=${app%% *} w=${web%% *} app_cpu web_cpu
    app_cpu=$(echo "$app" | cut -d' ' -f2) web_cpu=$(echo "$web" | cut -d' ' -f2)
    printf '%-18s %10s %8s %10s %8s %7s  %s%s\n' "$name" "$a r/s" "$app_cpu" "$w r/s" "$web_cpu" \
        "$(awk -v a="$a" -v w="$w" 'BEGIN {if (a > 0) printf "%.1fx", w / a}')" \
        "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$app $web" | grep -o '(non-2xx[^)]*)' | head -1)"
}
for run in $(seq "$runs"); do
    row "full GET" "$(rate "$gunicorn_pid" "$feed")" "$(rate "$nginx_pid" "$static")"
    row "gzip GET" "$(rate "$gunicorn_pid" "$feed" 'Accept-Encoding: gzip')" \
        "$(rate "$nginx_pid" "$static" 'Accept-Encoding: gzip')"
    row "304 revalidation" "$(rate "$gunicorn_pid" "$feed" "If-None-Match: $etag")" \
        "$(rate "$nginx_pid" "$static" "If-None-Match: $nginx_etag")"
done
# The worker model gunicorn used (its effective settings; then what that class runs).
worker_class=$(gunicorn --config python:icalfeed.web.gunicorn_conf ${GUNICORN_ARGS:-} --print-config \
    "${APP:-icalfeed.web:create_asgi_app()}" 2>/dev/null | awk '$1 == "worker_class" {print $3}')
model=$(python - "$worker_class" <<'PY'
import importlib.util, sys
from icalfeed.config import Config
cls = sys.argv[1] or "?"
have = lambda m: importlib.util.find_spec(m) is not None
if cls.endswith(("worker.Worker", "UvicornWorker")):
    print(f"{cls} (uvicorn, {'httptools' if have('httptools') else 'h11'}"
          f" on {'uvloop' if have('uvloop') else 'asyncio'}; Flask in"
          f" {Config.from_env().web_threads} threads)")
else:
    print(cls)
PY
)
echo "wrk: $threads threads, $connections connections, ${seconds}s per case; gunicorn: 2 workers, worker: $model${GUNICORN_ARGS:+, options: $GUNICORN_ARGS}; nginx: 2 workers; access logs: $([ "$nginx_access_log" = off ] && echo off || echo on); load average: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs"
