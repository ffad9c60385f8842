// tollgate decode: input forms, human and JSON output, JWE, Keycloak view, strict errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, json, writeTemp, tempDir } from './lib/harness.mjs';
import { enc, token, jwk, keyFile, keycloakClaims, now } from './lib/jwt.mjs';

const rsa = jwk('rsa-2048.jwk');
const kc = token({ alg: 'RS256', typ: 'JWT', kid: 'rsa-2048' }, keycloakClaims(), rsa);

test('decodes a token given as an argument, with --json in the documented shape', () => {
  const r = run(['decode', kc, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = json(r.stdout);
  assert.deepEqual(Object.keys(doc), ['kind', 'header', 'payload', 'signature']);
  assert.equal(doc.kind, 'JWS');
  assert.deepEqual(doc.header, { alg: 'RS256', typ: 'JWT', kid: 'rsa-2048' });
  assert.equal(doc.payload.preferred_username, 'alice');
  assert.equal(doc.signature, kc.split('.')[2]);
});

test('reads @FILE, -, and piped stdin; strips Authorization: Bearer and whitespace', () => {
  const dir = tempDir();
  const file = writeTemp('t.txt', `\n  ${kc}\n\n`, dir);
  for (const [args, input] of [
    [['decode', `@${file}`, '--json'], ''],
    [['decode', '-', '--json'], kc],
    [['decode', '--json'], `${kc}\n`],
    [['decode', '--json'], `Authorization: Bearer ${kc}\r\n`],
    [['decode', `bearer ${kc}`, '--json'], ''],
  ]) {
    const r = run(args, { input });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(json(r.stdout).payload.sub, 'f1e2d3c4-b5a6-4789-9abc-def012345678');
  }
});

test('a multi-megabyte token is read from a file or stdin, never needing argv', () => {
  const big = token({ alg: 'RS256', kid: 'rsa-2048' }, { sub: 'a', pad: 'x'.repeat(600 * 1024) }, rsa);
  const r = run(['decode', '--json'], { input: big });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(json(r.stdout).payload.pad.length, 600 * 1024);
  const r2 = run(['decode', '--json', '--max-token-bytes', '2097152'], { input: token({ alg: 'RS256' }, { pad: 'y'.repeat(1500 * 1024) }, rsa) });
  assert.equal(r2.code, 0, r2.stderr);
  const r3 = run(['decode'], { input: token({ alg: 'RS256' }, { pad: 'y'.repeat(1500 * 1024) }, rsa) });
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /limit/);
});

test('the human view shows times, the Keycloak summary and says nothing was verified', () => {
  const t = now();
  const tok = token({ alg: 'RS256', kid: 'rsa-2048' }, keycloakClaims(t, { exp: t + 250 }), rsa);
  const r = run(['decode', tok]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /header \(not verified\)/);
  assert.match(r.stdout, /exp\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+expires in 4m \d+s/);
  assert.match(r.stdout, /iat\s+.*\d+s ago/);
  assert.match(r.stdout, /realm roles\s+offline_access, uma_authorization, default-roles-demo, report-reader/);
  assert.match(r.stdout, /client roles\s+reports-api: viewer, editor/);
  assert.match(r.stdout, /azp\s+tollgate-cli/);
  assert.match(r.stdout, /scope\s+openid email profile/);
  assert.match(r.stdout, /256 bytes \(RS256\), not verified/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
  const expired = token({ alg: 'RS256' }, { exp: t - 3 * 3600 - 120 }, rsa);
  assert.match(run(['decode', expired]).stdout, /expired 3h 2m ago/);
});

test('--color always colours, NO_COLOR does not override --color always, and --json is never coloured', () => {
  assert.match(run(['decode', kc, '--color', 'always']).stdout, /\x1b\[/);
  assert.match(run(['decode', kc, '--color', 'always'], { env: { NO_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.doesNotMatch(run(['decode', kc, '--color', 'auto'], { env: { CLICOLOR_FORCE: '1', NO_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.match(run(['decode', kc], { env: { CLICOLOR_FORCE: '1' } }).stdout, /\x1b\[/);
  assert.doesNotMatch(run(['decode', kc, '--json', '--color', 'always']).stdout, /\x1b\[/);
});

test('--date local shows the local time zone', () => {
  const tok = token({ alg: 'RS256' }, { exp: 1764632400 }, rsa);
  const r = run(['decode', tok, '--date', 'local'], { env: { TZ: 'Asia/Tokyo' } });
  assert.match(r.stdout, /2025-12-02 08:40:00 \+09:00/);
  assert.match(run(['decode', tok]).stdout, /2025-12-01T23:40:00Z/);
});

test('an RPT shows its authorization.permissions', () => {
  const rpt = token({ alg: 'RS256' }, keycloakClaims(now(), {
    authorization: { permissions: [{ rsid: '7f0c-11', rsname: 'Report', scopes: ['view', 'edit'] }, { rsid: 'a-1', rsname: 'Admin' }] },
  }), rsa);
  const r = run(['decode', rpt]);
  assert.match(r.stdout, /keycloak \(RPT\)/);
  assert.match(r.stdout, /permissions\s+Report \(7f0c-11\)#view,edit/);
  assert.match(r.stdout, /Admin \(a-1\)/);
});

test('a JWE shows its protected header and says the payload is encrypted', () => {
  const jwe = `${enc({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-enc' })}.${'A'.repeat(342)}.AAAAAAAAAAAAAAAA.${'B'.repeat(40)}.${'C'.repeat(22)}`;
  const r = run(['decode', jwe, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = json(r.stdout);
  assert.equal(doc.kind, 'JWE');
  assert.equal(doc.header.enc, 'A256GCM');
  assert.equal(doc.payload, null);
  assert.match(run(['decode', jwe]).stdout, /encrypted/);
});

test('an unsigned token decodes and says it is never valid', () => {
  const r = run(['decode', `${enc({ alg: 'none' })}.${enc({ sub: 'x' })}.`]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /unsigned token; never valid/);
});

test('malformed input exits 2 with a message naming the part and the position', () => {
  const [h, p, s] = kc.split('.');
  const cases = [
    [`${h}.${p.slice(0, 17)}=${p.slice(18)}.${s}`, /the payload is not valid base64url at offset 17: '=' padding is not allowed/],
    [`${h}+.${p}.${s}`, /the header is not valid base64url at offset \d+: '\+' is standard base64/],
    [`${h}.${p}`, /2 segments/],
    [`${enc('{"alg":"RS256",}')}.${p}.${s}`, /the header is not valid JSON at byte \d+/],
    [`${enc('{"alg":"RS256","alg":"none"}')}.${p}.${s}`, /the header .*"alg" appears twice/],
    [`${enc('[1,2]')}.${p}.${s}`, /the header is not a JSON object/],
    [`${h}.${enc('"just a string"')}.${s}`, /the payload is not a JSON object/],
    [`${h}.${b64invalidUtf8()}.${s}`, /UTF-8/],
    ['{"payload":"x","signatures":[]}', /JSON serialization/],
  ];
  for (const [tok, re] of cases) {
    const r = run(['decode', tok]);
    assert.equal(r.code, 2, tok.slice(0, 40));
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});
function b64invalidUtf8() {
  return Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64url');
}

test('a token with a space or control character inside is refused before anything uses it', () => {
  const [h, p, s] = kc.split('.');
  const r = run(['decode', '-'], { input: `${h}.${p}\r\nX-Injected: yes.${s}` });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the token contains byte 0x0d at offset \d+; a token is printable ASCII without spaces/);
  const v = run(['verify', '-', '--jwks', keyFile('jwks.json'), '--json'], { input: `${h}.${p} ${s}` });
  assert.equal(v.code, 1, 'for verify it is a verdict: malformed');
  assert.equal(JSON.parse(v.stdout).error.code, 'malformed');
});

test('no token: a usage error on a terminal-less empty stdin, and for missing files', () => {
  const r = run(['decode'], { input: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /stdin holds no token/);
  const r2 = run(['decode', '@/nonexistent/token.txt']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /cannot open token file '\/nonexistent\/token.txt': No such file/);
});

test('options are accepted in any order around the token; unknown flags exit 2', () => {
  assert.equal(run(['decode', '--json', kc]).code, 0);
  assert.equal(run(['decode', kc, '--date', 'utc', '--json']).code, 0);
  const bad = run(['decode', kc, '--nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--nope/);
  assert.match(bad.stderr, /decode --help/);
});

test('--help, --version, and no subcommand', () => {
  const h = run(['decode', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /EXAMPLES/);
  const v = run(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^tollgate \d+\.\d+\.\d+/);
  const none = run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Subcommands:/);
});
