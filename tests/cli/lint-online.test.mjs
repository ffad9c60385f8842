// tollgate lint --online against the real OpenID Provider (tests/idp): the JWKS and discovery
// checks of issue 4, and "IdP down" (exit 3) told apart from "config wrong" (exit 1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';

let idp;
before(async () => {
  idp = await startIdp();
});
after(() => idp?.close());

function krakend(validator) {
  return JSON.stringify({
    version: 3,
    endpoints: [
      {
        endpoint: '/reports',
        backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/reports' }],
        extra_config: { 'auth/validator': { alg: 'RS256', cache: true, audience: ['tollgate-rs'], ...validator } },
      },
    ],
  }, null, 2);
}
function file(name, text) {
  const p = join(tempDir(), name);
  writeFileSync(p, text);
  return p;
}
const findings = (r) => JSON.parse(r.stdout).files[0].findings.map((f) => `${f.rule} ${f.pointer}`);

test('a validator whose jwk_url and issuer match the IdP is clean online', async () => {
  const cfg = file('ok.json', krakend({ jwk_url: `${idp.issuer}/protocol/openid-connect/certs`, issuer: idp.issuer, disable_jwk_security: true }));
  const r = await tg(['lint', cfg, '--online', '--format', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(findings(r).filter((f) => f.startsWith('online/')), []);
});

test('issuer with a trailing slash, and a jwk_url without a key for the alg, are errors', async () => {
  const cfg = file('bad.json', krakend({ jwk_url: `${idp.issuer}/protocol/openid-connect/certs`, issuer: `${idp.issuer}/`, alg: 'ES256', disable_jwk_security: true }));
  const r = await tg(['lint', cfg, '--online', '--format', 'json']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const f = findings(r);
  assert.ok(f.includes('online/issuer-mismatch /endpoints/0/extra_config/auth~1validator/issuer'), f.join('\n'));
  assert.ok(f.includes('online/jwks-no-usable-key /endpoints/0/extra_config/auth~1validator/jwk_url'), f.join('\n'));
  const text = JSON.parse(r.stdout).files[0].findings.find((x) => x.rule === 'online/issuer-mismatch').message;
  assert.match(text, /trailing slash/);
});

test('an unreachable IdP is exit 3 when nothing else is wrong, and the finding names the URL', async () => {
  const dead = 'http://127.0.0.1:9/realms/tollgate';
  const cfg = file('down.json', krakend({ jwk_url: `${dead}/protocol/openid-connect/certs`, issuer: dead, disable_jwk_security: true }));
  const r = await tg(['lint', cfg, '--online', '--format', 'json', '--timeout', '1000']);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const f = JSON.parse(r.stdout).files[0].findings.find((x) => x.rule === 'online/jwks-unreachable');
  assert.match(f.message, /127\.0\.0\.1:9.*connection refused/);
});

test('without --online nothing is fetched', async () => {
  const n = idp.count('/protocol/openid-connect/certs');
  const cfg = file('quiet.json', krakend({ jwk_url: `${idp.issuer}/protocol/openid-connect/certs`, issuer: idp.issuer, disable_jwk_security: true }));
  const r = await tg(['lint', cfg, '--format', 'json']);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(idp.count('/protocol/openid-connect/certs'), n);
});

test('APISIX: lazy_load_paths with the UMA2 discovery document passes; the openid one is flagged', async () => {
  const route = (discovery) => JSON.stringify({
    uri: '/api/*',
    plugins: { 'authz-keycloak': { client_id: 'tollgate-rs', discovery, lazy_load_paths: true, client_secret: '$env://RS_SECRET' } },
    upstream: { type: 'roundrobin', nodes: { '127.0.0.1:9': 1 } },
  });
  const good = await tg(['lint', file('uma.json', route(`${idp.issuer}/.well-known/uma2-configuration`)), '--online', '--format', 'json']);
  assert.deepEqual(findings(good).filter((f) => f.startsWith('online/')), [], good.stdout);
  const bad = await tg(['lint', file('oidc.json', route(`${idp.issuer}/.well-known/openid-configuration`)), '--online', '--format', 'json']);
  assert.equal(bad.code, 1);
  assert.ok(findings(bad).some((f) => f.startsWith('online/discovery-not-uma2') || f.startsWith('apisix/lazy-load-openid-discovery')), bad.stdout);
});
