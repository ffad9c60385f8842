#!/usr/bin/env node
// The comparison verifier: fast-jwt (the fastest in-process JWT verifier we found), verifying the
// same token file as tollgate, synchronously, one thread, no result cache. Prints tokens/s.
//   fastjwt.mjs NODE_MODULES TOKENS_FILE JWKS_OR_JWK_FILE
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [modules, tokensFile, keyFile] = process.argv.slice(2);
const require = createRequire(join(modules, 'x.js'));
const { createVerifier } = require('fast-jwt');
// Split the file as a Buffer: the big runs are larger than the longest string V8 can hold.
const buf = readFileSync(tokensFile);
const tokens = [];
for (let at = 0; at < buf.length; ) {
  let nl = buf.indexOf(10, at);
  if (nl < 0) nl = buf.length;
  if (nl > at) tokens.push(buf.toString('latin1', at, nl));
  at = nl + 1;
}
const doc = JSON.parse(readFileSync(keyFile, 'utf8'));
const jwks = doc.keys ?? [doc];
// One verifier per key, chosen by the header kid (what an application with a JWKS does).
const verifiers = new Map();
for (const k of jwks) {
  if (k.use === 'enc') continue;
  const key = k.kty === 'oct' ? Buffer.from(k.k, 'base64url') : createPublicKey({ key: k, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  verifiers.set(k.kid, createVerifier({ key, algorithms: [k.alg], cache: false }));
}
const kidOf = (t) => JSON.parse(Buffer.from(t.slice(0, t.indexOf('.')), 'base64url').toString()).kid;
let ok = 0;
const start = process.hrtime.bigint();
if (verifiers.size === 1) {
  const only = [...verifiers.values()][0];
  for (const t of tokens) {
    try {
      only(t);
      ok++;
    } catch {}
  }
} else {
  for (const t of tokens) {
    try {
      verifiers.get(kidOf(t))(t);
      ok++;
    } catch {}
  }
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
if (ok !== tokens.length) console.error(`fast-jwt: only ${ok} of ${tokens.length} tokens verified`);
console.log(Math.round(tokens.length / secs));
