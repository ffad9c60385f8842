#!/usr/bin/env node
// Writes Keycloak-like tokens (full claim set, about 1.1-1.4 KB each), one per line.
//   make-tokens.mjs ALG COUNT OUT [--distinct N]
// ALG is HS256, RS256, RS256-4096, PS256, ES256, ES384, EdDSA or mixed (rotating over the six
// asymmetric keys of tests/data/keys/jwks.json). Signing is slow for RSA, so N distinct tokens are
// signed (default 2000) and repeated up to COUNT lines; verification work is the same for each.
import { createWriteStream } from 'node:fs';
import { token, jwk, keycloakClaims } from '../cli/lib/jwt.mjs';

const [alg, countArg, out, ...rest] = process.argv.slice(2);
const count = Number(countArg);
const distinct = Math.min(count, Number(rest[rest.indexOf('--distinct') + 1] ?? 2000) || 2000);
const keys = {
  HS256: ['hs-256.jwk', 'HS256'],
  RS256: ['rsa-2048.jwk', 'RS256'],
  'RS256-4096': ['rsa-4096.jwk', 'RS256'],
  PS256: ['rsa-pss.jwk', 'PS256'],
  ES256: ['ec-256.jwk', 'ES256'],
  ES384: ['ec-384.jwk', 'ES384'],
  EdDSA: ['ed25519.jwk', 'EdDSA'],
};
const rotation = alg === 'mixed' ? ['RS256', 'RS256-4096', 'PS256', 'ES256', 'ES384', 'EdDSA'] : [alg];
const now = Math.floor(Date.now() / 1000);
const lines = [];
for (let i = 0; i < distinct; i++) {
  const [file, a] = keys[rotation[i % rotation.length]];
  const k = jwk(file);
  const claims = keycloakClaims(now, { exp: now + 86400, jti: `${i.toString(16).padStart(8, '0')}-1b2c-4d5e-8f90-123456789abc` });
  lines.push(token({ alg: a, typ: 'JWT', kid: k.kid }, claims, k));
}
const w = createWriteStream(out);
for (let i = 0; i < count; i++) {
  if (!w.write(lines[i % distinct] + '\n')) await new Promise((r) => w.once('drain', r));
}
w.end();
