// tollgate against a real, certified OpenID Provider (oidc-provider, pinned in tests/node) served
// under Keycloak's paths by tests/idp/server.mjs on 127.0.0.1: discovery, JWKS, every token grant,
// verification of the tokens it issues (with key rotation), introspection, userinfo, profiles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_DIR, tempDir, json } from './lib/harness.mjs';
import { tg, watch } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';
import { makeSigningKey } from '../idp/realm.mjs';

const CLI = ['--client-id', 'tollgate-cli'];
let idp;
let dir;
let cliSecret;
let rsSecret;
let signer; // the IdP's first key, with an x5c certificate

function thumbprint(jwk) {
  const canon = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canon).digest('base64url');
}

// An RS256 key and a certificate for it made with the openssl CLI.
function keyWithCertificate(subject) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'signer.key.pem');
  const certFile = join(dir, 'signer.cert.pem');
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  execFileSync('openssl', ['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '3', '-subj', subject], { stdio: 'pipe' });
  const der = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return makeSigningKey({ kid: 'signer-2026-with-a-long-kid-value-that-must-never-be-shortened', privateKey, x5c: [der] });
}

before(async () => {
  dir = tempDir('tollgate-idp-');
  cliSecret = join(dir, 'cli.secret');
  rsSecret = join(dir, 'rs.secret');
  writeFileSync(cliSecret, 'cli-secret\n');
  writeFileSync(rsSecret, 'rs-secret\n');
  signer = keyWithCertificate('/CN=tollgate test signer/O=tollgate');
  idp = await startIdp({ keys: [signer], deviceInterval: 1 });
});
after(async () => {
  await idp?.close();
});

const cc = (extra = [], opts = {}) => tg(['token', '--issuer', idp.issuer, ...CLI, '--client-secret-file', cliSecret, ...extra], opts);

test('discover: the OpenID and UMA2 documents at Keycloak paths', async () => {
  const r = await tg(['discover', idp.issuer, '--uma']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^token_endpoint +${idp.issuer}/protocol/openid-connect/token$`, 'm'));
  assert.match(r.stdout, new RegExp(`^jwks_uri +${idp.issuer}/protocol/openid-connect/certs$`, 'm'));
  assert.match(r.stdout, new RegExp(`^introspection_endpoint +${idp.issuer}/protocol/openid-connect/token/introspect$`, 'm'));
  assert.match(r.stdout, new RegExp(`^permission_endpoint +${idp.issuer}/authz/protection/permission$`, 'm'));
  assert.doesNotMatch(r.stdout, /^(error|warning):/m);
  const j = await tg(['discover', idp.issuer, '--json']);
  assert.equal(json(j.stdout).issuer, idp.issuer);
  const both = json((await tg(['discover', `${idp.issuer}/.well-known/openid-configuration`, '--uma', '--json'])).stdout);
  assert.equal(both['uma2-configuration'].resource_registration_endpoint, `${idp.issuer}/authz/protection/resource_set`);
});

test('discover: an issuer that differs from the document (a trailing slash) is exit 1', async () => {
  const r = await tg(['discover', `${idp.issuer}/`]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^error: issuer ".*\/realms\/tollgate" differs from the requested issuer ".*\/realms\/tollgate\/"/m);
});

test('discover: a Keycloak issuer with a wrong /auth prefix gets a hint', async () => {
  const wrong = idp.issuer.replace('/realms/', '/auth/realms/');
  const r = await tg(['discover', wrong]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /HTTP 404.*Keycloak 17 and later serve realms without the \/auth prefix: try http:\/\/127\.0\.0\.1:\d+\/realms\/tollgate$/m);
});

test('jwks --issuer: the table shows full kids, thumbprints and the x5c subject', async () => {
  const r = await tg(['jwks', '--issuer', idp.issuer]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(signer.kid), r.stdout);
  assert.ok(r.stdout.includes(thumbprint(signer)), r.stdout);
  assert.match(r.stdout, /CN=tollgate test signer/);
  assert.doesNotMatch(r.stdout, /warning/);
  const j = json((await tg(['jwks', '--issuer', idp.issuer, '--json'])).stdout);
  assert.equal(j.keys[0].kid, signer.kid);
  assert.equal(j.keys[0].thumbprint, thumbprint(signer));
  assert.equal(j.keys[0].size, '2048 bits');
  assert.match(j.keys[0].x5c_subject, /^O=tollgate,CN=tollgate test signer$/);
  // The certificate runs out in 3 days: as of a week from now it is expired, a warning only.
  const later = String(Math.floor(Date.now() / 1000) + 7 * 86400);
  const w = await tg(['jwks', '--issuer', idp.issuer, '--at', later]);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /^warning: key #1 \(kid ".*"\): the x5c certificate expired .* ago/m);
  const strict = await tg(['jwks', '--issuer', idp.issuer, '--at', later, '--strict']);
  assert.equal(strict.code, 1);
});

test('token: client_credentials with client_secret_basic and client_secret_post', async () => {
  const basic = await cc();
  assert.equal(basic.code, 0, basic.stderr);
  assert.match(basic.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const post = await tg(['token', '--issuer', idp.issuer, '--client-id', 'tollgate-rs', '--client-secret-file', rsSecret, '--client-auth', 'post', '--json']);
  assert.equal(post.code, 0, post.stderr);
  const body = json(post.stdout);
  assert.equal(body.token_type, 'Bearer');
  const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url'));
  assert.equal(payload.client_id, 'tollgate-rs');
  assert.equal(payload.iss, idp.issuer);
});

test('token: a wrong secret is exit 3 with the IdP error', async () => {
  const r = await tg(['token', '--issuer', idp.issuer, ...CLI], { env: { TOLLGATE_CLIENT_SECRET: 'wrong' } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /\/protocol\/openid-connect\/token: HTTP 401: invalid_client \(client authentication failed\)/);
  assert.equal(r.stdout, '');
});

test('token --verify: the token the IdP issued verifies against its JWKS (iss implied)', async () => {
  const ok = await cc(['--verify', '--audience', 'tollgate-rs']);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await cc(['--verify', '--audience', 'someone-else']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /the access token from the IdP does not verify: .*aud/);
});

test('key rotation: an unknown kid triggers one JWKS refetch, then the token verifies', async () => {
  const cache = tempDir('tollgate-cache-');
  assert.equal((await tg(['jwks', '--issuer', idp.issuer], { cache })).code, 0); // caches the old set
  const newKid = idp.realm.rotateKeys();
  const certsBefore = idp.count('/protocol/openid-connect/certs');
  const discoveryBefore = idp.count('/.well-known/openid-configuration');
  const r = await cc(['--verify', '--json'], { cache });
  assert.equal(r.code, 0, r.stderr);
  const header = JSON.parse(Buffer.from(json(r.stdout).access_token.split('.')[0], 'base64url'));
  assert.equal(header.kid, newKid);
  assert.equal(idp.count('/protocol/openid-connect/certs') - certsBefore, 1, 'exactly one JWKS refetch');
  assert.equal(idp.count('/.well-known/openid-configuration') - discoveryBefore, 0, 'discovery came from the cache');
  // The refetched set was cached: the next invocation needs no JWKS request at all.
  const again = await cc(['--verify'], { cache });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(idp.count('/protocol/openid-connect/certs') - certsBefore, 1);
});

test('introspection of an opaque token: active, then revoked', async () => {
  const tok = await cc(['--resource', 'urn:tollgate:opaque']);
  assert.equal(tok.code, 0, tok.stderr);
  const token = tok.stdout.trim();
  assert.doesNotMatch(token, /\./, 'opaque');
  const rs = ['--issuer', idp.issuer, '--client-id', 'tollgate-rs', '--client-secret-file', rsSecret, '--client-auth', 'post'];
  const active = await tg(['introspect', '-', ...rs, '--json'], { input: token });
  assert.equal(active.code, 0, active.stderr);
  assert.equal(json(active.stdout).active, true);
  assert.equal(json(active.stdout).client_id, 'tollgate-cli');
  const human = await tg(['introspect', '-', ...rs], { input: token });
  assert.match(human.stdout, /^active: true$/m);
  // Revoke it (RFC 7009) as its client, then ask again.
  const res = await fetch(`${idp.issuer}/protocol/openid-connect/revoke`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('tollgate-cli:cli-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  assert.equal(res.status, 200);
  const revoked = await tg(['introspect', '-', ...rs, '--json'], { input: token });
  assert.equal(revoked.code, 1);
  assert.deepEqual(json(revoked.stdout), { active: false });
  const noAuth = await tg(['introspect', '-', '--issuer', idp.issuer, '--client-id', 'tollgate-rs', '--client-auth', 'post'], { input: token });
  assert.equal(noAuth.code, 2);
  assert.match(noAuth.stderr, /client_secret_post needs a secret/);
});

// Start a device flow, wait until tollgate has polled at least `polls` times, approve it.
async function deviceFlow(extra = [], { approve = true, polls = 1, cache } = {}) {
  const before = idp.count('/protocol/openid-connect/token');
  const w = watch(['token', '--issuer', idp.issuer, ...CLI, '--client-secret-file', cliSecret, '--grant', 'device_code', ...extra], { cache });
  const m = await w.waitFor(/enter the code (\S+)\n/);
  await w.waitFor(/Waiting for the sign-in/);
  const start = Date.now();
  while (idp.count('/protocol/openid-connect/token') - before < polls) {
    if (Date.now() - start > 15000) throw new Error('tollgate did not poll');
    await new Promise((r) => setTimeout(r, 50));
  }
  if (approve) await idp.realm.approveDevice(m[1]);
  return { ...(await w.done), userCode: m[1] };
}

test('device flow: authorization_pending, then approval, then refresh and userinfo', async () => {
  const r = await deviceFlow(['--scope', 'openid offline_access', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`To sign in, open ${idp.issuer}/device and enter the code ${r.userCode}`));
  const body = json(r.stdout);
  assert.ok(body.access_token && body.refresh_token && body.id_token);
  // refresh_token grant with the refresh token from a file
  const rtFile = join(dir, 'rt.txt');
  writeFileSync(rtFile, `${body.refresh_token}\n`);
  const refreshed = await cc(['--grant', 'refresh_token', '--refresh-token', `@${rtFile}`, '--json']);
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.notEqual(json(refreshed.stdout).access_token, body.access_token);
  // userinfo with the user's access token; the client's own JWT is rejected (exit 1)
  const info = await tg(['userinfo', json(refreshed.stdout).access_token, '--issuer', idp.issuer, '--json']);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(json(info.stdout).sub, 'alice');
  const machine = (await cc()).stdout.trim();
  const rejected = await tg(['userinfo', machine, '--issuer', idp.issuer]);
  assert.equal(rejected.code, 1);
  assert.match(rejected.stderr, /HTTP 401: the IdP rejected the token: invalid_token/);
});

test('device flow: slow_down adds 5 s to the polling interval (RFC 8628 3.5)', async () => {
  idp.realm.state.slowDownNext = 1;
  const before = idp.requests.length;
  const r = await deviceFlow([], { polls: 1 });
  assert.equal(r.code, 0, r.stderr);
  const polls = idp.requests.slice(before).filter((q) => q.url.endsWith('/protocol/openid-connect/token'));
  assert.ok(polls.length >= 2);
  const gap = polls[1].time - polls[0].time;
  assert.ok(gap >= 5800, `the poll after slow_down came ${gap} ms later (interval 1 s + 5 s)`);
});

test('device flow: a denied request and an expired code end with exit 3', async () => {
  const w = watch(['token', '--issuer', idp.issuer, ...CLI, '--client-secret-file', cliSecret, '--grant', 'device_code']);
  const m = await w.waitFor(/enter the code (\S+)\n/);
  await idp.realm.denyDevice(m[1]);
  const denied = await w.done;
  assert.equal(denied.code, 3);
  assert.match(denied.stderr, /access_denied/);

  const short = await startIdp({ deviceInterval: 1, deviceCodeTtl: 2 });
  try {
    const r = await tg(['token', '--issuer', short.issuer, ...CLI, '--client-secret-file', cliSecret, '--grant', 'device_code'], { timeout: 15000 });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /expired/);
    assert.ok(r.ms < 8000, `took ${r.ms} ms`);
  } finally {
    await short.close();
  }
});

test('password grant: right and wrong credentials', async () => {
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'alice-password\n');
  const ok = await cc(['--grant', 'password', '--username', 'alice', '--password-file', pw, '--scope', 'openid', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(json(ok.stdout).refresh_token);
  const bad = await cc(['--grant', 'password', '--username', 'alice'], { env: { TOLLGATE_PASSWORD: 'nope' } });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /HTTP 401: invalid_grant \(Invalid user credentials\)/);
  const noPw = await cc(['--grant', 'password', '--username', 'alice']);
  assert.equal(noPw.code, 2);
  assert.match(noPw.stderr, /needs a password/);
});

test('authorization code + PKCE S256 through the loopback redirect (--open with $BROWSER)', async () => {
  const browser = join(dir, 'browser.sh');
  writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${join(SOURCE_DIR, 'tests', 'idp', 'browser.mjs')}" "$1"\n`);
  chmodSync(browser, 0o755);
  const before = idp.requests.length;
  const r = await tg(['token', '--issuer', idp.issuer, '--client-id', 'tollgate-public', '--client-auth', 'none', '--grant', 'authorization_code', '--open', '--scope', 'openid', '--json'],
    { env: { BROWSER: browser } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(json(r.stdout).id_token);
  const auth = idp.requests.slice(before).find((q) => q.url.startsWith(`${new URL(idp.issuer).pathname}/protocol/openid-connect/auth?`));
  const q = new URL(auth.url, idp.origin).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[\w-]{43}$/);
  assert.match(q.get('redirect_uri'), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  // No browser: the wait ends at --login-timeout.
  const t = await tg(['token', '--issuer', idp.issuer, '--client-id', 'tollgate-public', '--client-auth', 'none', '--grant', 'authorization_code', '--login-timeout', '1s']);
  assert.equal(t.code, 3);
  assert.match(t.stderr, /no authorization response reached http:\/\/127\.0\.0\.1:\d+\/callback within 1000 ms/);
});

test('profiles: issuer and client from config.yaml, flags override, TOLLGATE_PROFILE selects', async () => {
  const config = tempDir('tollgate-config-');
  mkdirSync(join(config, 'tollgate'));
  writeFileSync(join(config, 'tollgate', 'config.yaml'), [
    'profiles:',
    '  dev:',
    `    issuer: ${idp.issuer}`,
    '    client_id: tollgate-cli',
    `    client_secret_file: ${cliSecret}`,
    '    timeout_ms: 2000',
    '  rs:',
    `    issuer: ${idp.issuer}`,
    '    client_id: tollgate-rs',
    `    client_secret_file: ${rsSecret}`,
    '    client_auth: post',
    '    audience: tollgate-rs',
    '',
  ].join('\n'));
  const r = await tg(['token', '--profile', 'dev'], { config });
  assert.equal(r.code, 0, r.stderr);
  const env = await tg(['token', '--verify'], { config, env: { TOLLGATE_PROFILE: 'rs' } });
  assert.equal(env.code, 0, env.stderr);
  const overridden = await tg(['token', '--profile', 'dev', '--client-id', 'tollgate-rs'], { config });
  assert.equal(overridden.code, 3, 'the flag replaced the profile client id, so the secret no longer fits');
  const missing = await tg(['token', '--profile', 'nope'], { config });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /profile 'nope' not found in .*config\.yaml \(profiles: dev, rs\)/);
});

test('legacy Keycloak (/auth prefix, token_introspection_endpoint)', async () => {
  const legacy = await startIdp({ legacy: true });
  try {
    assert.match(legacy.issuer, /\/auth\/realms\/tollgate$/);
    const hint = await tg(['discover', legacy.issuer.replace('/auth/realms/', '/realms/')]);
    assert.equal(hint.code, 3);
    assert.match(hint.stderr, /Keycloak 16 and older .* use the \/auth prefix: try http:\/\/127\.0\.0\.1:\d+\/auth\/realms\/tollgate$/m);
    const d = await tg(['discover', legacy.issuer]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^token_introspection_endpoint \(legacy\) +http/m);
    assert.match(d.stdout, /^warning: only the legacy "token_introspection_endpoint" is published/m);
    const tok = await tg(['token', '--issuer', legacy.issuer, ...CLI, '--client-secret-file', cliSecret, '--resource', 'urn:tollgate:opaque']);
    assert.equal(tok.code, 0, tok.stderr);
    const i = await tg(['introspect', '-', '--issuer', legacy.issuer, '--client-id', 'tollgate-rs', '--client-secret-file', rsSecret, '--client-auth', 'post'], { input: tok.stdout.trim() });
    assert.equal(i.code, 0, i.stderr);
    assert.equal(legacy.count('/protocol/openid-connect/token/introspect'), 1);
  } finally {
    await legacy.close();
  }
});
