// discover's checks against documents served by our own server: required fields, exact issuer,
// https endpoints, malformed documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startFaultServer } from './lib/faults.mjs';

let f;
const docs = new Map();
before(async () => {
  f = await startFaultServer();
  f.route('/x', () => {});
});
after(() => f.close());

// Serve `doc(issuer)` as the OpenID configuration of issuer f.url(path).
function serve(path, doc) {
  const issuer = f.url(path);
  docs.set(path, doc);
  f.route(`${path}/.well-known/openid-configuration`, (req, res) => {
    const body = typeof doc === 'function' ? doc(issuer) : doc;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  return issuer;
}
const complete = (issuer) => ({
  issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
  response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
});

test('a complete document on loopback passes', async () => {
  const issuer = serve('/ok', complete);
  const r = await tg(['discover', issuer]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /^(error|warning):/m);
});

test('missing required fields are errors (exit 1)', async () => {
  const issuer = serve('/missing', (iss) => ({ issuer: iss, token_endpoint: `${iss}/token` }));
  const r = await tg(['discover', issuer]);
  assert.equal(r.code, 1);
  for (const field of ['authorization_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
    assert.match(r.stdout, new RegExp(`^error: required field "${field}" is missing$`, 'm'));
  }
});

test('plain-http endpoints on another host are findings unless --allow-http', async () => {
  const issuer = serve('/http', (iss) => ({ ...complete(iss), token_endpoint: 'http://sso.example.com/token', userinfo_endpoint: 'not a url' }));
  const r = await tg(['discover', issuer]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^error: "token_endpoint" uses plain http: http:\/\/sso\.example\.com\/token/m);
  assert.match(r.stdout, /^error: "userinfo_endpoint" 'not a url' contains a space/m);
  const allowed = await tg(['discover', issuer, '--allow-http']);
  assert.doesNotMatch(allowed.stdout, /uses plain http/);
  assert.equal(allowed.code, 1, 'the bad URL is still an error');
});

test('an issuer mismatch is reported with --json too (document on stdout, finding on stderr)', async () => {
  const issuer = serve('/mismatch', (iss) => ({ ...complete(iss), issuer: 'https://evil.example.com/realms/x' }));
  const r = await tg(['discover', issuer, '--json']);
  assert.equal(r.code, 1);
  assert.equal(json(r.stdout).issuer, 'https://evil.example.com/realms/x');
  assert.match(r.stderr, /issuer "https:\/\/evil\.example\.com\/realms\/x" differs from the requested issuer/);
  // Commands that use the endpoints refuse such a document (exit 3).
  const t = await tg(['token', '--issuer', issuer, '--client-id', 'x', '--client-auth', 'none']);
  assert.equal(t.code, 3);
  assert.match(t.stderr, /differs from the requested issuer/);
});

test('a document that is not an object, or a duplicate member, is refused', async () => {
  let r = await tg(['discover', serve('/array', '[1,2]')]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^error: the document is not a JSON object$/m);
  r = await tg(['discover', serve('/dup', '{"issuer":"a","issuer":"b"}')]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /member name "issuer" appears twice/);
});

test('bad input: no issuer, a non-http scheme, a query in the issuer', async () => {
  let r = await tg(['discover']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no issuer: pass ISSUER/);
  r = await tg(['discover', 'ftp://sso.example.com/realms/x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /has scheme 'ftp': only http:\/\/ and https:\/\/ are supported/);
  r = await tg(['discover', 'https://sso.example.com/realms/x?a=b']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /has a query/);
});
