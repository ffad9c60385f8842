// tollgate verify as a user drives it: key sources, every check reported, the JSON shape, exit
// codes, and the --batch stream (order, bad lines, jobs, Ctrl-C).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { run, json, writeTemp, tempDir, BIN, baseEnv } from './lib/harness.mjs';
import { enc, token, jwk, keyFile, now, keycloakClaims, hmacWith } from './lib/jwt.mjs';

const JWKS = keyFile('jwks.json');
const rsa = jwk('rsa-2048.jwk');
const kcTok = (extra = {}, header = {}) => token({ alg: 'RS256', typ: 'JWT', kid: 'rsa-2048', ...header }, keycloakClaims(now(), extra), rsa);
const ISS = 'https://sso.example.com/realms/demo';

describe('key sources', () => {
  const t = token({ alg: 'RS256' }, { sub: 'a', exp: now() + 60 }, rsa);
  for (const [name, args] of [
    ['a PEM public key', ['--key', keyFile('rsa-2048.pub.pem')]],
    ['a PEM certificate', ['--key', keyFile('rsa-2048.cert.pem')]],
    ['a PEM private key (its public half)', ['--key', keyFile('rsa-2048.key.pem')]],
    ['a single public JWK', ['--key', keyFile('rsa-2048.pub.jwk')]],
    ['a JWKS without kid in the token (keys that fit are tried)', ['--jwks', JWKS]],
  ]) {
    test(`verifies with ${name}`, () => {
      const r = run(['verify', t, ...args]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^VALID RS256/m);
    });
  }
  test('HS256 with --secret-file, --secret-env and an oct JWK in a mixed JWKS', () => {
    const dir = tempDir();
    const secret = 'a-32-byte-long-secret-for-hs256!';
    const file = writeTemp('s', `${secret}\n`, dir);
    const input = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'a', exp: now() + 60 })}`;
    const t2 = `${input}.${hmacWith(input, Buffer.from(secret))}`;
    assert.equal(run(['verify', t2, '--secret-file', file]).code, 0, 'one trailing newline is removed');
    assert.equal(run(['verify', t2, '--secret-env', 'HS_SECRET'], { env: { HS_SECRET: secret } }).code, 0);
    const hs = jwk('hs-256.jwk');
    const mixed = writeTemp('mixed.json', JSON.stringify({ keys: [jwk('ec-256.pub.jwk'), hs] }), dir);
    assert.equal(run(['verify', token({ alg: 'HS256', kid: 'hs-256' }, { exp: now() + 60 }, hs), '--jwks', mixed]).code, 0);
  });
  test('key-source mistakes are usage errors (exit 2) naming the flag and file', () => {
    const dir = tempDir();
    const cases = [
      [[], /no key given: use --jwks FILE/],
      [['--jwks', JWKS, '--key', keyFile('rsa-2048.pub.pem')], /exactly one of/],
      [['--jwks', '/nonexistent.json'], /cannot open --jwks file '\/nonexistent.json'/],
      [['--key', writeTemp('junk.pem', 'hello', dir)], /neither JSON \(JWK, JWKS\) nor PEM/],
      [['--key', writeTemp('bad.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', dir)], /not a PEM key or certificate/],
      [['--key', JWKS], /holds 9 keys; --key takes one key/],
      [['--jwks', writeTemp('bad.json', '{"keys": 3}', dir)], /"keys" is not an array/],
      [['--jwks', writeTemp('dup.json', '{"keys": [], "keys": []}', dir)], /appears twice/],
      [['--secret-env', 'NOT_SET_ANYWHERE'], /NOT_SET_ANYWHERE is not set/],
      [['--jwks', JWKS, '--alg', 'XS256'], /--alg XS256: not a supported algorithm/],
      [['--jwks', JWKS, '--at', 'tomorrow'], /--at: 'tomorrow' is not a time/],
      [['--jwks', JWKS, '--at', '2026-11-22T10:15:00'], /no time zone/],
    ];
    for (const [args, re] of cases) {
      const r = run(['verify', t, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')} -> ${r.code} ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
  });
});

describe('reporting', () => {
  test('every check is listed with pass/fail, then VALID with kid and thumbprint', () => {
    const r = run(['verify', kcTok(), '--jwks', JWKS, '--iss', ISS, '--aud', 'reports-api', '--require', 'sid', '--require-role', 'report-reader', '--require-role', 'reports-api:viewer', '--require-scope', 'email']);
    assert.equal(r.code, 0, r.stdout);
    for (const name of ['format', 'crit', 'alg', 'key', 'signature', 'typ', 'exp', 'nbf', 'iat', 'iss', 'aud', 'required', 'roles', 'scopes']) {
      assert.match(r.stdout, new RegExp(`^  pass  ${name}\\b`, 'm'), name);
    }
    const tp = run(['jwk', 'thumbprint', keyFile('rsa-2048.pub.jwk')]).stdout.trim();
    assert.match(r.stdout, new RegExp(`^VALID RS256 .*kid "rsa-2048", thumbprint ${tp}`, 'm'));
  });
  test('all failures are reported, not just the first; error is the first in verification order', () => {
    const t = kcTok({ exp: now() - 200, iss: 'https://other.example.com' });
    const r = run(['verify', t, '--jwks', JWKS, '--iss', ISS, '--aud', 'nobody', '--require-role', 'admin', '--require-role', 'reports-api:owner', '--require-scope', 'write', '--json']);
    assert.equal(r.code, 1);
    const doc = json(r.stdout);
    assert.equal(doc.valid, false);
    assert.deepEqual(doc.error.code, 'expired');
    const failed = doc.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    assert.deepEqual(failed, ['exp', 'iss', 'aud', 'roles', 'scopes']);
    const roles = doc.checks.find((c) => c.name === 'roles');
    assert.match(roles.detail, /realm role 'admin'.*client role 'owner' of 'reports-api'/);
    assert.equal(doc.payload_trusted, true);
    // The signature verified: the key is named even though the claims failed.
    assert.equal(doc.key.kid, 'rsa-2048');
    assert.match(doc.key.thumbprint, /^[A-Za-z0-9_-]{43}$/);
    const text = run(['verify', t, '--jwks', JWKS, '--iss', ISS]);
    assert.match(text.stdout, /signature: RS256 by --jwks file .*kid "rsa-2048", thumbprint /);
    assert.match(text.stdout, /^INVALID expired/m);
    // A bad signature names no key.
    const forged = `${t.slice(0, t.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    const bad = run(['verify', forged, '--jwks', JWKS, '--json']);
    assert.equal(json(bad.stdout).key, null);
  });
  test('the --json document has the documented keys', () => {
    const doc = json(run(['verify', kcTok(), '--jwks', JWKS, '--json']).stdout);
    for (const k of ['valid', 'error', 'checks', 'kid', 'alg', 'header', 'payload']) assert.ok(k in doc, k);
    assert.equal(doc.valid, true);
    assert.equal(doc.error, null);
    assert.equal(doc.kid, 'rsa-2048');
    assert.equal(doc.alg, 'RS256');
    assert.equal(doc.header.kid, 'rsa-2048');
    assert.equal(doc.payload.azp, 'tollgate-cli');
    assert.equal(doc.key.kid, 'rsa-2048');
    assert.match(doc.key.thumbprint, /^[A-Za-z0-9_-]{43}$/);
    for (const c of doc.checks) {
      assert.deepEqual(Object.keys(c).slice(0, 4), ['name', 'ok', 'status', 'detail']);
      assert.equal(typeof c.ok, 'boolean');
    }
    assert.equal(doc.checks.find((c) => c.name === 'iss').status, 'not_requested');
  });
  test('a malformed token is a verdict (exit 1, code malformed), not a usage error', () => {
    const r = run(['verify', 'not-a-token', '--jwks', JWKS]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /INVALID malformed: token has 1 segment/);
  });
  test('tokens come from stdin when no argument is given', () => {
    assert.equal(run(['verify', '--jwks', JWKS], { input: `Bearer ${kcTok()}\n` }).code, 0);
  });
});

