#!/usr/bin/env bash
# How tests/data/keys was made (run once; the files are checked in so tests are fast and stable).
#   tests/data/make-keys.sh path/to/tollgate
set -euo pipefail
tg=${1:?usage: make-keys.sh path/to/tollgate}
cd "$(dirname "$0")/keys"
gen() { "$tg" jwk gen "$@"; }
gen --kty RSA --size 2048 --alg RS256 --kid rsa-2048 --out rsa-2048.jwk --public-out rsa-2048.pub.jwk
gen --kty RSA --size 4096 --alg RS256 --kid rsa-4096 --out rsa-4096.jwk --public-out rsa-4096.pub.jwk
gen --kty RSA --size 2048 --alg PS256 --kid rsa-pss --out rsa-pss.jwk --public-out rsa-pss.pub.jwk
gen --kty RSA --size 2048 --kid rsa-noalg --out rsa-noalg.jwk --public-out rsa-noalg.pub.jwk
gen --kty EC --crv P-256 --alg ES256 --kid ec-256 --out ec-256.jwk --public-out ec-256.pub.jwk
gen --kty EC --crv P-384 --alg ES384 --kid ec-384 --out ec-384.jwk --public-out ec-384.pub.jwk
gen --kty EC --crv P-521 --alg ES512 --kid ec-521 --out ec-521.jwk --public-out ec-521.pub.jwk
gen --kty OKP --crv Ed25519 --alg EdDSA --kid ed25519 --out ed25519.jwk --public-out ed25519.pub.jwk
gen --kty OKP --crv Ed448 --alg EdDSA --kid ed448 --out ed448.jwk --public-out ed448.pub.jwk
gen --kty oct --size 32 --alg HS256 --kid hs-256 --out hs-256.jwk
gen --kty oct --size 64 --alg HS512 --kid hs-512 --out hs-512.jwk
# A 1024-bit RSA key (weak: refused unless --allow-weak-keys); jwk gen refuses to make one.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa-1024.key.pem 2>/dev/null
"$tg" jwk convert rsa-1024.key.pem --to jwk --out rsa-1024.jwk
# PEM forms of the RS256 key: SPKI public key, PKCS#8 private key, a self-signed certificate.
"$tg" jwk convert rsa-2048.jwk --to pem --public --out rsa-2048.pub.pem
"$tg" jwk convert rsa-2048.jwk --to pem --out rsa-2048.key.pem
openssl req -x509 -new -key rsa-2048.key.pem -subj "/CN=tollgate test signer" -days 36500 -out rsa-2048.cert.pem 2>/dev/null
"$tg" jwk convert ec-256.jwk --to pem --public --out ec-256.pub.pem
"$tg" jwk convert ed25519.jwk --to pem --public --out ed25519.pub.pem
# HMAC secrets as files: 32 bytes (HS256-strong) and 16 bytes (weak for HS256).
head -c 32 /dev/urandom | base64 | tr -d '\n=' | head -c 43 > hs-256.secret; echo >> hs-256.secret
printf 'short-secret-16b' > hs-short.secret
# The public key set a realm would publish: all public signature keys plus an encryption key,
# as Keycloak publishes an RSA-OAEP key next to its signing key.
gen --kty RSA --size 2048 --use enc --kid rsa-enc --out rsa-enc.jwk --public-out rsa-enc.pub.jwk
node -e '
const fs = require("fs");
const names = ["rsa-2048","rsa-4096","rsa-pss","ec-256","ec-384","ec-521","ed25519","ed448"];
const keys = names.map(n => JSON.parse(fs.readFileSync(n + ".pub.jwk")));
const enc = JSON.parse(fs.readFileSync("rsa-enc.pub.jwk")); enc.alg = "RSA-OAEP"; keys.push(enc);
fs.writeFileSync("jwks.json", JSON.stringify({keys}, null, 2) + "\n");
'
