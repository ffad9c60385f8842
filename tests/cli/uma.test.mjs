// tollgate uma {check,permissions,rpt,resources} and introspect --rpt against the Keycloak-faithful
// UMA fixture (tests/idp/uma.mjs) on 127.0.0.1. Expectations come from the fixture's table
// (grantedScopes, resource) rather than being repeated here; the wire is checked in the fixture's
// request log (uma.log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';
import { umaPlugin, RESOURCE_SERVER, PLAIN_CLIENT, PUBLIC_CLIENT, RESOURCES, resource, grantedScopes, serviceAccount, CLAIM_FORMAT_JWT } from '../idp/uma.mjs';

let idp;
let uma;
let dir;
let cliSecret;
let rsSecret;
let alice;
let bob;
let aliceFile;

const RS = ['--client-id', RESOURCE_SERVER, '--client-secret-file', '', '--client-auth', 'post']; // secret file set in before()
const CLI = ['--client-id', PLAIN_CLIENT, '--client-secret-file', ''];

// `tollgate uma check` with the issuer and audience, as alice unless an identity is given.
function check(args, { as, opts } = {}) {
  const identity = as === undefined ? ['--token', alice] : as;
  return tg(['uma', 'check', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, ...identity, ...args], opts);
}
const grants = () => uma.grants().length;
const lastGrant = () => uma.grants().at(-1);

// Every resource/scope pair the permissions name, granted per the fixture's table.
function allGranted(subject, perms, claims = {}) {
  return perms.every((p) => {
    const [res, sc] = p.split('#');
    const scopes = sc === undefined ? null : sc.split(',');
    if (res === '') return scopes.every((s) => grantedScopes(subject, null, [s], claims) !== null);
    if (scopes === null) return grantedScopes(subject, res, null, claims) !== null;
    return scopes.every((s) => grantedScopes(subject, res, [s], claims) !== null);
  });
}

before(async () => {
  dir = tempDir('tollgate-uma-');
  cliSecret = join(dir, 'cli.secret');
  rsSecret = join(dir, 'rs.secret');
  writeFileSync(cliSecret, 'cli-secret\n');
  writeFileSync(rsSecret, 'rs-secret\n');
  RS[3] = rsSecret;
  CLI[3] = cliSecret;
  uma = umaPlugin();
  idp = await startIdp({ plugins: [uma] });
  alice = await uma.accessToken('alice');
  bob = await uma.accessToken('bob');
  aliceFile = join(dir, 'alice.token');
  writeFileSync(aliceFile, `${alice}\n`);
});
after(async () => {
  await idp?.close();
});

test('the fixture table has the cases these tests rely on', () => {
  assert.deepEqual(grantedScopes('alice', 'Resource A', ['view', 'edit']), ['view']);
  assert.deepEqual(grantedScopes('bob', 'Resource A', ['view', 'edit']), ['view', 'edit']);
  assert.deepEqual(grantedScopes('alice', 'Reports', ['read', 'GET']), ['read']);
  assert.deepEqual(grantedScopes('bob', 'Reports', ['read', 'GET']), ['read', 'GET']);
  assert.equal(grantedScopes('alice', 'Invoices', ['view']), null);
  assert.deepEqual(grantedScopes('alice', 'Invoices', ['view'], { department: ['finance'] }), ['view']);
  assert.deepEqual(grantedScopes(serviceAccount(PLAIN_CLIENT), 'Orders'), ['GET']);
});

