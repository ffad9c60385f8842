// The on-disk cache of discovery documents and JWKS, against our own server on 127.0.0.1 whose
// request log shows exactly what reached the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startFaultServer, selfSignedCert } from './lib/faults.mjs';

let f;
let jwksBody; // what /realm/certs serves
let maxAge = null;
const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwkOf = (pair, kid) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });

function jwt(pair, kid, claims) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), pair.privateKey).toString('base64url')}`;
}

before(async () => {
  f = await startFaultServer();
  const issuer = f.url('/realm');
  jwksBody = () => JSON.stringify({ keys: [jwkOf(keyA, 'kid-a')] });
  f.route('/realm/.well-known/openid-configuration', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
      response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    }));
  });
  f.route('/realm/certs', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(maxAge !== null ? { 'cache-control': `public, max-age=${maxAge}` } : {}) });
    res.end(jwksBody());
  });
  // A token endpoint handing out a token signed with key B (kid-b), which the JWKS lacks.
  f.route('/realm/token', (req, res) => {
    req.resume();
    const now = Math.floor(Date.now() / 1000);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: jwt(keyB, 'kid-b', { iss: issuer, sub: 'x', iat: now, exp: now + 300 }), token_type: 'Bearer' }));
  });
});
after(() => f.close());

const certs = () => f.count('/realm/certs');
const entryFiles = (cache) => readdirSync(join(cache, 'tollgate')).filter((n) => n.endsWith('.json')).map((n) => join(cache, 'tollgate', n));
function entryFor(cache, url) {
  for (const file of entryFiles(cache)) {
    const e = JSON.parse(readFileSync(file, 'utf8'));
    if (e.url === url) return { file, e };
  }
  throw new Error(`no cache entry for ${url}`);
}
// Move an entry's fetch time `seconds` into the past.
function age(cache, url, seconds) {
  const { file, e } = entryFor(cache, url);
  e.fetched_at -= seconds;
  writeFileSync(file, JSON.stringify(e));
}

test('a cache hit sends no request at all; files are 0600 in a 0700 directory', async () => {
  const cache = tempDir();
  const before = f.requests.length;
  assert.equal((await tg(['jwks', '--issuer', f.url('/realm')], { cache })).code, 0);
  assert.equal(f.requests.length - before, 2, 'discovery and JWKS fetched once');
  const again = await tg(['jwks', '--issuer', f.url('/realm')], { cache });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(f.requests.length - before, 2, 'the second run reached no server');
  assert.match(again.stdout, /cache \(fetched \d+s ago, fresh for 1[45]m/);
  assert.equal(statSync(join(cache, 'tollgate')).mode & 0o777, 0o700);
  for (const file of entryFiles(cache)) assert.equal(statSync(file).mode & 0o777, 0o600);
  const list = json((await tg(['cache', 'list', '--json'], { cache })).stdout);
  assert.deepEqual(list.entries.map((e) => e.url).sort(), [f.url('/realm/.well-known/openid-configuration'), f.url('/realm/certs')].sort());
  assert.ok(list.entries.every((e) => e.fresh && !e.corrupt));
});

test('expiry: the default TTL is 15 minutes; --cache-ttl replaces it', async () => {
  const cache = tempDir();
  const url = f.url('/realm/certs');
  await tg(['jwks', url], { cache });
  let n = certs();
  age(cache, url, 14 * 60);
  await tg(['jwks', url], { cache });
  assert.equal(certs(), n, 'fresh at 14 minutes');
  age(cache, url, 2 * 60);
  await tg(['jwks', url], { cache });
  assert.equal(certs(), n + 1, 'refetched at 16 minutes');
  n = certs();
  await tg(['jwks', url, '--cache-ttl', '0'], { cache });
  assert.equal(certs(), n + 1, '--cache-ttl 0 always refetches');
  age(cache, url, 3600);
  await tg(['jwks', url, '--cache-ttl', '2h'], { cache });
  assert.equal(certs(), n + 1, 'an hour-old entry is fresh with --cache-ttl 2h');
});

test('Cache-Control max-age is honoured within [1 min, 24 h]', async () => {
  const url = f.url('/realm/certs');
  try {
    for (const [sent, fresh, stale] of [[30, 50, 70], [600, 500, 700], [172800, 23 * 3600, 25 * 3600]]) {
      maxAge = sent;
      const cache = tempDir();
      await tg(['jwks', url], { cache });
      assert.equal(entryFor(cache, url).e.max_age, sent);
      const n = certs();
      age(cache, url, fresh);
      await tg(['jwks', url], { cache });
      assert.equal(certs(), n, `max-age=${sent}: fresh after ${fresh} s`);
      age(cache, url, stale - fresh);
      await tg(['jwks', url], { cache });
      assert.equal(certs(), n + 1, `max-age=${sent}: stale after ${stale} s`);
    }
  } finally {
    maxAge = null;
  }
});

test('a corrupt or truncated entry is ignored and refetched', async () => {
  const cache = tempDir();
  const url = f.url('/realm/certs');
  await tg(['jwks', url], { cache });
  const { file } = entryFor(cache, url);
  const good = readFileSync(file, 'utf8');
  for (const bad of [good.slice(0, good.length / 2), 'garbage', '', JSON.stringify({ ...JSON.parse(good), url: 'https://other.example/certs' })]) {
    writeFileSync(file, bad);
    const listed = json((await tg(['cache', 'list', '--json'], { cache })).stdout);
    assert.ok(listed.entries.some((e) => e.corrupt), 'cache list reports it');
    const n = certs();
    const r = await tg(['jwks', url], { cache });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(certs(), n + 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).url, url, 'rewritten whole');
  }
});

test('concurrent writers never leave a torn entry', async () => {
  const cache = tempDir();
  const url = f.url('/realm/certs');
  const served = new Set();
  const saved = jwksBody;
  // Each response is a different, large JWKS, so interleaved writes would show.
  jwksBody = () => {
    const body = JSON.stringify({ keys: Array.from({ length: 40 }, () => jwkOf(keyA, randomUUID())) });
    served.add(body);
    return body;
  };
  try {
    const runs = await Promise.all(Array.from({ length: 8 }, () => tg(['jwks', url, '--cache-ttl', '0'], { cache })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const { e } = entryFor(cache, url);
    assert.ok(served.has(e.body), 'the entry is exactly one of the served documents');
    assert.deepEqual(readdirSync(join(cache, 'tollgate')).filter((n) => n.includes('.tmp.')), [], 'no temporary files left');
  } finally {
    jwksBody = saved;
  }
});

test('--offline uses the cache only, stale or not; a miss is exit 3', async () => {
  const cache = tempDir();
  await tg(['jwks', '--issuer', f.url('/realm')], { cache });
  const before = f.requests.length;
  let r = await tg(['jwks', '--issuer', f.url('/realm'), '--offline'], { cache });
  assert.equal(r.code, 0, r.stderr);
  age(cache, f.url('/realm/certs'), 3600);
  r = await tg(['jwks', '--issuer', f.url('/realm'), '--offline'], { cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stale by .*--offline/);
  r = await tg(['jwks', f.url('/other/certs'), '--offline'], { cache });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /\/other\/certs: not in the cache and --offline forbids the network \(run once without --offline\)/);
  assert.equal(f.requests.length, before, 'nothing reached the server');
  r = await tg(['jwks', f.url('/realm/certs'), '--offline', '--no-cache'], { cache });
  assert.equal(r.code, 2);
});

test('--no-cache neither reads nor writes', async () => {
  const cache = tempDir();
  const n = certs();
  await tg(['jwks', f.url('/realm/certs'), '--no-cache'], { cache });
  await tg(['jwks', f.url('/realm/certs'), '--no-cache'], { cache });
  assert.equal(certs(), n + 2);
  assert.deepEqual(json((await tg(['cache', 'list', '--json'], { cache })).stdout).entries, []);
});

test('unknown kid: one refetch per invocation even when the cache is fresh, never more', async () => {
  const cache = tempDir();
  const verify = ['token', '--issuer', f.url('/realm'), '--client-id', 'x', '--client-auth', 'none', '--verify'];
  // Cold cache: the JWKS was just fetched, so a refetch would gain nothing (one request).
  let n = certs();
  let r = await tg(verify, { cache });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /does not verify: .*kid-b/);
  assert.equal(certs() - n, 1);
  // Warm, fresh cache: exactly one refetch for the unknown kid, in each invocation.
  for (let i = 0; i < 2; i++) {
    n = certs();
    r = await tg(verify, { cache });
    assert.equal(r.code, 1);
    assert.equal(certs() - n, 1, `invocation ${i + 1} refetched once`);
  }
  // Once the JWKS has the new key, the same invocation succeeds after its one refetch.
  const saved = jwksBody;
  jwksBody = () => JSON.stringify({ keys: [jwkOf(keyA, 'kid-a'), jwkOf(keyB, 'kid-b')] });
  try {
    n = certs();
    r = await tg(verify, { cache });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(certs() - n, 1);
  } finally {
    jwksBody = saved;
  }
});

test('cache clear removes every entry', async () => {
  const cache = tempDir();
  await tg(['jwks', '--issuer', f.url('/realm')], { cache });
  const r = await tg(['cache', 'clear'], { cache });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^removed 2 entries from .*tollgate\n$/);
  assert.deepEqual(entryFiles(cache), []);
  const human = await tg(['cache', 'list'], { cache });
  assert.match(human.stdout, /no entries/);
});

test('no cache poisoning across trust: --insecure never writes the cache, --cacert entries serve only that CA file', async () => {
  const dir = tempDir();
  const cert = selfSignedCert(dir);
  const t = await startFaultServer({ tls: cert });
  const issuer = t.url('/r');
  t.route('/r/.well-known/openid-configuration', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
      response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    }));
  });
  t.route('/r/certs', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwkOf(keyA, 'kid-a')] }));
  });
  try {
    const cache = tempDir();
    let r = await tg(['jwks', '--issuer', issuer, '--insecure'], { cache });
    assert.equal(r.code, 0, r.stderr);
    // A run that verifies TLS must never be served what an unverified connection delivered.
    for (const cmd of [['jwks', '--issuer', issuer], ['discover', issuer], ['jwks', `${issuer}/certs`]]) {
      r = await tg(cmd, { cache });
      assert.equal(r.code, 3, `${cmd.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /TLS: self-signed certificate/);
    }
    assert.deepEqual(json((await tg(['cache', 'list', '--json'], { cache })).stdout).entries, []);

    // --cacert: cached, and served again to runs with the same CA file only.
    r = await tg(['jwks', '--issuer', issuer, '--cacert', cert.certFile], { cache });
    assert.equal(r.code, 0, r.stderr);
    const n = t.requests.length;
    r = await tg(['jwks', '--issuer', issuer, '--cacert', cert.certFile], { cache });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(t.requests.length, n, 'served from the cache');
    r = await tg(['jwks', '--issuer', issuer], { cache });
    assert.equal(r.code, 3, 'the system store never sees an entry fetched under another CA');
    r = await tg(['jwks', '--issuer', issuer, '--offline'], { cache });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /not in the cache/);
    const other = join(dir, 'other-ca.pem');
    copyFileSync(cert.certFile, other);
    r = await tg(['jwks', '--issuer', issuer, '--cacert', other], { cache });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(t.requests.length, n + 2, 'another CA file is another trust context: fetched again');
    const list = json((await tg(['cache', 'list', '--json'], { cache })).stdout);
    assert.equal(list.entries.length, 4);
    assert.deepEqual([...new Set(list.entries.map((e) => e.cacert))].sort(), [realpathSync(cert.certFile), realpathSync(other)].sort());
  } finally {
    await t.close();
  }
});

