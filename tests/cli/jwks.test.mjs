// jwks on files: the table and every warning (no network involved).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';

let dir;
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pub = (pair, extra = {}) => ({ ...pair.publicKey.export({ format: 'jwk' }), ...extra });

function certFor(pair, days) {
  const key = join(dir, `k${Math.random()}.pem`);
  const cert = `${key}.crt`;
  writeFileSync(key, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  if (days > 0) {
    execFileSync('openssl', ['req', '-x509', '-key', key, '-out', cert, '-days', String(days), '-subj', '/CN=jwks test'], { stdio: 'pipe' });
  } else {
    // req -x509 refuses negative days; x509 -req makes a certificate whose validity ended already.
    execFileSync('openssl', ['req', '-new', '-key', key, '-out', `${key}.csr`, '-subj', '/CN=jwks test'], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', `${key}.csr`, '-signkey', key, '-days', String(days), '-out', cert], { stdio: 'pipe' });
  }
  return readFileSync(cert, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}
const file = (doc) => {
  const p = join(dir, `jwks${Math.random()}.json`);
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
};

before(() => {
  dir = tempDir();
});

test('a clean set: no warnings, exit 0 even with --strict', async () => {
  const a = rsa();
  const r = await tg(['jwks', file({ keys: [pub(a, { kid: 'a', alg: 'RS256', use: 'sig', x5c: [certFor(a, 10)] })] }), '--strict']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /X5C SUBJECT +NOT AFTER/);
  assert.match(r.stdout, /CN=jwks test/);
  assert.doesNotMatch(r.stdout, /warning/);
});

test('every warning, which change the exit status only with --strict', async () => {
  const a = rsa();
  const b = rsa();
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const doc = {
    keys: [
      pub(a, { kid: 'dup', alg: 'RS256' }),
      pub(b, { kid: 'dup', alg: 'RS256' }),
      pub(ec),
      pub(small, { kid: 'small' }),
      { ...a.privateKey.export({ format: 'jwk' }), kid: 'private' },
      { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hmac' },
      pub(a, { kid: 'mismatch', x5c: [certFor(b, 10)] }),
      pub(b, { kid: 'expired', x5c: [certFor(b, -1)] }),
      pub(a, { kid: 'bad-x5c', x5c: ['not base64!'] }),
      pub(a, { kid: 'e-one', e: 'AQ' }),
    ],
  };
  const path = file(doc);
  const r = await tg(['jwks', path]);
  assert.equal(r.code, 0, r.stderr);
  for (const re of [
    /kid "dup" is used by keys #1, #2/,
    /key #3 has no kid/,
    /key #4 \(kid "small"\) is a 1024-bit RSA key/,
    /key #5 \(kid "private"\) holds private key material/,
    /key #6 \(kid "hmac"\) is a symmetric \(oct\) key/,
    /key #7 \(kid "mismatch"\): the x5c certificate holds a different public key than the JWK's n\/e/,
    /key #8 \(kid "expired"\): the x5c certificate expired/,
    /key #9 \(kid "bad-x5c"\) x5c\[0\] is not standard base64/,
    /key #10 \(kid "e-one"\) cannot verify signatures/,
  ]) assert.match(r.stdout, re);
  const j = json((await tg(['jwks', path, '--json'])).stdout);
  const codes = Object.fromEntries(j.warnings.map((w) => [`${w.key}:${w.code}`, true]));
  for (const k of ['1:duplicate_kid', '3:missing_kid', '4:weak_key', '5:private_key', '6:symmetric_key', '7:x5c_mismatch', '8:cert_expired', '9:bad_x5c', '10:weak_key']) {
    assert.ok(codes[k], `${k} in ${JSON.stringify(Object.keys(codes))}`);
  }
  assert.equal((await tg(['jwks', path, '--strict'])).code, 1);
});

test('a certificate that is not yet valid (--at before its start)', async () => {
  const a = rsa();
  const r = await tg(['jwks', file({ keys: [pub(a, { kid: 'a', x5c: [certFor(a, 10)] })] }), '--at', '2001-01-01T00:00:00Z']);
  assert.match(r.stdout, /the x5c certificate is not valid before/);
});

test('long kids are never shortened', async () => {
  const kid = `kid-${'x'.repeat(200)}`;
  const r = await tg(['jwks', file({ keys: [pub(rsa(), { kid })] })]);
  assert.ok(r.stdout.includes(kid));
});

test('bad input is exit 2: missing file, not JSON, not a JWKS, FILE and --issuer together', async () => {
  let r = await tg(['jwks', join(dir, 'nope.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot open JWKS file .*nope\.json/);
  r = await tg(['jwks', file('{"keys": [')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not valid JSON at byte/);
  r = await tg(['jwks', file({ hello: 1 })]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /neither a JWKS/);
  r = await tg(['jwks', file({ keys: [] }), '--issuer', 'https://sso.example.com/realms/x']);
  assert.equal(r.code, 2);
  r = await tg(['jwks']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no JWKS: pass FILE, URL/);
});
