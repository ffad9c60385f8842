#!/usr/bin/env bash
# Benchmark of `tollgate verify --batch` against OpenSSL's own verify rate and fast-jwt.
#   tests/bench/verify.sh [path/to/tollgate] [--quick]
# Prints, per family, tokens/s on one core, the OpenSSL limit for the same key type on the same
# core (openssl speed verify rate combined with hashing the signing input), the ratio, and
# fast-jwt's rate measured in the same run; then --jobs 2 scaling, memory for 10x more input, and
# start-up time of `tollgate decode` next to latchset `jose jws ver`.
# Needs: Node 20 + npm (fast-jwt is installed into a cache folder), openssl, hyperfine and jose
# (Debian packages; installed when run as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tg=${1:-$root/build/tollgate}
[[ "${1:-}" == --quick ]] && tg=$root/build/tollgate
quick=0
for a in "$@"; do [[ "$a" == --quick ]] && quick=1; done
keys=$root/tests/data/keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need=()
for p in hyperfine jose openssl bc; do command -v "$p" >/dev/null || need+=("$p"); done
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; else
    echo "install first: sudo apt-get install -y ${need[*]}" >&2; exit 1; fi
fi
hash=$(sha256sum "$here/package-lock.json" | cut -c1-16)
mods=${TOLLGATE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate-test}/bench-$hash
if [[ ! -f "$mods/.complete" ]]; then
  rm -rf "$mods"; mkdir -p "$mods"; cp "$here/package.json" "$here/package-lock.json" "$mods/"
  (cd "$mods" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2); touch "$mods/.complete"
fi

core=0
one() { taskset -c "$core" "$@"; }
# Best of three wall-clock runs, in seconds.
best() {
  local best=999999 t s e
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l); (( $(echo "$t < $best" | bc -l) )) && best=$t
  done
  echo "$best"
}
speed() { # openssl speed verify/s for one primitive
  openssl speed -seconds 2 "$1" 2>/dev/null | awk -v k="$2" '$0 ~ k {print $NF}' | tail -1
}
sha_rate() { # bytes/s of the digest at 1300-byte inputs
  openssl speed -seconds 2 -bytes 1300 -evp "$1" 2>/dev/null | awk -v d="$1" '$1==d {v=$2; sub(/k$/,"",v); print v*1000}'
}

echo "measuring OpenSSL's limits on core $core ..." >&2
rsa2048=$(one bash -c "$(declare -f speed); speed rsa2048 'rsa 2048'")
rsa4096=$(one bash -c "$(declare -f speed); speed rsa4096 'rsa 4096'")
p256=$(one bash -c "$(declare -f speed); speed ecdsap256 'nistp256'")
p384=$(one bash -c "$(declare -f speed); speed ecdsap384 'nistp384'")
ed25519=$(one bash -c "$(declare -f speed); speed ed25519 'Ed25519'")
sha256=$(one bash -c "$(declare -f sha_rate); sha_rate sha256")
sha384=$(one bash -c "$(declare -f sha_rate); sha_rate sha384")
sha512=$(one bash -c "$(declare -f sha_rate); sha_rate sha512")

scale=1; [[ $quick -eq 1 ]] && scale=5
declare -A count=( [HS256]=$((600000/scale)) [RS256]=$((150000/scale)) [PS256]=$((150000/scale)) [ES256]=$((40000/scale))
                   [ES384]=$((20000/scale)) [EdDSA]=$((30000/scale)) [RS256-4096]=$((30000/scale)) [mixed]=$((40000/scale)) )
families=(HS256 RS256 PS256 ES256 ES384 EdDSA RS256-4096 mixed)
declare -A keyarg=( [HS256]="--key $keys/hs-256.jwk" )