// ---- batch ---------------------------------------------------------------------------------

function batchLines(stdout) {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('--batch', () => {
  test('one JSON line per token, in order, with line numbers; empty lines skipped', () => {
    const good = kcTok();
    const bad = kcTok({}, { kid: 'unknown' });
    const input = [good, '', bad, 'garbage', `  ${good}  `, ''].join('\n') + '\n';
    const r = run(['verify', '--jwks', JWKS, '--batch'], { input });
    assert.equal(r.code, 1, 'any invalid token: exit 1');
    const lines = batchLines(r.stdout);
    assert.deepEqual(lines.map((l) => l.line), [1, 3, 4, 5]);
    assert.deepEqual(lines.map((l) => l.valid), [true, false, false, true]);
    assert.deepEqual(Object.keys(lines[0]), ['line', 'valid', 'error', 'kid', 'alg']);
    assert.equal(lines[0].error, null);
    assert.equal(lines[1].error.code, 'key_not_found');
    assert.equal(lines[2].error.code, 'malformed');
    assert.equal(lines[2].kid, null);
    assert.equal(lines[2].alg, null);
  });
  test('all valid: exit 0; a line over the size cap is an error for that line only', () => {
    const good = kcTok();
    assert.equal(run(['verify', '--jwks', JWKS, '--batch'], { input: `${good}\n${good}` }).code, 0);
    const long = 'x'.repeat(300 * 1024);
    const r = run(['verify', '--jwks', JWKS, '--batch', '--max-token-bytes', '65536'], { input: `${good}\n${long}\n${good}\n` });
    assert.equal(r.code, 1);
    const lines = batchLines(r.stdout);
    assert.deepEqual(lines.map((l) => [l.line, l.valid]), [[1, true], [2, false], [3, true]]);
    assert.equal(lines[1].error.code, 'malformed');
  });
  test('--jobs keeps input order (and --jobs 0 uses the CPUs this process may run on)', () => {
    const toks = [];
    for (let i = 0; i < 3000; i++) toks.push(i % 7 === 0 ? kcTok({}, { kid: 'nope' }) : i % 5 === 0 ? 'junk' : kcTok());
    const input = toks.join('\n') + '\n';
    const one = run(['verify', '--jwks', JWKS, '--batch'], { input });
    for (const jobs of ['2', '4', '0']) {
      const r = run(['verify', '--jwks', JWKS, '--batch', '--jobs', jobs], { input });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, one.stdout, `--jobs ${jobs} gives the same lines in the same order`);
    }
    assert.equal(batchLines(one.stdout).length, 3000);
  });
  test('TOKEN with --batch, or --batch on a terminal, is a usage error', () => {
    const r = run(['verify', kcTok(), '--jwks', JWKS, '--batch']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /do not pass TOKEN/);
    const j = run(['verify', '--jwks', JWKS, '--batch', '--jobs', '5000'], { input: 'x\n' });
    assert.equal(j.code, 2);
    assert.match(j.stderr, /--jobs 5000: use 0/);
  });
  test('Ctrl-C flushes what is done and exits 130', async () => {
    // A writer that keeps stdin open: tollgate verifies what arrives, then gets SIGINT.
    const child = spawn(BIN, ['verify', '--jwks', JWKS, '--batch', '--jobs', '2'], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const good = kcTok();
    child.stdin.write(Array(2000).fill(good).join('\n') + '\n');
    // Interrupt once answers are coming out (bounded wait), not after a fixed delay: how far a slow
    // host got does not matter, only that everything answered is flushed.
    const answered = () => (out.match(/\n/g) ?? []).length;
    for (let waited = 0; answered() < 1000; waited += 20) {
      assert.ok(waited < 60000, `only ${answered()} of 2000 answered:\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const [code] = await new Promise((r) => child.on('close', (c, s) => r([c, s])));
    assert.equal(code, 130, err);
    const lines = batchLines(out);
    const m = err.match(/interrupted after (\d+) tokens/);
    assert.ok(m, err);
    assert.equal(lines.length, Number(m[1]), 'every token answered before the interrupt was flushed');
    assert.ok(lines.length >= 1000 && lines.length <= 2000);
    assert.ok(lines.every((l, i) => l.line === i + 1 && l.valid));
  });
});

describe('repeatable options take one value each', () => {
  test('--aud X TOKEN leaves TOKEN to the positional (not a second audience)', () => {
    const t = token({ alg: 'RS256' }, { sub: 'a', aud: 'x', exp: now() + 60 }, rsa);
    const r = run(['verify', '--aud', 'x', t, '--jwks', JWKS]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^VALID RS256/m);
    const two = run(['verify', '--aud', 'y', '--aud', 'x', t, '--alg', 'RS256', '--jwks', JWKS]);
    assert.equal(two.code, 0, two.stdout + two.stderr);
  });
});
