// `tollgate verify --jwks URL` and `verify --issuer ISS` against the real OpenID Provider (the
// integration of oidc::JwksSource into verify.cpp, issue 3). Nothing here is skipped: a verify
// without these flags fails the tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';

let idp;
let secret;
before(async () => {
  idp = await startIdp();
  secret = join(tempDir(), 'secret');
  writeFileSync(secret, 'cli-secret');
});
after(() => idp?.close());

const token = async (cache) =>
  (await tg(['token', '--issuer', idp.issuer, '--client-id', 'tollgate-cli', '--client-secret-file', secret], { cache })).stdout.trim();

test('verify --issuer: discovery, JWKS, and the implied iss check', async () => {
  const cache = tempDir();
  const r = await tg(['verify', await token(cache), '--issuer', idp.issuer], { cache });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('verify --jwks URL', async () => {
  const cache = tempDir();
  const r = await tg(['verify', await token(cache), '--jwks', `${idp.issuer}/protocol/openid-connect/certs`], { cache });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('verify --issuer after a key rotation: one refetch, then valid', async () => {
  const cache = tempDir();
  assert.equal((await tg(['verify', await token(cache), '--issuer', idp.issuer], { cache })).code, 0);
  idp.realm.rotateKeys();
  const fresh = await token(cache);
  const n = idp.count('/protocol/openid-connect/certs');
  const r = await tg(['verify', fresh, '--issuer', idp.issuer], { cache });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(idp.count('/protocol/openid-connect/certs') - n, 1);
});

test('verify --jwks with plain http to another host is exit 2; --offline miss is exit 3', async () => {
  const t = await token(tempDir());
  assert.equal((await tg(['verify', t, '--jwks', 'http://sso.example.com/certs'])).code, 2);
  assert.equal((await tg(['verify', t, '--issuer', idp.issuer, '--offline'])).code, 3);
});

test('verify --batch --issuer: tokens signed before and after a rotation are all valid, one refetch', async () => {
  const cache = tempDir();
  const before = await token(cache);
  assert.equal((await tg(['verify', before, '--issuer', idp.issuer], { cache })).code, 0); // warms the cache
  idp.realm.rotateKeys();
  const after = await token(cache);
  const n = idp.count('/protocol/openid-connect/certs');
  const lines = [];
  for (let i = 0; i < 300; i++) lines.push(i % 2 ? after : before);
  const r = await tg(['verify', '--issuer', idp.issuer, '--batch', '--jobs', '3'], { cache, input: lines.join('\n') + '\n' });
  assert.equal(r.code, 0, r.stdout.slice(0, 500) + r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 300);
  assert.ok(out.every((l) => l.valid));
  assert.equal(idp.count('/protocol/openid-connect/certs') - n, 1, 'one refetch for the whole batch');
});

test('verify --issuer implies the iss check; an explicit --iss replaces it', async () => {
  const cache = tempDir();
  const t = await token(cache);
  const r = await tg(['verify', t, '--issuer', idp.issuer, '--json'], { cache });
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.checks.find((c) => c.name === 'iss').status, 'pass');
  const other = await tg(['verify', t, '--issuer', idp.issuer, '--iss', 'https://other.example.com', '--json'], { cache });
  assert.equal(other.code, 1);
  assert.equal(JSON.parse(other.stdout).error.code, 'claim_mismatch');
});
