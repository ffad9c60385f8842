// tollgate sign and tollgate jwk: what they mint verifies (with tollgate and with Node's crypto),
// files are written atomically with the right modes, conversions round-trip.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createHash, verify as nodeVerify, createHmac } from 'node:crypto';
import { readFileSync, statSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, json, tempDir, writeTemp } from './lib/harness.mjs';
import { keyFile, jwk } from './lib/jwt.mjs';

const parts = (t) => t.trim().split('.');
const decodePart = (p) => JSON.parse(Buffer.from(p, 'base64url').toString());

describe('jwk gen', () => {
  for (const [args, check] of [
    [['--kty', 'RSA'], (k) => assert.equal(Buffer.from(k.n, 'base64url').length, 256)],
    [['--kty', 'RSA', '--size', '3072', '--alg', 'PS384'], (k) => { assert.equal(Buffer.from(k.n, 'base64url').length, 384); assert.equal(k.alg, 'PS384'); }],
    [['--kty', 'EC'], (k) => { assert.equal(k.crv, 'P-256'); assert.equal(Buffer.from(k.x, 'base64url').length, 32); }],
    [['--kty', 'EC', '--crv', 'P-521'], (k) => assert.equal(Buffer.from(k.y, 'base64url').length, 66)],
    [['--kty', 'OKP'], (k) => assert.equal(k.crv, 'Ed25519')],
    [['--kty', 'OKP', '--crv', 'Ed448'], (k) => assert.equal(Buffer.from(k.x, 'base64url').length, 57)],
    [['--kty', 'oct', '--alg', 'HS512'], (k) => assert.equal(Buffer.from(k.k, 'base64url').length, 64)],
  ]) {
    test(`gen ${args.join(' ')}`, () => {
      const dir = tempDir();
      const out = join(dir, 'k.jwk');
      const pub = join(dir, 'k.pub.jwk');
      const extra = args.includes('oct') ? [] : ['--public-out', pub];
      const r = run(['jwk', 'gen', ...args, '--out', out, ...extra]);
      assert.equal(r.code, 0, r.stderr);
      const k = JSON.parse(readFileSync(out, 'utf8'));
      check(k);
      assert.equal(statSync(out).mode & 0o777, 0o600, 'private key file is 0600');
      assert.equal(k.use, 'sig');
      // kid defaults to the RFC 7638 thumbprint
      assert.equal(k.kid, run(['jwk', 'thumbprint', out]).stdout.trim());
      if (extra.length) {
        const p = JSON.parse(readFileSync(pub, 'utf8'));
        for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!(m in p), `public JWK has no ${m}`);
        assert.equal(p.kid, k.kid);
      }
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary files left');
    });
  }
  test('bad parameters are usage errors', () => {
    for (const [args, re] of [
      [['--kty', 'RSA', '--size', '1024'], /2048 to 16384/],
      [['--kty', 'EC', '--crv', 'Ed25519'], /P-256, P-384 or P-521/],
      [['--kty', 'EC', '--alg', 'RS256'], /does not fit/],
      [['--kty', 'DSA'], /--kty/],
      [[], /--kty is required/],
    ]) {
      const r = run(['jwk', 'gen', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });
});

describe('jwk thumbprint', () => {
  test('matches RFC 7638 computed independently, for JWK, JWKS and PEM input', () => {
    const k = jwk('ec-256.pub.jwk');
    const expected = createHash('sha256').update(JSON.stringify({ crv: k.crv, kty: k.kty, x: k.x, y: k.y })).digest('base64url');
    assert.equal(run(['jwk', 'thumbprint', keyFile('ec-256.pub.jwk')]).stdout.trim(), expected);
    assert.equal(run(['jwk', 'thumbprint', keyFile('ec-256.pub.pem')]).stdout.trim(), expected);
    assert.equal(run(['jwk', 'thumbprint', '-'], { input: readFileSync(keyFile('ec-256.jwk')) }).stdout.trim(), expected);
    const set = run(['jwk', 'thumbprint', keyFile('jwks.json'), '--json']);
    const doc = json(set.stdout);
    assert.equal(doc.keys.length, 9);
    assert.equal(doc.keys.find((x) => x.kid === 'ec-256').thumbprint, expected);
  });
  test('the RFC 7638 section 3.1 example', () => {
    const example = { kty: 'RSA', n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw', e: 'AQAB', alg: 'RS256', kid: '2011-04-29' };
    const r = run(['jwk', 'thumbprint', '-'], { input: JSON.stringify(example) });
    assert.equal(r.stdout.trim(), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
  test('a JWK without its required members is an error', () => {
    const r = run(['jwk', 'thumbprint', '-'], { input: '{"kty":"EC","crv":"P-256","x":"AAAA"}' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RFC 7638/);
  });
});

describe('jwk convert and pub', () => {
  test('PEM -> JWK -> PEM round-trips, public and private', () => {
    const dir = tempDir();
    const j = run(['jwk', 'convert', keyFile('rsa-2048.key.pem')]);
    assert.equal(j.code, 0, j.stderr);
    const priv = JSON.parse(j.stdout);
    assert.equal(priv.n, jwk('rsa-2048.jwk').n);
    assert.equal(priv.d, jwk('rsa-2048.jwk').d);
    const back = join(dir, 'back.pem');
    assert.equal(run(['jwk', 'convert', '-', '--out', back], { input: j.stdout }).code, 0);
    assert.match(readFileSync(back, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.equal(statSync(back).mode & 0o777, 0o600);
    const pubPem = run(['jwk', 'convert', keyFile('rsa-2048.jwk'), '--public']).stdout;
    assert.equal(pubPem, readFileSync(keyFile('rsa-2048.pub.pem'), 'utf8'));
    const pubJwk = json(run(['jwk', 'convert', keyFile('ed25519.pub.pem')]).stdout);
    assert.deepEqual({ kty: pubJwk.kty, crv: pubJwk.crv, x: pubJwk.x }, { kty: 'OKP', crv: 'Ed25519', x: jwk('ed25519.jwk').x });
    const ecPriv = json(run(['jwk', 'convert', keyFile('ec-521.jwk'), '--to', 'jwk']).stdout);
    assert.equal(ecPriv.d, jwk('ec-521.jwk').d);
  });
  test('pub strips private members from a JWK and a JWKS (dropping oct keys with a warning)', () => {
    const one = json(run(['jwk', 'pub', keyFile('rsa-2048.jwk')]).stdout);
    assert.ok(!('d' in one) && one.n);
    const dir = tempDir();
    const set = writeTemp('set.json', JSON.stringify({ keys: [jwk('ec-256.jwk'), jwk('hs-256.jwk')] }), dir);
    const r = run(['jwk', 'pub', set]);
    assert.equal(r.code, 0);
    const doc = json(r.stdout);
    assert.equal(doc.keys.length, 1);
    assert.ok(!('d' in doc.keys[0]));
    assert.match(r.stderr, /dropping oct key "hs-256"/);
    assert.equal(run(['jwk', 'pub', keyFile('hs-256.jwk')]).code, 2);
  });
  test('errors: an unreadable file, an encrypted key, a JWKS to convert', () => {
    assert.match(run(['jwk', 'convert', '/nonexistent']).stderr, /cannot open/);
    const dir = tempDir();
    const enc = writeTemp('enc.pem', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n', dir);
    const r = run(['jwk', 'convert', enc]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /encrypted private key; decrypt it first/);
    assert.match(run(['jwk', 'convert', keyFile('jwks.json')]).stderr, /one JWK, not a JWKS/);
  });
});

describe('sign', () => {
  test('claims from --claims, --set (JSON values or strings), --exp and --iat', () => {
    const dir = tempDir();
    const claims = writeTemp('c.json', JSON.stringify({ iss: 'https://sso.example.com/realms/demo', scope: 'openid' }), dir);
    const r = run(['sign', '--key', keyFile('rsa-2048.jwk'), '--claims', `@${claims}`, '--set', 'sub=alice', '--set', 'n=42', '--set', 'admin=true', '--set', 'roles=["a","b"]', '--set', 'note=not json{', '--exp', '15m', '--iat', '--at', '2026-11-22T10:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const [h, p, s] = parts(r.stdout);
    const header = decodePart(h);
    const payload = decodePart(p);
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: 'rsa-2048' });
    assert.deepEqual(payload, { iss: 'https://sso.example.com/realms/demo', scope: 'openid', sub: 'alice', n: 42, admin: true, roles: ['a', 'b'], note: 'not json{', exp: 1795342500, iat: 1795341600 });
    // Independent check with Node's crypto.
    const key = createPublicKey({ key: jwk('rsa-2048.pub.jwk'), format: 'jwk' });
    assert.ok(nodeVerify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')));
  });
  for (const [name, args, alg, verifyArgs] of [
    ['ES256 from a JWK', ['--key', keyFile('ec-256.jwk')], 'ES256', ['--jwks', keyFile('jwks.json')]],
    ['ES512', ['--key', keyFile('ec-521.jwk')], 'ES512', ['--jwks', keyFile('jwks.json')]],
    ['PS256 from a PEM private key', ['--key', keyFile('rsa-2048.key.pem'), '--alg', 'PS256'], 'PS256', ['--key', keyFile('rsa-2048.pub.pem')]],
    ['EdDSA (Ed448)', ['--key', keyFile('ed448.jwk')], 'EdDSA', ['--jwks', keyFile('jwks.json')]],
    ['HS512 with an oct JWK', ['--key', keyFile('hs-512.jwk')], 'HS512', ['--key', keyFile('hs-512.jwk')]],
  ]) {
    test(`${name} verifies`, () => {
      const t = run(['sign', ...args, '--exp', '5m']);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(decodePart(parts(t.stdout)[0]).alg, alg);
      const v = run(['verify', t.stdout.trim(), ...verifyArgs]);
      assert.equal(v.code, 0, v.stdout);
    });
  }
  test('ES256 signatures are P1363 (64 bytes) and verify with Node', () => {
    const t = run(['sign', '--key', keyFile('ec-256.jwk'), '--set', 'a=1']).stdout.trim();
    const [h, p, s] = parts(t);
    assert.equal(Buffer.from(s, 'base64url').length, 64);
    const key = createPublicKey({ key: jwk('ec-256.pub.jwk'), format: 'jwk' });
    assert.ok(nodeVerify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')));
  });
  test('HS256 with --secret-file matches an HMAC computed independently', () => {
    const secret = readFileSync(keyFile('hs-256.secret'), 'utf8').replace(/\n$/, '');
    const t = run(['sign', '--secret-file', keyFile('hs-256.secret'), '--alg', 'HS256', '--set', 'a=1']).stdout.trim();
    const [h, p, s] = parts(t);
    assert.equal(s, createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'));
  });
  test('--header adds members but may not change alg; --json shows token, header and payload', () => {
    const r = run(['sign', '--key', keyFile('ec-256.jwk'), '--header', '{"typ":"at+jwt","x-test":1}', '--json']);
    const doc = json(r.stdout);
    assert.equal(doc.header.typ, 'at+jwt');
    assert.equal(doc.header['x-test'], 1);
    assert.equal(decodePart(doc.token.split('.')[0]).typ, 'at+jwt');
    const bad = run(['sign', '--key', keyFile('ec-256.jwk'), '--header', '{"alg":"none"}']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /may not change alg/);
  });
  test('refusals: a public key, an alg the key does not fit, weak keys unless allowed, bad --set', () => {
    for (const [args, re] of [
      [['--key', keyFile('rsa-2048.pub.jwk')], /public key/],
      [['--key', keyFile('ec-256.jwk'), '--alg', 'ES384'], /P-384/],
      [['--key', keyFile('rsa-2048.jwk'), '--alg', 'PS256'], /bound to alg "RS256"/],
      [['--key', keyFile('rsa-1024.jwk'), '--alg', 'RS256'], /1024-bit/],
      [['--secret-file', keyFile('hs-short.secret'), '--alg', 'HS256'], /16-byte/],
      [['--key', keyFile('rsa-noalg.jwk')], /--alg is required/],
      [['--key', keyFile('ec-256.jwk'), '--set', 'novalue'], /NAME=VALUE/],
      [['--key', keyFile('ec-256.jwk'), '--exp', '5x'], /not a duration/],
      [['--key', keyFile('ec-256.jwk'), '--claims', '[1]'], /must be a JSON object/],
    ]) {
      const r = run(['sign', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    assert.equal(run(['sign', '--key', keyFile('rsa-1024.jwk'), '--alg', 'RS256', '--allow-weak-keys']).code, 0);
    assert.ok(existsSync(keyFile('rsa-1024.jwk')));
  });
});
