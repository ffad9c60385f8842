// -v over HTTP/2: libcurl traces h2 requests differently from HTTP/1.1 (one lower-case header
// block, and info lines such as "h2h3 [authorization: Basic ...]" or "[HTTP/2] [1]
// [authorization: ...]" that list every header it hands to nghttp2). No secret may reach stderr
// whatever the trace kind, while the request and response lines still show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureServer } from 'node:http2';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { selfSignedCert } from './lib/faults.mjs';

const SECRETS = {
  client: 'CLIENT-SECRET-333',
  password: 'PASSWORD-444',
  access: 'AT-SECRET-111',
  refresh: 'RT-SECRET-222',
  device: 'DC-SECRET-555',
  code: 'CODE-SECRET-666',
  jwt: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
};

let server;
let origin;
let cert;
let dir;
const seen = [];

before(async () => {
  dir = tempDir();
  cert = selfSignedCert(dir);
  // allowHTTP1 false: a client that does not speak h2 gets nothing, so the test cannot pass over
  // HTTP/1.1 by accident.
  server = createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: false }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ version: req.httpVersion, path: req.url, body, headers: req.headers });
      const send = (status, doc) => {
        res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': `sid=${SECRETS.code}` });
        res.end(JSON.stringify(doc));
      };
      const path = req.url.split('?')[0];
      if (path === '/.well-known/openid-configuration') {
        return send(200, {
          issuer: origin,
          authorization_endpoint: `${origin}/auth`,
          token_endpoint: `${origin}/token`,
          device_authorization_endpoint: `${origin}/device`,
          userinfo_endpoint: `${origin}/userinfo`,
          jwks_uri: `${origin}/certs`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (path === '/device') {
        return send(200, { device_code: SECRETS.device, user_code: 'ABCD-EFGH', verification_uri: `${origin}/activate`, expires_in: 60, interval: 0 });
      }
      if (path === '/token') {
        return send(200, { access_token: SECRETS.access, refresh_token: SECRETS.refresh, id_token: SECRETS.jwt, token_type: 'Bearer', expires_in: 60 });
      }
      if (path === '/userinfo') return send(200, { sub: 'alice' });
      return send(404, { error: 'not_found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${server.address().port}`;
  writeFileSync(join(dir, 'secret'), `${SECRETS.client}\n`);
  writeFileSync(join(dir, 'pw'), `${SECRETS.password}\n`);
  writeFileSync(join(dir, 'rt'), `${SECRETS.refresh}\n`);
  writeFileSync(join(dir, 'at'), `${SECRETS.access}\n`);
});
after(() => new Promise((resolve) => server.close(resolve)));

function assertNoSecrets(r, what) {
  const forms = [...Object.values(SECRETS), Buffer.from(`c1:${SECRETS.client}`).toString('base64'), 'eyJhbGciOiJub25lIn0'];
  for (const s of forms) assert.ok(!r.stderr.includes(s), `${s} leaked into the ${what} trace:\n${r.stderr}`);
}

const net = () => ['--cacert', cert.certFile, '-v'];
const client = (auth) => ['--client-id', 'c1', '--client-secret-file', join(dir, 'secret'), '--client-auth', auth];

test('token -v over h2: password grant with Basic and with client_secret_post', async () => {
  for (const auth of ['basic', 'post']) {
    const before = seen.length;
    const r = await tg(['token', '--token-endpoint', `${origin}/token?code=${SECRETS.code}`, ...client(auth), '--grant', 'password', '--username', 'alice',
      '--password-file', join(dir, 'pw'), ...net()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${SECRETS.access}\n`);
    assert.equal(seen[before].version, '2.0', 'the request went over HTTP/2');
    assertNoSecrets(r, auth);
    assert.match(r.stderr, /^> POST \/token\?code=\[redacted\] HTTP\/2$/m);
    assert.match(r.stderr, /^< HTTP\/2 200/m);
    assert.match(r.stderr, /password=\[redacted\]/);
    assert.match(r.stderr, /"access_token":"\[redacted\]"/);
    if (auth === 'basic') assert.match(r.stderr, /^> authorization: Basic \[redacted\]$/im);
    else assert.match(r.stderr, /client_secret=\[redacted\]/);
  }
});

test('token -v over h2: refresh_token and device_code grants (discovery over h2 too)', async () => {
  let r = await tg(['token', '--issuer', origin, ...client('basic'), '--grant', 'refresh_token', '--refresh-token', `@${join(dir, 'rt')}`, ...net()]);
  assert.equal(r.code, 0, r.stderr);
  assertNoSecrets(r, 'refresh_token');
  assert.match(r.stderr, /^> GET \/\.well-known\/openid-configuration HTTP\/2$/m);
  assert.match(r.stderr, /refresh_token=\[redacted\]/);

  r = await tg(['token', '--issuer', origin, ...client('post'), '--grant', 'device_code', ...net()]);
  assert.equal(r.code, 0, r.stderr);
  assertNoSecrets(r, 'device_code');
  assert.match(r.stderr, /device_code=\[redacted\]/);
  assert.match(r.stderr, /"device_code":"\[redacted\]"/);
});

test('userinfo -v over h2: the Bearer token never shows', async () => {
  const r = await tg(['userinfo', `@${join(dir, 'at')}`, '--userinfo-endpoint', `${origin}/userinfo`, ...net()]);
  assert.equal(r.code, 0, r.stderr);
  assertNoSecrets(r, 'userinfo');
  assert.match(r.stderr, /^> authorization: Bearer \[redacted\]$/im);
  assert.match(r.stderr, /^< HTTP\/2 200/m);
});
