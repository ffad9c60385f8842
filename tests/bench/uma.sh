#!/usr/bin/env bash
# Benchmark of `tollgate uma check --batch` (not a timed test: it prints figures).
#   tests/bench/uma.sh [path/to/tollgate] [--quick] [--httplib]
# Starts decision_server.cpp (a minimal HTTP/1.1 keep-alive server on 127.0.0.1 answering
# {"result":true}, so that the client is what is measured) and prints decisions/s for
#   - the server's ceiling under wrk (-t2 -c16, a Lua script posting the same form body),
#   - a shell loop of separate curl processes (one request each),
#   - tollgate uma check --batch with N distinct single-permission lines, --jobs 1, 4 and 16, plus
#     one --require all run with two scopes per line (response_mode=permissions),
# each tollgate row the best of 3 runs (UMA_BENCH_REPEAT), with the slowest next to it, the peak
# RSS, the connections the server saw in a run (must be <= --jobs) and a check of every run's
# output (N lines, all "allowed":true). Targets: --jobs 16 >= 0.8 x the wrk ceiling
# and >= 20 x the curl loop. N = 20 000 (--quick: 2 000, and wrk for 2 s instead of 5 s).
# --httplib also measures the ceiling of the server's cpp-httplib engine (for comparison).
# Needs: g++, curl, wrk, GNU time (Debian packages wrk, time; libcpp-httplib-dev for --httplib);
# installed when run as root. Everything shares the machine's cores; nothing is pinned.
# Exit status: 0, or 1 when a correctness check failed (the figures are printed either way).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tg=$root/build/tollgate
quick=0
httplib=0
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    --httplib) httplib=1 ;;
    -*) echo "usage: $0 [path/to/tollgate] [--quick] [--httplib]" >&2; exit 2 ;;
    *) tg=$a ;;
  esac
done
n=20000; wrk_s=5; curl_n=500
[[ $quick -eq 1 ]] && { n=2000; wrk_s=2; curl_n=200; }
server_threads=${UMA_BENCH_SERVER_THREADS:-2}
repeat=${UMA_BENCH_REPEAT:-3} # tollgate runs per row: the best is reported, and the slowest

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v g++ >/dev/null || need+=(g++)
[[ -x /usr/bin/time ]] || need+=(time)
[[ $httplib -eq 1 && ! -f /usr/include/httplib.h ]] && need+=(libcpp-httplib-dev)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "install first: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2; exit 1
  fi
fi
if [[ ! -x $tg ]]; then
  echo "no tollgate at $tg (build it: cmake --build build --target tollgate)" >&2; exit 2
fi

work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

echo "compiling the decision server ..." >&2
g++ -std=c++17 -O2 -pthread "$here/decision_server.cpp" -o "$work/decision_server"
if [[ $httplib -eq 1 ]]; then
  g++ -std=c++17 -O2 -pthread -DWITH_HTTPLIB $(pkg-config --cflags cpp-httplib 2>/dev/null) \
    "$here/decision_server.cpp" -o "$work/decision_server_httplib" \
    $(pkg-config --libs cpp-httplib 2>/dev/null || echo -lcpp-httplib)
fi

# start_server BINARY ARGS...: sets $port and $server_pid.
start_server() {
  : > "$work/port"
  "$@" > "$work/port" 2> "$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s $work/port ]] && break
    sleep 0.05
  done
  port=$(head -1 "$work/port")
  [[ -n $port ]] || { echo "decision server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
}
stats() { curl -s "http://127.0.0.1:$port/_stats"; }
stat_field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
ns() { date +%s%N; }
rate() { awk -v n="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.0f", n / ((t1 - t0) / 1e9) }'; }

token=eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJiZW5jaCIsImF1ZCI6ImJlbmNoLXJzIn0.
body='grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Auma-ticket&audience=bench-rs&permission=res-17%23read&response_mode=decision'
export WRK_UMA_BODY=$body WRK_UMA_TOKEN=$token

wrk_rate() { # requests/s of wrk against the running server
  wrk -t2 -c16 -d"${wrk_s}s" -s "$here/wrk-uma.lua" "http://127.0.0.1:$port/token" > "$work/wrk.out" 2>&1
  if grep -q 'Non-2xx' "$work/wrk.out"; then
    echo "wrk: $(grep 'Non-2xx' "$work/wrk.out")" >&2; failed=1
  fi
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$work/wrk.out"
}

failed=0
if [[ $httplib -eq 1 ]]; then
  echo "wrk against the httplib engine ($server_threads and 16 threads) ..." >&2
  start_server "$work/decision_server_httplib" --engine httplib --threads "$server_threads"
  ceiling_httplib=$(wrk_rate); stop_server
  start_server "$work/decision_server_httplib" --engine httplib --threads 16
  ceiling_httplib16=$(wrk_rate); stop_server
fi

start_server "$work/decision_server" --threads "$server_threads"
echo "decision server on 127.0.0.1:$port ($server_threads threads); wrk ceiling (${wrk_s} s) ..." >&2
ceiling=$(wrk_rate)

echo "curl loop ($curl_n processes) ..." >&2
t0=$(ns)
for ((i = 0; i < curl_n; i++)); do
  curl -s -X POST -H "Authorization: Bearer $token" -w '\n' \
    --data "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Auma-ticket&audience=bench-rs&permission=res-$i%23read&response_mode=decision" \
    "http://127.0.0.1:$port/token"
done > "$work/curl.out"
t1=$(ns)
curl_rate=$(rate "$curl_n" "$t0" "$t1")
curl_ok=$(grep -c '^{"result":true}$' "$work/curl.out" || true)
if [[ $curl_ok -ne $curl_n ]]; then echo "curl loop: only $curl_ok of $curl_n answers were {\"result\":true}" >&2; failed=1; fi

echo "generating $n request lines ..." >&2
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"permissions\":[\"res-%d#read\"],\"id\":%d}\n", i, i }' > "$work/single.ndjson"
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"permissions\":[\"res-%d#read\",\"res-%d#write\"],\"id\":%d}\n", i, i, i }' > "$work/multi.ndjson"

