// tollgate uma check --batch: NDJSON in, NDJSON out in input order, over a few kept-alive
// connections, identical requests asked once. Against the UMA fixture (tests/idp/uma.mjs); every
// expected verdict is computed from the fixture's table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';
import { umaPlugin, RESOURCE_SERVER, grantedScopes, serviceAccount } from '../idp/uma.mjs';

let idp;
let uma;
let dir;
let rsSecret;
const tokens = {}; // subject -> opaque access token
const RS = () => ['--client-id', RESOURCE_SERVER, '--client-secret-file', rsSecret, '--client-auth', 'post'];

before(async () => {
  dir = tempDir('tollgate-uma-batch-');
  rsSecret = join(dir, 'rs.secret');
  writeFileSync(rsSecret, 'rs-secret\n');
  uma = umaPlugin();
  idp = await startIdp({ plugins: [uma] });
  tokens.alice = await uma.accessToken('alice');
  tokens.bob = await uma.accessToken('bob');
});
after(async () => {
  await idp?.close();
});

function parseOut(stdout) {
  const lines = stdout.split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  return lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new Error(`output line ${i + 1} is not JSON: ${e.message}: ${l.slice(0, 200)}`);
    }
  });
}

// Every resource/scope pair granted per the table (require all).
function allGranted(subject, perms, method) {
  return perms.every((p) => {
    const [res, sc] = p.split('#');
    let scopes = sc === undefined ? [] : sc.split(',');
    if (method) scopes = [...scopes, method];
    if (res === '') return scopes.every((s) => grantedScopes(subject, null, [s]) !== null);
    if (!scopes.length) return grantedScopes(subject, res) !== null;
    return scopes.every((s) => grantedScopes(subject, res, [s]) !== null);
  });
}

