// libcurl lives in the run-time module tollgate_http.so: offline commands never load it, network
// commands load it on their first request, a missing module is a clear error, and one process
// reuses its connections (keep-alive).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, tempDir } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startFaultServer, refusedPort } from './lib/faults.mjs';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.';
let f;
before(async () => {
  f = await startFaultServer();
  const issuer = f.url('/r');
  const doc = (extra) => JSON.stringify({
    issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
    response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], ...extra,
  });
  for (const [path, body] of [
    ['/r/.well-known/openid-configuration', doc({})],
    ['/r/.well-known/uma2-configuration', doc({ resource_registration_endpoint: `${issuer}/rs`, permission_endpoint: `${issuer}/perm` })],
  ]) {
    f.route(path, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  }
});
after(() => f.close());

// The shared objects a run loaded, from the dynamic loader's own trace.
async function loaded(args, opts = {}) {
  const r = await tg(args, { ...opts, env: { LD_DEBUG: 'files', ...(opts.env ?? {}) } });
  const libs = [...r.stderr.matchAll(/file=(\S+) \[0\];\s+(?:needed|dynamically loaded) by/g)].map((m) => m[1]);
  return { ...r, libs };
}

test('decode and other offline commands do not load libcurl or the module', async () => {
  const file = join(tempDir(), 'keys.json');
  writeFileSync(file, JSON.stringify({ keys: [] }));
  for (const args of [['decode', TOKEN], ['jwks', file], ['cache', 'list'], ['profile', 'list'], ['jwks', '--help']]) {
    const r = await loaded(args);
    assert.ok(r.libs.length > 0, `LD_DEBUG works (${args.join(' ')})`);
    assert.ok(!r.libs.some((l) => /libcurl|tollgate_http/.test(l)), `${args.join(' ')} loaded: ${r.libs.join(', ')}`);
  }
});

test('a network command loads the module and libcurl on its first request', async () => {
  const port = await refusedPort();
  const r = await loaded(['jwks', `http://127.0.0.1:${port}/certs`]);
  assert.equal(r.code, 3);
  assert.ok(r.libs.some((l) => l.endsWith('/tollgate_http.so')), r.libs.join(', '));
  assert.ok(r.libs.some((l) => /libcurl\.so/.test(l)), r.libs.join(', '));
});

test('a cache hit with --offline needs no module', async () => {
  const cache = tempDir();
  assert.equal((await tg(['discover', f.url('/r')], { cache })).code, 0);
  const r = await loaded(['discover', f.url('/r'), '--offline'], { cache });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.libs.some((l) => /libcurl|tollgate_http/.test(l)));
});

test('a missing module is exit 4 naming every path searched', async () => {
  const dir = tempDir();
  const bin = join(dir, 'tollgate');
  copyFileSync(BIN, bin);
  assert.ok(existsSync(join(dirname(BIN), 'tollgate_http.so')), 'the build puts the module next to the executable');
  const r = await tg(['jwks', f.url('/json')], { bin });
  assert.equal(r.code, 4);
  assert.match(r.stderr, new RegExp(`^tollgate: the HTTP module tollgate_http\\.so is missing \\(searched: ${dir}/tollgate_http\\.so, ${dir}/[^,]+/tollgate_http\\.so\\)`));
  const offline = await tg(['decode', TOKEN], { bin });
  assert.equal(offline.code, 0, 'offline commands work without it');
});

test('one process reuses its kept-alive connection', async () => {
  const before = f.requests.length;
  const r = await tg(['discover', f.url('/r'), '--uma', '--no-cache', '-v']);
  assert.equal(r.code, 0, r.stderr);
  const seen = f.requests.slice(before);
  assert.equal(seen.length, 2);
  assert.equal(seen[0].remotePort, seen[1].remotePort, 'both documents came over one connection');
  assert.match(r.stderr, /Re-using existing connection/);
});