test('cache clear removes only its own entries and never follows a symlinked directory or entry', async () => {
  const cache = tempDir();
  await tg(['jwks', '--issuer', f.url('/realm')], { cache });
  const dir = join(cache, 'tollgate');
  const [own] = entryFiles(cache);
  const foreign = ['notes.json', 'README', 'backup.json.tmp.abcdef', `${'0'.repeat(31)}.json`];
  for (const name of foreign) writeFileSync(join(dir, name), 'not tollgate\n');
  writeFileSync(join(dir, `${'a'.repeat(32)}.json.tmp.Xy12Z9`), 'torn'); // left by a killed writer
  // An entry-named symlink to a file elsewhere: neither it nor its target is touched.
  const outside = join(tempDir(), 'precious.json');
  writeFileSync(outside, 'keep me');
  const link = join(dir, `${'b'.repeat(32)}.json`);
  symlinkSync(outside, link);
  let r = await tg(['cache', 'clear'], { cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^removed 3 entries from /);
  assert.ok(!existsSync(own));
  for (const name of foreign) assert.ok(existsSync(join(dir, name)), `${name} is not tollgate's and stays`);
  assert.ok(existsSync(link) && readFileSync(outside, 'utf8') === 'keep me');

  // A cache directory that is a symlink is not cleared at all.
  const target = tempDir();
  const victim = join(target, `${'c'.repeat(32)}.json`);
  writeFileSync(victim, '{}');
  const cache2 = tempDir();
  symlinkSync(target, join(cache2, 'tollgate'));
  r = await tg(['cache', 'clear'], { cache: cache2 });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^tollgate: cache directory '.*tollgate' is a symbolic link; not cleared\n$/);
  assert.ok(existsSync(victim));
});
