#!/usr/bin/env bash
# Benchmark of tollgate lint (not a timed test): a KrakenD config with N endpoints, each with an
# auth/validator, and a standalone apisix.yaml with N routes, each with authz-keycloak, for
# N = 1 000, 10 000 and 100 000. Prints wall time, user time and peak RSS of one lint run
# (GNU time, Debian package "time"), and RSS as a multiple of the file size.
# Target for 10 000: <= 0.5 s and <= 10x the file size on one core.
# Usage: tests/bench/lint.sh [path/to/tollgate] [N...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tg=${1:-$here/../../build/tollgate}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000 100000)
if [[ ! -x /usr/bin/time ]]; then
  echo "lint.sh needs GNU time for peak RSS: apt-get install time" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-8s %8s %10s %8s %8s %9s %7s\n' gateway N size_MB wall_s user_s rss_MB rss/size
for kind in krakend apisix; do
  for n in "${sizes[@]}"; do
    ext=json
    [[ $kind == apisix ]] && ext=yaml
    file="$work/$kind-$n.$ext"
    node "$here/lint-gen.mjs" "$kind" "$n" "$file"
    "$tg" lint "$file" >/dev/null # warm the page cache
    stats=$( { /usr/bin/time -f '%e %U %M' "$tg" lint "$file" >/dev/null; } 2>&1 | tail -1)
    read -r wall user rss_kb <<<"$stats"
    bytes=$(stat -c %s "$file")
    awk -v k="$kind" -v n="$n" -v b="$bytes" -v w="$wall" -v u="$user" -v r="$rss_kb" \
      'BEGIN { printf "%-8s %8d %10.1f %8.2f %8.2f %9.1f %7.1f\n", k, n, b/1e6, w, u, r/1024, r*1024/b }'
  done
done