limit() { # tokens/s limit for a family given the signing-input length
  local fam=$1 len=$2
  case $fam in
    HS256) echo "$sha256 / $len" | bc -l ;;
    RS256|PS256) echo "1 / (1/$rsa2048 + $len/$sha256)" | bc -l ;;
    RS256-4096) echo "1 / (1/$rsa4096 + $len/$sha256)" | bc -l ;;
    ES256) echo "1 / (1/$p256 + $len/$sha256)" | bc -l ;;
    ES384) echo "1 / (1/$p384 + $len/$sha384)" | bc -l ;;
    EdDSA) echo "1 / (1/$ed25519 + $len/$sha512)" | bc -l ;; # Ed25519 verify hashes R||A||M once with SHA-512
    mixed) # one sixth of the tokens each: the harmonic combination of the six limits
      echo "6 / ( (1/$rsa2048 + $len/$sha256) + (1/$rsa4096 + $len/$sha256) + (1/$rsa2048 + $len/$sha256) + (1/$p256 + $len/$sha256) + (1/$p384 + $len/$sha384) + (1/$ed25519 + $len/$sha512) )" | bc -l ;;
  esac
}

printf '\n%-11s %9s %7s %12s %12s %7s %12s %8s\n' family tokens bytes "tollgate/s" "limit/s" ratio "fast-jwt/s" "vs f-jwt"
for fam in "${families[@]}"; do
  n=${count[$fam]}
  file=$work/$fam.txt
  node "$here/make-tokens.mjs" "$fam" "$n" "$file"
  len=$(head -1 "$file" | awk -F. '{print length($1)+1+length($2)}')
  bytes=$(head -1 "$file" | awk '{print length($0)}')
  args=${keyarg[$fam]:-"--jwks $keys/jwks.json"}
  t=$(best one bash -c "\"$tg\" verify $args --batch < '$file'")
  rate=$(echo "$n / $t" | bc -l)
  lim=$(limit "$fam" "$len")
  keyfile=$keys/jwks.json; [[ $fam == HS256 ]] && keyfile=$keys/hs-256.jwk
  fj=$(one node "$here/fastjwt.mjs" "$mods/node_modules" "$file" "$keyfile")
  printf '%-11s %9d %7d %12.0f %12.0f %7.2f %12d %7.2fx\n' "$fam" "$n" "$bytes" "$rate" "$lim" "$(echo "$rate/$lim" | bc -l)" "$fj" "$(echo "$rate/$fj" | bc -l)"
done

echo
echo "--jobs scaling (cores 0,1):"
for fam in HS256 RS256; do
  file=$work/$fam.txt; n=${count[$fam]}
  args=${keyarg[$fam]:-"--jwks $keys/jwks.json"}
  t1=$(best taskset -c 0,1 bash -c "\"$tg\" verify $args --batch --jobs 1 < '$file'")
  t2=$(best taskset -c 0,1 bash -c "\"$tg\" verify $args --batch --jobs 2 < '$file'")
  printf '  %-6s jobs 1: %8.0f/s   jobs 2: %8.0f/s   speed-up %.2fx\n' "$fam" "$(echo "$n/$t1" | bc -l)" "$(echo "$n/$t2" | bc -l)" "$(echo "$t1/$t2" | bc -l)"
done

echo
echo "memory (peak RSS) for 1x and 10x the input, HS256:"
big=$work/big.txt
for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$work/HS256.txt"; done > "$big"
for f in "$work/HS256.txt" "$big"; do
  lines=$(wc -l < "$f")
  rss=$( { /usr/bin/time -f '%M' "$tg" verify --key "$keys/hs-256.jwk" --batch < "$f" > /dev/null; } 2>&1 | tail -1)
  printf '  %9d tokens (%4d MB): %6d KB\n' "$lines" "$(( $(stat -c %s "$f") / 1000000 ))" "$rss"
done

echo
echo "start-up (hyperfine, median of 300 runs):"
tok=$(head -1 "$work/RS256.txt")
printf '%s' "$tok" > "$work/one.jwt"
node -e 'const k=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(JSON.stringify({kty:k.kty,n:k.n,e:k.e}))' "$keys/rsa-2048.pub.jwk" > "$work/rsa.jwk"
hyperfine -N --warmup 30 -r 300 --export-json "$work/start.json" \
  "$tg decode $tok" "jose jws ver -i $work/one.jwt -k $work/rsa.jwk -O /dev/null" >/dev/null 2>&1
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1])).results;
const names = ["tollgate decode TOKEN", "jose jws ver (latchset)"];
r.forEach((x, i) => console.log(`  ${names[i].padEnd(26)} median ${(x.median * 1000).toFixed(2)} ms  (mean ${(x.mean * 1000).toFixed(2)} ms)`));' "$work/start.json"