test('any vs all: Resource A#view,edit with only view granted — all denies it, any allows', async () => {
  const all = await check(['Resource A#view,edit']);
  assert.equal(all.code, 1, all.stderr);
  assert.match(all.stdout, /^denied\s+Resource A#view,edit/m);
  assert.match(all.stdout.trimEnd().split('\n').at(-1), /^denied/);
  assert.match(all.stderr, /Resource A#view,edit/);
  const allJson = json((await check(['Resource A#view,edit', '--json'])).stdout);
  assert.equal(allJson.allowed, false);
  assert.equal(allJson.require, 'all');
  assert.deepEqual(allJson.permissions, [{ ...allJson.permissions[0], permission: 'Resource A#view,edit', resource: 'Resource A', scopes: ['view', 'edit'], granted: false }]);
  assert.equal(allJson.idp_error, null);

  const any = await check(['Resource A#view,edit', '--require', 'any']);
  assert.equal(any.code, 0, any.stderr);
  assert.match(any.stdout.trimEnd().split('\n').at(-1), /^allowed/);
  const anyJson = json((await check(['Resource A#view,edit', '--require', 'any', '--json'])).stdout);
  assert.equal(anyJson.allowed, true);
  assert.equal(anyJson.require, 'any');
  assert.equal(anyJson.permissions[0].granted, null, 'Keycloak decided for the set only');

  // two permissions: the granted one and the denied one are told apart
  const two = json((await check(['Resource A#view', 'Resource A#edit', '--json'])).stdout);
  assert.equal(two.allowed, false);
  assert.deepEqual(two.permissions.map((p) => [p.permission, p.granted]), [['Resource A#view', true], ['Resource A#edit', false]]);
  const human = await check(['Resource A#view', 'Resource A#edit']);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /^granted\s+Resource A#view$/m);
  assert.match(human.stdout, /^denied\s+Resource A#edit/m);
  // bob has both
  const b = await check(['Resource A#view,edit'], { as: ['--token', bob] });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /^granted\s+Resource A#view,edit$/m);
});

test('--method as a scope: res -> res#GET, res#read -> res#read,GET with a bare comma on the wire', async () => {
  const before = uma.log.length;
  const r = await check(['Orders', '--method', 'GET', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(json(r.stdout).permissions[0].scopes, ['GET']);
  assert.ok(uma.grants(before).length >= 1);
  assert.ok(uma.grants(before).every((g) => g.permissions.every((p) => p === 'Orders#GET')), JSON.stringify(uma.grants(before).map((g) => g.permissions)));

  const mark = uma.log.length;
  const scoped = await check(['Reports#read', '--method', 'GET', '--json']);
  assert.equal(scoped.code, allGranted('alice', ['Reports#read,GET']) ? 0 : 1, scoped.stderr);
  assert.equal(scoped.code, 1);
  const j = json(scoped.stdout);
  assert.deepEqual(j.permissions[0].scopes, ['read', 'GET']);
  assert.equal(j.permissions[0].granted, false);
  const wire = uma.grants(mark).flatMap((g) => g.permissions);
  assert.ok(wire.includes('Reports#read,GET'), `wire: ${JSON.stringify(wire)}`);
  assert.ok(wire.every((p) => !/\s/.test(p)), `no whitespace on the wire: ${JSON.stringify(wire)}`);
  // bob holds Reports whole
  assert.equal((await check(['Reports#read', '--method', 'GET'], { as: ['--token', bob] })).code, 0);
  // --require any: read alone is enough, as Keycloak decides
  assert.equal((await check(['Reports#read', '--method', 'GET', '--require', 'any'])).code, 0);
  assert.equal((await check(['Orders', '--method', 'DELETE'])).code, 1);
  // a method must be a method
  const bad = await check(['Orders', '--method', 'GET POST']);
  assert.equal(bad.code, 2);
});

test('--path: lazy resolution through resource_set (templates, wildcards, exact beats template), then the method', async () => {
  const path = (p, method, token = alice, extra = []) => tg(['uma', 'check', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', token, ...RS, '--path', p, ...(method ? ['--method', method] : []), '--json', ...extra]);
  const mark = uma.log.length;
  const post = await path('/api/orders/17', 'POST');
  assert.equal(post.code, 0, post.stderr);
  const j = json(post.stdout);
  assert.equal(j.allowed, true);
  assert.deepEqual(j.path, { uri: '/api/orders/17', resources: [resource('Orders').id] });
  assert.deepEqual(j.permissions.map((p) => [p.resource, p.scopes]), [[resource('Orders').id, ['POST']]]);
  const lookup = uma.log.slice(mark).find((e) => e.kind === 'resource_set');
  assert.ok(lookup, 'the path was resolved through the protection API');
  const q = Object.fromEntries(lookup.query);
  assert.equal(q.uri, '/api/orders/17');
  assert.equal(q.matchingUri, 'true');

  const del = await path('/api/orders/17', 'DELETE');
  assert.equal(del.code, 1, del.stderr);
  assert.equal(json(del.stdout).permissions[0].granted, false);

  const index = json((await path('/api/orders', 'GET')).stdout);
  assert.deepEqual(index.path.resources, [resource('Order Index').id], 'the exact URI wins over /api/orders/{id}');
  assert.equal(index.allowed, true);

  const report = await path('/api/reports/2024/q1', 'GET');
  assert.equal(report.code, allGranted('alice', ['Reports#GET']) ? 0 : 1);
  assert.deepEqual(json(report.stdout).path.resources, [resource('Reports').id]);
  assert.equal((await path('/api/reports/2024/q1', 'GET', bob)).code, 0);

  const health = await path('/health', null);
  assert.equal(health.code, 0, health.stderr);
  const lines = await path('/api/invoices/9/lines', 'view', alice, ['--claim', 'department=finance']);
  assert.equal(lines.code, 0, lines.stderr);
  // --path and PERMISSION arguments exclude each other
  const both = await tg(['uma', 'check', 'Orders', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice, ...RS, '--path', '/api/a']);
  assert.equal(both.code, 2);
});

test('--path matching nothing: enforcing denies without asking the IdP, permissive asks for entitlements', async () => {
  const args = ['uma', 'check', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice, ...RS, '--path', '/nothing/here'];
  const before = grants();
  const enforcing = await tg([...args, '--json']);
  assert.equal(enforcing.code, 1, enforcing.stderr);
  assert.equal(grants() - before, 0, 'no uma-ticket request under enforcing');
  const j = json(enforcing.stdout);
  assert.equal(j.allowed, false);
  assert.deepEqual(j.path, { uri: '/nothing/here', resources: [] });
  assert.match(j.message, /no resource/);
  const human = await tg(args);
  assert.equal(human.code, 1);
  assert.match(human.stderr, /no resource/);

  const mark = uma.log.length;
  const permissive = await tg([...args, '--enforcement', 'permissive', '--json']);
  assert.equal(permissive.code, 0, permissive.stderr);
  const sent = uma.grants(mark);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].permissions, [], 'a decision without any permission (entitlement mode)');
  assert.equal(sent[0].audience, RESOURCE_SERVER);
});

test('pushed claims: --claim becomes a JWT-format claim_token; a public client may not push claims', async () => {
  assert.equal((await check(['Invoices#view'])).code, 1);
  const mark = uma.log.length;
  const r = await check(['Invoices#view', '--claim', 'department=finance']);
  assert.equal(r.code, 0, r.stderr);
  const form = Object.fromEntries(uma.grants(mark)[0].form);
  assert.equal(form.claim_token_format, CLAIM_FORMAT_JWT);
  assert.deepEqual(JSON.parse(Buffer.from(form.claim_token, 'base64url')).department, ['finance']);
  // two conditions: bob and the ip claim
  assert.equal((await check(['Invoices#edit', '--claim', 'ip=10.0.0.1'], { as: ['--token', bob] })).code, 0);
  assert.equal((await check(['Invoices#edit', '--claim', 'ip=10.0.0.2'], { as: ['--token', bob] })).code, 1);
  // a public client's token with claims: Keycloak refuses (exit 3, not "denied")
  const pub = await uma.accessToken('alice', { clientId: PUBLIC_CLIENT });
  const refused = await check(['Invoices#view', '--claim', 'department=finance', '--json'], { as: ['--token', pub] });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /Public clients are not allowed to send claims/);
  assert.deepEqual(json(refused.stdout).idp_error, { status: 403, error: 'invalid_grant', description: 'Public clients are not allowed to send claims' });
  assert.equal((await check(['Invoices#view', '--claim', 'no-equals-sign'])).code, 2);
});

test('an expired user token is exit 3 with the reason, not a denial', async () => {
  const expired = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
  const r = await check(['Resource A#view'], { as: ['--token', expired] });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /expired/i);
  assert.doesNotMatch(r.stdout, /^denied/m);
  const j = json((await check(['Resource A#view', '--json'], { as: ['--token', expired] })).stdout);
  assert.equal(j.allowed, false);
  assert.deepEqual(j.idp_error, { status: 401, error: 'invalid_grant', description: 'Invalid bearer token' });
  assert.ok(typeof j.message === 'string' && j.message.length > 0);
  const garbage = await check(['Resource A#view'], { as: ['--token', 'not-a-token'] });
  assert.equal(garbage.code, 3);
});

test('audience problems: unknown resource server, a client without Authorization, none given', async () => {
  const unknown = await tg(['uma', 'check', 'Resource A#view', '--issuer', idp.issuer, '--audience', 'nope-rs', '--token', alice, '--json']);
  assert.equal(unknown.code, 3, unknown.stderr);
  assert.match(unknown.stderr, /'nope-rs'/);
  assert.match(unknown.stderr, /does not exist|unknown/i);
  assert.deepEqual(json(unknown.stdout).idp_error, { status: 400, error: 'invalid_request', description: 'Unknown resource server id: [nope-rs]' });
  const plain = await tg(['uma', 'check', 'Resource A#view', '--issuer', idp.issuer, '--audience', PLAIN_CLIENT, '--token', alice]);
  assert.equal(plain.code, 3, plain.stderr);
  assert.match(plain.stderr, /tollgate-cli/);
  assert.match(plain.stderr, /Authorization|permissions/);
  const none = await tg(['uma', 'check', 'Resource A#view', '--issuer', idp.issuer, '--token', alice]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /--audience/);
});

test('an unknown resource is reported as not existing — alone, and after one Keycloak resolved', async () => {
  const alone = await check(['Report#view']);
  assert.equal(alone.code, 3, alone.stderr);
  assert.match(alone.stderr, /resource 'Report' does not exist on resource server 'tollgate-rs'/);
  assert.doesNotMatch(alone.stdout, /^denied/m);

  // Keycloak drops the unknown one silently once Resource A#view resolved
  const after = await check(['Resource A#view', 'Report#view', '--json']);
  assert.equal(after.code, 3, after.stderr);
  assert.match(after.stderr, /resource 'Report' does not exist on resource server 'tollgate-rs'/);
  const j = json(after.stdout);
  assert.equal(j.allowed, false);
  assert.equal(j.idp_error.error, 'invalid_resource');
  assert.notEqual(j.permissions[1].granted, true);
  // under --require any a denied set is probed as well
  const any = await check(['Resource A#edit', 'Report#view', '--require', 'any']);
  assert.equal(any.code, 3, any.stderr);
  assert.match(any.stderr, /resource 'Report' does not exist on resource server 'tollgate-rs'/);
  // a bare resource name too
  const bare = await check(['Reportz']);
  assert.equal(bare.code, 3);
  assert.match(bare.stderr, /resource 'Reportz' does not exist/);
});

test('human output of an undecided check: no permission is labelled decided, denied or granted by the IdP', async () => {
  // exit 3 means the IdP could not decide: a line must not claim a decision it did not make
  const expired = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
  const cases = [
    [['Resource A#view'], ['--token', expired]], // 401 invalid_grant
    [['Report#view'], undefined], // 400 invalid_resource
    [['Resource A#bogus'], undefined], // 400 invalid_scope
    [['Resource A#view', 'Report#view'], undefined], // Report dropped by Keycloak, probed alone
  ];
  for (const [perms, as] of cases) {
    const r = await check(perms, { as });
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stdout, /^decided\b/m, `${perms.join(' ')}: "decided" is --require any's label for a set Keycloak granted\n${r.stdout}`);
    assert.doesNotMatch(r.stdout, /^denied\s+Report#view/m, `${perms.join(' ')}: a resource that does not exist is not "denied"\n${r.stdout}`);
    assert.doesNotMatch(r.stdout, /^(allowed|denied) \(require/m, 'no verdict line: there is no verdict');
  }
});

test('unknown scopes: all unknown, and one unknown beside a granted one', async () => {
  const all = await check(['Resource A#bogus', '--json']);
  assert.equal(all.code, 3, all.stderr);
  assert.match(all.stderr, /scope.*bogus.*on resource server 'tollgate-rs'/);
  assert.equal(json(all.stdout).idp_error.error, 'invalid_scope');
  const some = await check(['Resource A#view,bogus']);
  assert.equal(some.code, 3, some.stderr);
  assert.match(some.stderr, /scope 'bogus' does not exist on resource server 'tollgate-rs'/);
  const onlyScope = await check(['#bogus']);
  assert.equal(onlyScope.code, 3);
  assert.match(onlyScope.stderr, /bogus/);
});

test('scope-only permissions and whole resources', async () => {
  assert.equal((await check(['#audit'], { as: ['--token', bob] })).code, 0);
  assert.equal((await check(['#audit'])).code, 1);
  assert.equal((await check(['Health'])).code, 0);
  assert.equal((await check(['Reports'])).code, 0, 'whole resource: some scope is granted');
  assert.equal((await check([`${resource('Orders').id}#POST`])).code, 0, 'by id');
  assert.equal((await check(['pay-slips#view'])).code, 0);
});

test('permission strings Keycloak would misread are usage errors, before anything is sent', async () => {
  const before = grants();
  for (const bad of ['Resource A#view, edit', '#', 'Resource A#', 'a#b#c', 'Resource A#view,,edit', ' Resource A#view']) {
    const r = await check([bad]);
    assert.equal(r.code, 2, `${JSON.stringify(bad)}: ${r.stderr}`);
  }
  assert.equal(grants() - before, 0);
});

test('the IdP down (refused port) and slow (beyond --timeout) are exit 3, in time', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const down = await tg(['uma', 'check', 'Resource A#view', '--token-endpoint', `http://127.0.0.1:${port}/realms/tollgate/protocol/openid-connect/token`, '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(down.code, 3, down.stderr);
  assert.match(down.stderr, /refused|connect/i);

  uma.state.hang = { ms: 6000, count: 1 };
  const slow = await check(['Resource A#view', '--timeout', '1000']);
  uma.state.hang = { ms: 0, count: 0 };
  assert.equal(slow.code, 3, slow.stderr);
  assert.match(slow.stderr, /tim(ed|e) ?out/i);
  assert.ok(slow.ms < 4500, `took ${slow.ms} ms with --timeout 1000 (the IdP would answer after 6000)`);

  uma.state.failNext = 1;
  const failed = await check(['Resource A#view', '--json']);
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stderr, /500/);
  assert.deepEqual(json(failed.stdout).idp_error, { status: 500, error: 'server_error', description: 'Unexpected error while evaluating permissions' });
});

test('client credentials: the service account decides; post, env secret, --client-secret warns, wrong secret', async () => {
  const mark = uma.log.length;
  const sa = await check(['Orders#GET'], { as: CLI });
  assert.equal(sa.code, 0, sa.stderr);
  assert.equal(uma.grants(mark)[0].auth, 'client');
  assert.equal(uma.grants(mark)[0].subject, serviceAccount(PLAIN_CLIENT));
  assert.equal((await check(['Orders#POST'], { as: CLI })).code, 1);
  const post = uma.log.length;
  assert.equal((await check(['Orders#GET'], { as: [...CLI, '--client-auth', 'post'] })).code, 0);
  assert.equal(Object.fromEntries(uma.grants(post)[0].form).client_id, PLAIN_CLIENT);
  assert.equal((await check(['Orders#GET'], { as: ['--client-id', PLAIN_CLIENT], opts: { env: { TOLLGATE_CLIENT_SECRET: 'cli-secret' } } })).code, 0);
  const inline = await check(['Orders#GET'], { as: ['--client-id', PLAIN_CLIENT, '--client-secret', 'cli-secret'] });
  assert.equal(inline.code, 0, inline.stderr);
  assert.match(inline.stderr, /warning:.*--client-secret/);
  const wrong = await check(['Orders#GET', '--json'], { as: ['--client-id', PLAIN_CLIENT], opts: { env: { TOLLGATE_CLIENT_SECRET: 'wrong' } } });
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, /client authentication failed/i);
  assert.deepEqual(json(wrong.stdout).idp_error, { status: 401, error: 'invalid_client', description: 'Invalid client or Invalid client credentials' });
  const none = await tg(['uma', 'check', 'Orders#GET', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /identity|--token|--client-id/);
});

test('--subject-token: client credentials, evaluated for the user; --token from a file and stdin', async () => {
  const mark = uma.log.length;
  const r = await check(['Orders#POST'], { as: [...CLI, '--subject-token', alice] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(uma.grants(mark)[0].subject, 'alice');
  assert.equal(uma.grants(mark)[0].auth, 'client');
  assert.equal((await check(['Orders#POST'], { as: [...CLI, '--subject-token', bob] })).code, 1);
  const conflict = await check(['Orders#POST'], { as: [...CLI, '--subject-token', alice, '--token', bob] });
  assert.equal(conflict.code, 2);
  assert.equal((await check(['Resource A#view'], { as: ['--token', `@${aliceFile}`] })).code, 0);
  assert.equal((await check(['Resource A#view'], { as: ['--token', '-'], opts: { input: `${alice}\n` } })).code, 0);
});

test('§2.4 identity rows: a bad --subject-token (400 Invalid identity); a public client has no service account (401)', async () => {
  const bad = await check(['Orders#GET', '--json'], { as: [...CLI, '--subject-token', 'garbage'] });
  assert.equal(bad.code, 3, bad.stderr);
  assert.deepEqual(json(bad.stdout).idp_error, { status: 400, error: 'unauthorized_client', description: 'Invalid identity' });
  assert.match(bad.stderr, /Invalid identity/);
  const pub = await check(['Orders#GET', '--json'], { as: ['--client-id', PUBLIC_CLIENT, '--client-auth', 'none'] });
  assert.equal(pub.code, 3, pub.stderr);
  assert.deepEqual(json(pub.stdout).idp_error, { status: 401, error: 'unauthorized_client', description: 'Public client not allowed to retrieve service account' });
  // the client did authenticate: the reason is the missing service account, so say that
  assert.match(pub.stderr, /service account/i, `the message should carry Keycloak's reason:\n${pub.stderr}`);
});

test('uma permissions: the IdP\'s array as --json, a table otherwise, entitlements without arguments', async () => {
  const r = await tg(['uma', 'permissions', 'Resource A', 'Orders', 'Health', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(json(r.stdout), ['Resource A', 'Orders', 'Health'].map((n) => {
    const s = grantedScopes('alice', n);
    return { rsid: resource(n).id, rsname: n, ...(s.length ? { scopes: s } : {}) };
  }));
  const table = await tg(['uma', 'permissions', 'Resource A', 'Orders', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Resource A.*view/);
  assert.match(table.stdout, /Orders.*GET,POST/);
  const all = await tg(['uma', 'permissions', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', bob, '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(json(all.stdout).map((p) => p.rsname ?? null), RESOURCES.filter((x) => grantedScopes('bob', x.name) !== null).map((x) => x.name));
  const none = await tg(['uma', 'permissions', 'Resource A#edit', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice, '--json']);
  assert.equal(none.code, 1, none.stderr);
  const missing = await tg(['uma', 'permissions', 'Report', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /resource 'Report' does not exist/);
});

test('uma rpt: prints the RPT; --json with the decoded permissions; --rpt upgrades; a bad --rpt is exit 3', async () => {
  const base = ['uma', 'rpt', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice];
  const r = await tg([...base, 'Resource A#view']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const rpt = r.stdout.trim();
  assert.deepEqual(uma.decode(rpt).authorization.permissions, [{ rsid: resource('Resource A').id, rsname: 'Resource A', scopes: ['view'] }]);

  const j = await tg([...base, 'Orders#GET', '--rpt', rpt, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const body = json(j.stdout);
  assert.equal(body.response.upgraded, true);
  assert.equal(body.response.token_type, 'Bearer');
  assert.deepEqual(body.permissions.map((p) => p.rsname).sort(), ['Orders', 'Resource A']);
  assert.deepEqual(uma.decode(body.response.access_token).authorization.permissions, body.permissions);
  assert.equal(Object.fromEntries(lastGrant().form).rpt, rpt);

  const denied = await tg([...base, 'Resource A#edit']);
  assert.equal(denied.code, 1, denied.stderr);
  assert.equal(denied.stdout, '');
  const bad = await tg([...base, 'Orders#GET', '--rpt', 'garbage']);
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /RPT signature is invalid/);
  const sa = await tg(['uma', 'rpt', 'Orders#GET', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, ...CLI, '--json']);
  assert.equal(sa.code, 0, sa.stderr);
  assert.equal(uma.decode(json(sa.stdout).response.access_token).sub, serviceAccount(PLAIN_CLIENT));
});

test('uma resources: a PAT of the resource server; --uri --match, --name, --type, --deep', async () => {
  const base = ['uma', 'resources', '--issuer', idp.issuer, ...RS];
  const idsOf = (doc) => doc.map((e) => (typeof e === 'string' ? e : e._id));
  const all = await tg([...base, '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(idsOf(json(all.stdout)), RESOURCES.map((x) => x.id));
  const m = await tg([...base, '--uri', '/api/orders/17', '--match', '--json']);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(idsOf(json(m.stdout)), [resource('Orders').id]);
  const noMatch = await tg([...base, '--uri', '/api/orders/17', '--json']);
  assert.equal(noMatch.code, 1, 'without --match the URI must be equal');
  const name = await tg([...base, '--name', 'order', '--json']);
  assert.deepEqual(idsOf(json(name.stdout)), [resource('Orders').id, resource('Order Index').id]);
  const type = await tg([...base, '--type', 'report', '--json']);
  assert.deepEqual(idsOf(json(type.stdout)), [resource('Reports').id]);
  const deep = await tg([...base, '--name', 'Reports', '--deep', '--json']);
  assert.equal(json(deep.stdout)[0].name, 'Reports');
  const table = await tg([...base, '--uri', '/api/reports/x', '--match']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Reports/);
  assert.match(table.stdout, new RegExp(resource('Reports').id));
  assert.match(table.stdout, /\/api\/reports\/\*/);
  // a PAT of another client: Keycloak refuses it (exit 3)
  const other = await tg(['uma', 'resources', '--issuer', idp.issuer, ...CLI]);
  assert.equal(other.code, 3, other.stderr);
  assert.match(other.stderr, /not registered as a resource server|403/);
});

test('introspect --rpt: the RPT\'s permissions through Keycloak\'s requesting_party_token hint', async () => {
  const rpt = (await tg(['uma', 'rpt', 'Resource A#view', 'Health', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice])).stdout.trim();
  const before = uma.log.filter((e) => e.kind === 'introspect').length;
  const r = await tg(['introspect', rpt, '--rpt', '--issuer', idp.issuer, ...RS, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(uma.log.filter((e) => e.kind === 'introspect').length - before, 1, 'sent with token_type_hint=requesting_party_token');
  const j = json(r.stdout);
  assert.equal(j.active, true);
  assert.deepEqual(j.permissions.map((p) => [p.resource_id, p.rsname]), [[resource('Resource A').id, 'Resource A'], [resource('Health').id, 'Health']]);
  const human = await tg(['introspect', rpt, '--rpt', '--issuer', idp.issuer, ...RS]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^active: true$/m);
  assert.match(human.stdout, /Resource A/);
  assert.match(human.stdout, /view/);
  const expired = uma.jwtAccessToken({ exp: Math.floor(Date.now() / 1000) - 5, authorization: { permissions: [] } });
  const inactive = await tg(['introspect', expired, '--rpt', '--issuer', idp.issuer, ...RS, '--json']);
  assert.equal(inactive.code, 1);
  assert.deepEqual(json(inactive.stdout), { active: false });
  const bogus = await tg(['introspect', rpt, '--token-type-hint', 'bogus_hint', '--issuer', idp.issuer, ...RS]);
  assert.equal(bogus.code, 3, bogus.stderr);
  assert.match(bogus.stderr, /Unsupported token type/);
});