const batch = (file, extra = [], opts = {}) => tg(['uma', 'check', '--batch', file, '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, ...extra], { timeout: 60000, ...opts });

const POOL = [
  ['Resource A#view'],
  ['Resource A#view,edit'],
  ['Resource A#edit'],
  ['Orders#GET', 'Order Index#GET'],
  ['Health'],
  ['#audit'],
  ['Reports'],
  ['pay-slips#view', 'Archive#view'],
  ['Reports#read', 'Orders#POST'],
];
const BAD = [
  ['{"permissions": "Orders#GET"', null], // not JSON
  ['{"id": "bad-str", "permissions": "Orders#GET"}', 'bad-str'],
  ['{"id": 7, "permissions": ["Orders#GET, POST"]}', 7], // a space Keycloak would not trim
  ['{"bogus": 1}', null],
  ['[1, 2]', null],
  ['{"id": "tok", "token": 5}', 'tok'],
  ['{"path": "no-slash"}', null],
  ['{"id": "both", "permissions": ["Orders"], "path": "/api/orders/1"}', 'both'],
];

test('10 000 lines with --jobs 8: in order, each verdict as the table says, bad lines flagged, at most 8 connections', async () => {
  const N = 10000;
  const lines = [];
  const expected = [];
  const subjects = ['alice', 'bob'];
  for (let i = 0; i < N; i++) {
    if (i % 97 === 50) {
      const [text, id] = BAD[(i / 97 | 0) % BAD.length];
      lines.push(text);
      expected.push({ bad: true, id });
      continue;
    }
    const who = subjects[i % 2];
    const kind = i % 10;
    if (kind < 5) {
      // a unique path: resolved through resource_set, then decided
      const orders = i % 3 !== 0;
      const method = orders ? ['GET', 'POST', 'DELETE'][i % 3] : ['GET', 'read', 'write'][(i / 3 | 0) % 3];
      const path = orders ? `/api/orders/${i}` : `/api/reports/${i}/summary`;
      lines.push(JSON.stringify({ id: i, token: tokens[who], path, method }));
      expected.push({ id: i, allowed: grantedScopes(who, orders ? 'Orders' : 'Reports', [method]) !== null });
    } else if (kind < 9) {
      const perms = POOL[i % POOL.length];
      const method = i % 7 === 0 && perms.every((p) => !p.startsWith('#') && p.startsWith('Orders')) ? 'GET' : undefined;
      lines.push(JSON.stringify({ id: `p-${i}`, token: tokens[who], permissions: perms, ...(method ? { method } : {}) }));
      expected.push({ id: `p-${i}`, allowed: allGranted(who, perms, method) });
    } else {
      // no token: the client credentials of the flags decide (the resource server's service account)
      const perms = i % 20 === 9 ? ['Health'] : ['Orders#GET'];
      lines.push(JSON.stringify({ permissions: perms }));
      expected.push({ id: null, allowed: allGranted(serviceAccount(RESOURCE_SERVER), perms) });
    }
  }
  assert.ok(expected.some((e) => e.allowed === true) && expected.some((e) => e.allowed === false));
  const file = join(dir, 'big.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const connectionsBefore = idp.connections;
  const requestsBefore = idp.requests.length;
  const r = await batch(file, ['--jobs', '8', ...RS()]);
  const opened = idp.connections - connectionsBefore;
  assert.equal(r.code, 2, `exit 2: bad lines, nothing undecided\n${r.stderr.slice(-2000)}`);
  const out = parseOut(r.stdout);
  assert.equal(out.length, N);
  for (let i = 0; i < N; i++) {
    const o = out[i];
    const e = expected[i];
    assert.equal(o.line, i + 1, `line number of output ${i + 1}`);
    assert.deepEqual(o.id, e.id, `id of line ${i + 1}`);
    if (e.bad) {
      assert.equal(o.allowed, false);
      assert.equal(o.error?.code, 'bad_request_line', `line ${i + 1}: ${JSON.stringify(o)}`);
      assert.ok(typeof o.error.message === 'string' && o.error.message.length > 0);
    } else {
      assert.equal(o.allowed, e.allowed, `line ${i + 1}: ${lines[i].slice(0, 200)} -> ${JSON.stringify(o).slice(0, 400)}`);
      assert.equal(o.require, 'all');
      assert.ok(Array.isArray(o.permissions));
      assert.equal(o.idp_error, null, `line ${i + 1}: ${JSON.stringify(o)}`);
    }
  }
  const pathLine = out.find((o) => typeof o.id === 'number' && !expected[o.line - 1].bad);
  assert.ok(pathLine.path && Array.isArray(pathLine.path.resources) && pathLine.path.resources.length === 1);
  assert.match(r.stderr, /10000 lines/);
  assert.ok(r.ms < 45000, `took ${r.ms} ms`);
  const sent = idp.requests.length - requestsBefore;
  assert.ok(sent < 2 * N, `${sent} requests: the pool lines were deduplicated`);
  assert.ok(opened >= 1);
  assert.ok(opened <= 8, `--jobs 8 opened ${opened} connections (UMA2 discovery included)`);
});

test('--jobs N with explicit endpoints: at most N connections; the summary counts what was sent', async () => {
  const lines = [];
  for (let i = 0; i < 600; i++) lines.push(JSON.stringify(i % 2 ? { token: tokens.alice, path: `/api/orders/${i}`, method: 'GET' } : { token: tokens.bob, permissions: [`Orders#GET`], id: i }));
  const file = join(dir, 'jobs.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const endpoints = ['--token-endpoint', `${idp.issuer}/protocol/openid-connect/token`, '--resource-registration-endpoint', `${idp.issuer}/authz/protection/resource_set`];
  for (const jobs of [3, 8]) {
    const c0 = idp.connections;
    const r0 = idp.requests.length;
    const r = await tg(['uma', 'check', '--batch', file, '--audience', RESOURCE_SERVER, '--jobs', String(jobs), ...RS(), ...endpoints]);
    assert.equal(r.code, 0, r.stderr);
    const opened = idp.connections - c0;
    const sent = idp.requests.length - r0;
    assert.ok(opened >= 1 && opened <= jobs, `--jobs ${jobs} opened ${opened} connections`);
    // The summary line reports the traffic; it must match what the IdP saw (the PAT request may be left out).
    const m = r.stderr.match(/(\d+) requests to the IdP over (\d+) connections?/);
    assert.ok(m, `summary: ${r.stderr}`);
    assert.ok(Number(m[1]) >= sent - 1 && Number(m[1]) <= sent, `summary says ${m[1]} requests, the IdP received ${sent}`);
    assert.equal(Number(m[2]), opened, `summary says ${m[2]} connections, the IdP accepted ${opened}`);
  }
});

test('identical (token, permissions, method, path) lines are asked once; ids and line numbers still echo', async () => {
  const one = join(dir, 'one.ndjson');
  const probe = { token: tokens.alice, permissions: ['Resource A#view', 'Resource A#edit'] };
  writeFileSync(one, `${JSON.stringify({ ...probe, id: 'single' })}\n`);
  const endpoint = ['--token-endpoint', `${idp.issuer}/protocol/openid-connect/token`];
  let before = uma.grants().length;
  const single = await tg(['uma', 'check', '--batch', one, '--audience', RESOURCE_SERVER, ...endpoint]);
  assert.equal(single.code, 1, single.stderr);
  const perAsk = uma.grants().length - before;
  assert.ok(perAsk >= 1);

  const bobOne = join(dir, 'bob-one.ndjson');
  writeFileSync(bobOne, `${JSON.stringify({ ...probe, token: tokens.bob })}\n`);
  before = uma.grants().length;
  assert.equal((await tg(['uma', 'check', '--batch', bobOne, '--audience', RESOURCE_SERVER, ...endpoint])).code, 0);
  const perBob = uma.grants().length - before;

  const many = [];
  for (let i = 0; i < 300; i++) many.push(JSON.stringify({ ...probe, ...(i % 3 === 2 ? { token: tokens.bob } : {}), id: i }));
  const file = join(dir, 'dupes.ndjson');
  writeFileSync(file, `${many.join('\n')}\n`);
  before = uma.grants().length;
  const connectionsBefore = idp.connections;
  const r = await tg(['uma', 'check', '--batch', file, '--audience', RESOURCE_SERVER, ...endpoint, '--jobs', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(uma.grants().length - before, perAsk + perBob, 'each distinct request asked once');
  assert.equal(idp.connections - connectionsBefore, 1, '--jobs 1: one kept-alive connection');
  const out = parseOut(r.stdout);
  assert.equal(out.length, 300);
  out.forEach((o, i) => {
    assert.equal(o.id, i);
    assert.equal(o.line, i + 1);
    assert.equal(o.allowed, i % 3 === 2);
  });
  assert.match(r.stderr, /300 lines/);
});

test('missing fields fall back to the flags (--token, PERMISSION arguments, --method); stdin input', async () => {
  const lines = [
    {},
    { token: tokens.bob },
    { permissions: ['Resource A#view'] },
    { permissions: ['Orders'], method: 'POST' },
    { permissions: ['Orders'], token: tokens.bob, method: 'POST' },
  ].map((l) => JSON.stringify(l));
  const r = await tg(['uma', 'check', 'Resource A#edit', '--batch', '-', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', tokens.alice], { input: `${lines.join('\n')}\n` });
  const out = parseOut(r.stdout);
  assert.deepEqual(out.map((o) => o.allowed), [false, true, true, true, false]);
  assert.deepEqual(out.map((o) => o.id), [null, null, null, null, null]);
  assert.deepEqual(out[3].permissions[0].scopes, ['POST']);
  assert.equal(r.code, 1, r.stderr);
  // --method applies to lines without their own
  const m = await tg(['uma', 'check', '--batch', '-', '--method', 'DELETE', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', tokens.alice], { input: `${JSON.stringify({ permissions: ['Orders'] })}\n${JSON.stringify({ permissions: ['Orders'], method: 'GET' })}\n` });
  assert.deepEqual(parseOut(m.stdout).map((o) => o.allowed), [false, true]);
});

test('batch exit status: 0 all allowed, 1 any denied, 2 any bad line, 3 any undecided; the summary on stderr', async () => {
  const write = (name, objs) => {
    const p = join(dir, name);
    writeFileSync(p, `${objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n')}\n`);
    return p;
  };
  const ok = { token: tokens.alice, permissions: ['Resource A#view'] };
  const no = { token: tokens.alice, permissions: ['Resource A#edit'] };
  const unknown = { token: tokens.alice, permissions: ['Report#view'], id: 'u' };
  const expired = { token: uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 }), permissions: ['Resource A#view'], id: 'x' };
  const allowed = await batch(write('b0.ndjson', [ok, ok, { ...ok, id: 2 }]));
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stderr, /3 lines/);
  const denied = await batch(write('b1.ndjson', [ok, no]));
  assert.equal(denied.code, 1, denied.stderr);
  const bad = await batch(write('b2.ndjson', [ok, no, 'not json']));
  assert.equal(bad.code, 2, bad.stderr);
  assert.deepEqual(parseOut(bad.stdout)[2], { id: null, line: 3, allowed: false, error: parseOut(bad.stdout)[2].error });
  assert.equal(parseOut(bad.stdout)[2].error.code, 'bad_request_line');
  const undecided = await batch(write('b3.ndjson', [ok, no, 'not json', unknown, expired]));
  assert.equal(undecided.code, 3, undecided.stderr);
  const out = parseOut(undecided.stdout);
  assert.equal(out[3].id, 'u');
  assert.equal(out[3].allowed, false);
  assert.equal(out[3].idp_error?.error, 'invalid_resource');
  assert.match(out[3].message, /resource 'Report' does not exist on resource server 'tollgate-rs'/);
  assert.equal(out[4].idp_error?.status, 401);
  assert.match(undecided.stderr, /allowed/);
  assert.match(undecided.stderr, /denied/);
  const missing = await batch(join(dir, 'does-not-exist.ndjson'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does-not-exist\.ndjson/);
});

test('a slow IdP in a batch: the line times out (exit 3), the others are still answered', async () => {
  const lines = [
    { id: 'slow', token: tokens.alice, permissions: ['Resource A#view'] },
    { id: 'fast', token: tokens.bob, permissions: ['Resource A#edit'] },
  ].map((l) => JSON.stringify(l));
  const file = join(dir, 'slow.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  uma.state.hang = { ms: 6000, count: 1 };
  const r = await batch(file, ['--jobs', '1', '--timeout', '800']);
  uma.state.hang = { ms: 0, count: 0 };
  assert.equal(r.code, 3, r.stderr);
  const out = parseOut(r.stdout);
  assert.deepEqual(out.map((o) => o.id), ['slow', 'fast']);
  assert.equal(out[0].allowed, false);
  assert.equal(out[1].allowed, true);
  assert.ok(r.ms < 4500, `took ${r.ms} ms with --timeout 800 (the IdP would answer after 6000)`);
});