# tg_run LABEL JOBS INPUT [EXTRA ARGS...]: $repeat timed runs, each checked; appends a row (best
# and slowest rate, peak RSS, most connections seen in one run, check) to $work/rows.
tg_run() {
  local label=$1 jobs=$2 input=$3; shift 3
  local before after conns t0 t1 r rss lines allowed check="ok" best=0 worst=0 max_rss=0 max_conns=0
  echo "tollgate $label (best of $repeat) ..." >&2
  for ((k = 0; k < repeat; k++)); do
    before=$(stats | stat_field connections)
    local rc=0
    t0=$(ns)
    /usr/bin/time -f '%M' -o "$work/time.out" \
      "$tg" uma check --batch "$input" --token-endpoint "http://127.0.0.1:$port/token" \
      --audience bench-rs --token "$token" --jobs "$jobs" "$@" > "$work/out.ndjson" 2> "$work/tg.err" || rc=$?
    t1=$(ns)
    after=$(stats | stat_field connections)
    conns=$((after - before))
    rss=$(tail -1 "$work/time.out")
    lines=$(wc -l < "$work/out.ndjson")
    allowed=$(grep -c '"allowed":true' "$work/out.ndjson" || true)
    r=$(rate "$n" "$t0" "$t1")
    echo "  $r/s; $(grep -v '^ *[0-9]*$' "$work/tg.err" | tail -1)" >&2
    local bad=""
    if [[ $rc -ne 0 ]]; then bad="exit $rc"; fi
    if [[ $lines -ne $n || $allowed -ne $n ]]; then bad="$bad; $allowed/$lines of $n allowed"; fi
    if [[ $conns -gt $jobs ]]; then bad="$bad; $conns connections > $jobs"; fi
    if [[ -n $bad ]]; then
      failed=1
      check=${bad#; }
      echo "  FAILED: $check; stderr:" >&2; head -5 "$work/tg.err" | sed 's/^/    /' >&2
      grep -v '"allowed":true' "$work/out.ndjson" | head -2 | sed 's/^/    out: /' >&2
    fi
    (( r > best )) && best=$r
    (( worst == 0 || r < worst )) && worst=$r
    (( rss > max_rss )) && max_rss=$rss
    (( conns > max_conns )) && max_conns=$conns
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$best" "$worst" "$((max_rss / 1024))" "$max_conns" "$check" >> "$work/rows"
  if [[ $label == "jobs 16" ]]; then tg16=$best; fi
}

: > "$work/rows"
tg16=0
for j in 1 4 16; do tg_run "jobs $j" "$j" "$work/single.ndjson"; done
tg_run "jobs 16, require all, 2 scopes" 16 "$work/multi.ndjson" --require all
total=$(stats)
stop_server

echo
echo "UMA batch: $n decisions, server $server_threads threads (epoll), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %12s %9s %9s %9s %7s %6s  %s\n' mode "decisions/s" "x wrk" "x curl" slowest RSS_MB conns check
row() { # label rate slowest rss conns check
  awk -v l="$1" -v r="$2" -v c="$ceiling" -v k="$curl_rate" -v w="$3" -v m="$4" -v n="$5" -v s="$6" \
    'BEGIN { printf "%-40s %12.0f %9.3f %9.1f %9s %7s %6s  %s\n", l, r, r / c, r / k, w, m, n, s }'
}
row "wrk -t2 -c16 (ceiling)" "$ceiling" - - 16 -
[[ $httplib -eq 1 ]] && row "wrk, httplib engine $server_threads threads" "$ceiling_httplib" - - 16 -
[[ $httplib -eq 1 ]] && row "wrk, httplib engine 16 threads" "$ceiling_httplib16" - - 16 -
row "curl loop ($curl_n processes)" "$curl_rate" - - "$curl_n" -
while IFS=$'\t' read -r l r w m c s; do row "tollgate $l" "$r" "$w" "$m" "$c" "$s"; done < "$work/rows"
echo
awk -v r="$tg16" -v c="$ceiling" -v k="$curl_rate" 'BEGIN {
  printf "target: --jobs 16 >= 0.80 x wrk ceiling (%.0f/s): %s (%.3f)\n", 0.8 * c, (r >= 0.8 * c) ? "met" : "NOT met", r / c
  printf "target: --jobs 16 >= 20 x curl loop (%.0f/s): %s (%.1fx)\n", 20 * k, (r >= 20 * k) ? "met" : "NOT met", r / k }'
echo "server totals: $total"
if [[ $failed -ne 0 ]]; then echo "some correctness checks FAILED (see above)"; exit 1; fi
