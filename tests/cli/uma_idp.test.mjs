// The test IdP's Keycloak Authorization Services (tests/idp/uma.mjs) against the wire protocol it
// imitates (shared/spec/uma-protocol.md): every §2.4 error it can produce, the §2.3 success shapes,
// the §3.2 RPT introspection, the §4.2 resource query with Keycloak's PathMatcher, and the test
// hooks. No tollgate binary is involved: this checks the fixture the CLI tests rely on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { SOURCE_DIR } from './lib/harness.mjs';
import { startIdp } from '../idp/server.mjs';
import {
  umaPlugin, UMA_GRANT, CLAIM_FORMAT_JWT, CLAIM_FORMAT_ID_TOKEN, RPT_HINT, RESOURCE_SERVER, PLAIN_CLIENT, PUBLIC_CLIENT,
  RESOURCES, resource, idOf, grantedScopes, pathMatch, serviceAccount,
} from '../idp/uma.mjs';

let idp;
let uma;
let alice; // opaque access tokens of the realm
let bob;
let publicAlice; // issued to the public client
let pat; // the resource server's client_credentials token (a JWT)

const basic = (id, secret) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const CLI_AUTH = basic('tollgate-cli', 'cli-secret');
const claims = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

async function post(path, pairs, headers = {}) {
  const res = await fetch(`${idp.issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(pairs),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

// A uma-ticket request: `pairs` are form fields after grant_type (arrays keep repeated names).
const ask = (pairs, headers = bearer(alice)) => post('/protocol/openid-connect/token', [['grant_type', UMA_GRANT], ...pairs], headers);
const decide = (perms, headers, extra = []) => ask([['audience', RESOURCE_SERVER], ...perms.map((p) => ['permission', p]), ['response_mode', 'decision'], ...extra], headers);
const listed = (perms, headers, extra = []) => ask([['audience', RESOURCE_SERVER], ...perms.map((p) => ['permission', p]), ['response_mode', 'permissions'], ...extra], headers);

function kcError(r, status, error, description) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(r.body, { error, error_description: description });
}

async function resourceSet(query = '', headers = bearer(pat), suffix = '') {
  const res = await fetch(`${idp.issuer}/authz/protection/resource_set${suffix}${query ? `?${query}` : ''}`, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : text };
}
const ids = (...names) => names.map((n) => resource(n).id);

before(async () => {
  uma = umaPlugin();
  idp = await startIdp({ plugins: [uma] });
  alice = await uma.accessToken('alice');
  bob = await uma.accessToken('bob');
  publicAlice = await uma.accessToken('alice', { clientId: PUBLIC_CLIENT });
  const r = await post('/protocol/openid-connect/token', [['grant_type', 'client_credentials'], ['client_id', RESOURCE_SERVER], ['client_secret', 'rs-secret']]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  pat = r.body.access_token;
});
after(async () => {
  await idp?.close();
});

test('discovery: UMA2 endpoints at Keycloak paths; the uma-ticket grant is advertised', async () => {
  const u = await (await fetch(`${idp.issuer}/.well-known/uma2-configuration`)).json();
  assert.equal(u.token_endpoint, `${idp.issuer}/protocol/openid-connect/token`);
  assert.equal(u.resource_registration_endpoint, `${idp.issuer}/authz/protection/resource_set`);
  assert.equal(u.permission_endpoint, `${idp.issuer}/authz/protection/permission`);
  assert.equal(u.policy_endpoint, `${idp.issuer}/authz/protection/uma-policy`);
  assert.equal(u.introspection_endpoint, `${idp.issuer}/protocol/openid-connect/token/introspect`);
  const o = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  assert.ok(o.grant_types_supported.includes(UMA_GRANT));
});

test('decision: granted, denied, and any scope of a multi-scope permission is enough (§2.3)', async () => {
  assert.deepEqual((await decide(['Resource A#view'])).body, { result: true });
  kcError(await decide(['Resource A#edit']), 403, 'access_denied', 'not_authorized');
  assert.deepEqual((await decide(['Resource A#view,edit'])).body, { result: true }, 'only view is granted, still true');
  assert.deepEqual((await decide(['Resource A#edit', 'Orders#GET'])).body, { result: true }, 'one permission of several');
  const r = await decide(['Resource A#view']);
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

test('permissions: a bare array of {rsid, rsname, scopes}; scopes omitted when empty; scope-only entries carry no resource', async () => {
  const a = await listed(['Resource A#view,edit', 'Health'], bearer(alice));
  assert.equal(a.status, 200);
  assert.deepEqual(a.body, [
    { rsid: resource('Resource A').id, rsname: 'Resource A', scopes: ['view'] },
    { rsid: resource('Health').id, rsname: 'Health' },
  ]);
  const b = await listed(['#audit'], bearer(bob));
  assert.deepEqual(b.body, [{ scopes: ['audit'] }]);
  kcError(await listed(['#audit'], bearer(alice)), 403, 'access_denied', 'not_authorized');
  const noName = await listed(['Resource A#view'], bearer(alice), [['response_include_resource_name', 'no']]);
  assert.deepEqual(noName.body, [{ rsid: resource('Resource A').id, scopes: ['view'] }]);
  // `#view` is every resource that has the scope
  const v = await listed(['#view'], bearer(alice));
  assert.deepEqual(v.body.map((p) => p.rsname), ['Resource A', 'pay-slips', 'Archive']);
});

test('permission parsing: no trimming, merged repeats, ids, names with "-", typed names (§2.2)', async () => {
  // " GET" is not a scope: dropped silently, only read is evaluated
  assert.deepEqual((await listed(['Reports#read, GET'], bearer(bob))).body, [{ rsid: resource('Reports').id, rsname: 'Reports', scopes: ['read'] }]);
  assert.deepEqual((await listed(['Reports#read,GET'], bearer(bob))).body[0].scopes, ['read', 'GET']);
  // repeated values for one resource are merged into one permission
  assert.deepEqual((await listed(['Resource A#view', 'Resource A#edit'], bearer(bob))).body, [{ rsid: resource('Resource A').id, rsname: 'Resource A', scopes: ['view', 'edit'] }]);
  // by id
  assert.deepEqual((await listed([`${idOf('Orders')}#GET`], bearer(alice))).body[0].rsname, 'Orders');
  // a name containing '-' is found by name after the id lookup misses
  assert.deepEqual((await listed(['pay-slips#view'], bearer(alice))).body[0].rsname, 'pay-slips');
  // `Res#` is resource-only, a third '#' part is ignored
  assert.deepEqual((await listed(['Resource A#'], bearer(alice))).body[0].scopes, ['view']);
  assert.deepEqual((await listed(['Resource A#view#edit'], bearer(bob))).body[0].scopes, ['view']);
  // resource-type: every resource of the type owned by the resource server
  assert.deepEqual((await listed(['resource-type:urn:tollgate-rs:resources:order#GET'], bearer(alice))).body.map((p) => p.rsname), ['Orders', 'Order Index']);
  // the `scope` parameter adds to every permission
  assert.deepEqual((await listed(['Resource A'], bearer(bob), [['scope', 'edit']])).body[0].scopes, ['edit']);
  // `#` alone: Keycloak's split gives no parts and the grant fails
  const hash = await ask([['audience', RESOURCE_SERVER], ['permission', '#']]);
  assert.equal(hash.status, 500);
});

test('whole resources: Res asks for every scope; a resource-based policy grants them all', async () => {
  assert.deepEqual((await listed(['Reports'], bearer(bob))).body[0].scopes, ['read', 'write', 'GET']);
  assert.deepEqual((await listed(['Reports'], bearer(alice))).body[0].scopes, ['read']);
  assert.deepEqual(grantedScopes('alice', 'Reports'), ['read']);
  assert.deepEqual(grantedScopes('bob', 'Reports', ['write']), ['write']);
  assert.equal(grantedScopes('alice', 'Resource A', ['edit']), null);
});

test('errors: audience (§2.2) — missing, unknown, a client without Authorization, also in entitlement mode', async () => {
  kcError(await ask([['permission', 'Resource A#view']]), 400, 'invalid_request', 'You must provide the issuedFor');
  kcError(await ask([]), 400, 'invalid_request', 'You must provide the issuedFor');
  kcError(await ask([['audience', 'nope-rs'], ['permission', 'Resource A#view']]), 400, 'invalid_request', 'Unknown resource server id: [nope-rs]');
  kcError(await ask([['audience', PLAIN_CLIENT], ['permission', 'Resource A#view']]), 400, 'invalid_request', 'Client does not support permissions');
});

test('errors: scopes resolve before resources; unknown resources only fail while nothing resolved (§2.4)', async () => {
  kcError(await decide(['Nope#view']), 400, 'invalid_resource', 'Resource with id [Nope] does not exist.');
  kcError(await decide(['Report']), 400, 'invalid_resource', 'Resource with id [Report] does not exist.');
  // after a resolved permission the unknown one is dropped silently
  assert.deepEqual((await decide(['Resource A#view', 'Nope#view'])).body, { result: true });
  kcError(await decide(['Resource A#edit', 'Nope#view']), 403, 'access_denied', 'not_authorized');
  // ... but before it, it fails
  kcError(await decide(['Nope#view', 'Resource A#view']), 400, 'invalid_resource', 'Resource with id [Nope] does not exist.');
  // none of the scope names exists anywhere: invalid_scope, also for an unknown resource
  kcError(await decide(['Resource A#bogus,nada']), 400, 'invalid_scope', 'One of the given scopes [bogus, nada] is invalid');
  kcError(await decide(['Nope#bogus']), 400, 'invalid_scope', 'One of the given scopes [bogus] is invalid');
  kcError(await decide(['#bogus']), 400, 'invalid_scope', 'One of the given scopes [bogus] is invalid');
  // one of them exists: the rest is dropped
  assert.deepEqual((await decide(['Resource A#view,bogus'])).body, { result: true });
  // a resource that has none of the requested (existing) scopes adds nothing: as unknown
  kcError(await decide(['Resource A#GET']), 400, 'invalid_resource', 'Resource with id [Resource A] does not exist.');
  kcError(await decide(['Health#view']), 400, 'invalid_resource', 'Resource with id [Health] does not exist.');
});

test('errors: response_mode is checked only on granted requests', async () => {
  kcError(await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#view'], ['response_mode', 'bogus']]), 400, 'invalid_request', 'Invalid response_mode');
  kcError(await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#edit'], ['response_mode', 'bogus']]), 403, 'access_denied', 'not_authorized');
});

test('errors: Bearer authentication — garbage, expired opaque and expired JWT tokens, a foreign signature (401 invalid_grant)', async () => {
  kcError(await decide(['Resource A#view'], bearer('garbage')), 401, 'invalid_grant', 'Invalid bearer token');
  // exp is whole seconds: 2 s of life leave at least 1 s for the first request
  const shortLived = await uma.accessToken('alice', { expiresIn: 2 });
  assert.deepEqual((await decide(['Resource A#view'], bearer(shortLived))).body, { result: true });
  await new Promise((r) => setTimeout(r, 3100));
  kcError(await decide(['Resource A#view'], bearer(shortLived)), 401, 'invalid_grant', 'Invalid bearer token');
  const expiredJwt = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 5 });
  kcError(await decide(['Resource A#view'], bearer(expiredJwt)), 401, 'invalid_grant', 'Invalid bearer token');
  const [h, p] = uma.jwtAccessToken({ sub: 'alice' }).split('.');
  kcError(await decide(['Resource A#view'], bearer(`${h}.${p}.${Buffer.from('forged').toString('base64url')}`)), 401, 'invalid_grant', 'Invalid bearer token');
  // a valid JWT of the realm works, as does oidc-provider's own at+jwt (a service account)
  assert.deepEqual((await decide(['Resource A#view'], bearer(uma.jwtAccessToken({ sub: 'alice' })))).body, { result: true });
  const cc = await post('/protocol/openid-connect/token', [['grant_type', 'client_credentials']], CLI_AUTH);
  assert.deepEqual((await listed(['Orders'], bearer(cc.body.access_token))).body[0].scopes, ['GET']);
});

test('errors: client authentication — Basic, client_secret_post, wrong secret, unknown client (401 invalid_client)', async () => {
  assert.deepEqual((await decide(['Orders#GET'], CLI_AUTH)).body, { result: true });
  assert.deepEqual((await decide(['Orders#GET'], {}, [['client_id', 'tollgate-cli'], ['client_secret', 'cli-secret']])).body, { result: true });
  const bad = 'Invalid client or Invalid client credentials';
  kcError(await decide(['Orders#GET'], basic('tollgate-cli', 'wrong')), 401, 'invalid_client', bad);
  kcError(await decide(['Orders#GET'], {}, [['client_id', 'tollgate-cli'], ['client_secret', 'wrong']]), 401, 'invalid_client', bad);
  kcError(await decide(['Orders#GET'], basic('nobody', 'x')), 401, 'invalid_client', bad);
  kcError(await decide(['Orders#GET'], {}), 401, 'invalid_client', bad);
  // the identity is the client's service account
  const sa = uma.grants().at(-6);
  assert.equal(sa.subject, serviceAccount(PLAIN_CLIENT));
  kcError(await decide(['Orders#POST'], CLI_AUTH), 403, 'access_denied', 'not_authorized');
  // a public client has no service account
  kcError(await decide(['Orders#GET'], {}, [['client_id', PUBLIC_CLIENT]]), 401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
});

test('subject_token: client authentication, evaluated for the token\'s subject; a bad one is "Invalid identity"', async () => {
  assert.deepEqual((await listed(['Orders'], CLI_AUTH, [['subject_token', alice]])).body[0].scopes, ['GET', 'POST']);
  assert.equal(uma.grants().at(-1).subject, 'alice');
  kcError(await listed(['Orders'], CLI_AUTH, [['subject_token', 'garbage']]), 400, 'unauthorized_client', 'Invalid identity');
});

test('pushed claims: granted only with the claim; malformed, unsupported format, public clients (§2.2, §2.4)', async () => {
  const fin = [['claim_token', claims({ department: 'finance' })], ['claim_token_format', CLAIM_FORMAT_JWT]];
  kcError(await decide(['Invoices#view']), 403, 'access_denied', 'not_authorized');
  assert.deepEqual((await decide(['Invoices#view'], bearer(alice), fin)).body, { result: true });
  assert.deepEqual((await decide(['Invoices#view'], bearer(alice), [['claim_token', claims({ department: ['hr', 'finance'] })], ['claim_token_format', CLAIM_FORMAT_JWT]])).body, { result: true });
  // the Node adapter's plain base64 works too
  const plain = Buffer.from(JSON.stringify({ department: 'finance', note: '>>>???' })).toString('base64');
  assert.match(plain, /[+/=]/);
  assert.deepEqual((await decide(['Invoices#view'], bearer(alice), [['claim_token', plain], ['claim_token_format', CLAIM_FORMAT_JWT]])).body, { result: true });
  // two conditions: bob and the ip claim
  const ip = [['claim_token', claims({ ip: '10.0.0.1' })], ['claim_token_format', CLAIM_FORMAT_JWT]];
  assert.deepEqual((await decide(['Invoices#edit'], bearer(bob), ip)).body, { result: true });
  kcError(await decide(['Invoices#edit'], bearer(alice), ip), 403, 'access_denied', 'not_authorized');
  kcError(await decide(['Invoices#edit'], bearer(bob)), 403, 'access_denied', 'not_authorized');
  // with Bearer and no format, Keycloak takes the ID-token path and ignores the claims
  kcError(await decide(['Invoices#view'], bearer(alice), [['claim_token', claims({ department: 'finance' })]]), 403, 'access_denied', 'not_authorized');
  kcError(await decide(['Invoices#view'], bearer(alice), [['claim_token', '!!not json!!'], ['claim_token_format', CLAIM_FORMAT_JWT]]), 400, 'invalid_request', 'Invalid claims');
  kcError(await decide(['Invoices#view'], bearer(alice), [['claim_token', claims(['finance'])], ['claim_token_format', CLAIM_FORMAT_JWT]]), 400, 'invalid_request', 'Invalid claims');
  const https = 'https://openid.net/specs/openid-connect-core-1_0.html#IDToken';
  kcError(await decide(['Invoices#view'], bearer(alice), [['claim_token', claims({})], ['claim_token_format', https]]), 400, 'invalid_request', `Claim token format [${https}] not supported`);
  kcError(await decide(['Invoices#view'], bearer(publicAlice), fin), 403, 'invalid_grant', 'Public clients are not allowed to send claims');
  kcError(await decide(['Invoices#view'], {}, [['client_id', PUBLIC_CLIENT], ['subject_token', alice], ...fin]), 403, 'invalid_grant', 'Public clients are not allowed to send claims');
  // without claims a public client's token is fine
  assert.deepEqual((await decide(['Resource A#view'], bearer(publicAlice))).body, { result: true });
  // client authentication with an ID-token claim token: the claim token is the identity
  kcError(await decide(['Resource A#view'], CLI_AUTH, [['claim_token', 'not-a-jwt']]), 400, 'unauthorized_client', 'Invalid signature');
  kcError(await decide(['Resource A#view'], CLI_AUTH, [['claim_token_format', CLAIM_FORMAT_ID_TOKEN]]), 400, 'invalid_request', 'Subject token can not be null and must be a valid ID or Access Token');
  assert.deepEqual((await decide(['Resource A#view'], CLI_AUTH, [['claim_token', uma.jwtAccessToken({ sub: 'alice' })]])).body, { result: true });
});

test('errors: ticket and rpt (403 invalid_ticket, invalid_rpt)', async () => {
  kcError(await ask([['ticket', 'eyJ.bogus.ticket']]), 403, 'invalid_ticket', 'Ticket verification failed');
  kcError(await ask([['audience', RESOURCE_SERVER], ['rpt', 'garbage']]), 403, 'invalid_rpt', 'RPT signature is invalid');
});

test('RPT: exactly Keycloak\'s fields, a JWT of the realm key with authorization.permissions and the RS in aud', async () => {
  const r = await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#view'], ['permission', 'Orders#GET']]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'not-before-policy', 'refresh_expires_in', 'refresh_token', 'token_type', 'upgraded']);
  assert.equal(r.body.token_type, 'Bearer');
  assert.equal(r.body.upgraded, false);
  const jwt = uma.decode(r.body.access_token);
  assert.equal(jwt.iss, idp.issuer);
  assert.equal(jwt.sub, 'alice');
  assert.ok([].concat(jwt.aud).includes(RESOURCE_SERVER));
  assert.deepEqual(jwt.authorization.permissions, [
    { rsid: resource('Resource A').id, rsname: 'Resource A', scopes: ['view'] },
    { rsid: resource('Orders').id, rsname: 'Orders', scopes: ['GET'] },
  ]);
  const kid = JSON.parse(Buffer.from(r.body.access_token.split('.')[0], 'base64url')).kid;
  assert.ok(idp.realm.publicJwks().keys.some((k) => k.kid === kid));
  // a service account gets no refresh token
  const sa = await ask([['audience', RESOURCE_SERVER], ['permission', 'Orders#GET']], CLI_AUTH);
  assert.equal(sa.body.refresh_token, undefined);
  assert.equal(sa.body.refresh_expires_in, 0);
  // entitlement: every resource the caller can get
  const all = await ask([['audience', RESOURCE_SERVER]], bearer(bob));
  const names = uma.decode(all.body.access_token).authorization.permissions.map((p) => p.rsname);
  assert.deepEqual(names, RESOURCES.filter((x) => grantedScopes('bob', x.name) !== null).map((x) => x.name));
});

test('RPT upgrade: old permissions carried over, upgraded true; with an rpt every requested permission must be granted', async () => {
  const first = await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#view']]);
  const rpt = first.body.access_token;
  const up = await ask([['audience', RESOURCE_SERVER], ['permission', 'Orders#GET'], ['rpt', rpt]]);
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.equal(up.body.upgraded, true);
  assert.deepEqual(uma.decode(up.body.access_token).authorization.permissions.map((p) => `${p.rsname}#${p.scopes}`), ['Orders#GET', 'Resource A#view']);
  // only the rpt: its permissions are evaluated again
  const again = await ask([['audience', RESOURCE_SERVER], ['rpt', rpt]]);
  assert.deepEqual(uma.decode(again.body.access_token).authorization.permissions.map((p) => p.rsname), ['Resource A']);
  // a requested permission that is not granted denies the whole upgrade...
  kcError(await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#edit'], ['permission', 'Orders#GET'], ['rpt', rpt]]), 403, 'access_denied', 'not_authorized');
  // ...but a shared scope is enough (Permission.equals)
  assert.equal((await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#view,edit'], ['rpt', rpt]])).status, 200);
  // an expired but well signed RPT is accepted; its permissions are not carried over
  const stale = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 10, authorization: { permissions: [{ rsid: resource('Health').id, rsname: 'Health' }] } });
  const s = await ask([['audience', RESOURCE_SERVER], ['permission', 'Orders#GET'], ['rpt', stale]]);
  assert.equal(s.status, 200);
  assert.deepEqual(uma.decode(s.body.access_token).authorization.permissions.map((p) => p.rsname), ['Orders']);
  assert.equal(s.body.upgraded, false);
});

test('permission_resource_format=uri with and without matching (§2.2)', async () => {
  const uri = (perms, matching) => listed(perms, bearer(alice), [['permission_resource_format', 'uri'], ...(matching ? [['permission_resource_matching_uri', 'true']] : [])]);
  assert.deepEqual((await uri(['/api/a#view'])).body.map((p) => p.rsname), ['Resource A']);
  kcError(await uri(['/api/orders/17#GET']), 400, 'invalid_resource', 'Resource with uri [/api/orders/17] does not exist.');
  assert.deepEqual((await uri(['/api/orders/17#GET'], true)).body.map((p) => p.rsname), ['Orders']);
  assert.deepEqual((await uri(['/api/reports/2024/q1#read'], true)).body.map((p) => p.rsname), ['Reports']);
  kcError(await uri(['']), 400, 'invalid_request', 'You must provide the uri');
  // any other format adds no permission: entitlement mode
  const other = await listed(['Resource A#view'], bearer(alice), [['permission_resource_format', 'name']]);
  assert.equal(other.body.length, RESOURCES.filter((x) => grantedScopes('alice', x.name) !== null).length);
});

test('Protection API: the PAT is checked; ids, deep objects and one resource (§4.2)', async () => {
  const all = await resourceSet();
  assert.equal(all.status, 200);
  assert.deepEqual(all.body, RESOURCES.map((r) => r.id));
  kcError(await resourceSet('', {}), 403, 'invalid_bearer_token', 'Could not obtain bearer access_token from request.');
  kcError(await resourceSet('', bearer('garbage')), 403, 'invalid_bearer_token', 'Could not obtain bearer access_token from request.');
  const cliToken = (await post('/protocol/openid-connect/token', [['grant_type', 'client_credentials']], CLI_AUTH)).body.access_token;
  kcError(await resourceSet('', bearer(cliToken)), 403, 'invalid_clientId', 'Client application [tollgate-cli] is not registered as a resource server.');
  kcError(await resourceSet('', bearer(alice)), 403, 'invalid_clientId', 'Client application [tollgate-cli] is not registered as a resource server.');
  const deep = await resourceSet('name=Orders&exactName=true&deep=true');
  assert.deepEqual(deep.body.map((r) => [r._id, r.name, r.uris, r.scopes.map((s) => s.name), r.resource_scopes]), [[resource('Orders').id, 'Orders', ['/api/orders/{id}'], ['GET', 'POST', 'DELETE'], undefined]]);
  const one = await resourceSet('', bearer(pat), `/${resource('Reports').id}`);
  assert.equal(one.body.name, 'Reports');
  assert.deepEqual(one.body.resource_scopes.map((s) => s.name), ['read', 'write', 'GET']);
  assert.equal(one.body.scopes, undefined);
  const missing = await resourceSet('', bearer(pat), `/${idOf('nope')}`);
  assert.equal(missing.status, 404);
});

test('Protection API filters: name and type substrings, exactName, uri, scope, paging — all case-insensitive', async () => {
  const q = async (s) => (await resourceSet(s)).body;
  assert.deepEqual(await q('name=ORDER'), ids('Orders', 'Order Index'));
  assert.deepEqual(await q('name=orders&exactName=true'), ids('Orders'));
  assert.deepEqual(await q('uri=/API/A'), ids('Resource A'));
  assert.deepEqual(await q('uri=/api/orders'), ids('Order Index'));
  assert.deepEqual(await q('uri=/api/orders/17'), [], 'no matching without matchingUri');
  assert.deepEqual(await q('type=resources:DOC'), ids('Resource A', 'pay-slips'));
  assert.deepEqual(await q('scope=GET'), ids('Orders', 'Order Index', 'Reports'));
  assert.deepEqual(await q('scope=nope'), []);
  assert.deepEqual(await q('first=1&max=2'), RESOURCES.slice(1, 3).map((r) => r.id));
  assert.deepEqual(await q('owner=tollgate-rs&name=health'), ids('Health'));
  assert.deepEqual(await q('owner=alice'), []);
});

test('Protection API matchingUri: Keycloak PathMatcher over the RS resources, one result, other filters ignored (§6.2)', async () => {
  const m = async (uri, extra = '') => (await resourceSet(`uri=${encodeURIComponent(uri)}&matchingUri=true${extra}`)).body;
  assert.deepEqual(await m('/api/orders/17'), ids('Orders'), 'template');
  assert.deepEqual(await m('/api/orders'), ids('Order Index'), 'exact beats the template');
  assert.deepEqual(await m('/api/orders/'), ids('Order Index'), 'trailing slash stripped');
  assert.deepEqual(await m('/api/orders/17?x=1'), ids('Orders'), 'query dropped');
  assert.deepEqual(await m('/api/reports/2024/q1'), ids('Reports'), 'trailing wildcard');
  assert.deepEqual(await m('/api/reports'), ids('Reports'), '/path/* also matches /path');
  assert.deepEqual(await m('/api/invoices/9/lines'), ids('Invoices'), 'template in the middle');
  assert.deepEqual(await m('/api/invoices/9'), [], 'fewer segments than the template');
  assert.deepEqual(await m('/archive/2023/report.pdf'), ids('Archive'), 'suffix');
  assert.deepEqual(await m('/API/ORDERS/17'), [], 'PathMatcher is case-sensitive');
  assert.deepEqual(await m('/nothing/here'), []);
  assert.deepEqual(await m('/api/orders/17', '&name=Health&type=probe'), ids('Orders'), 'name/type ignored by the fallback');
  assert.deepEqual(await m('/api/orders/17', '&first=0&max=1'), [], 'paging limits the candidates');
  const full = (await resourceSet('uri=/api/orders/17&matchingUri=true&deep=true')).body;
  assert.equal(full[0].name, 'Orders');
  // the matcher itself: iteration order decides between templates (more segments OR fewer braces)
  assert.equal(pathMatch([['/{a}/{b}', 'two'], ['/x/{b}', 'one']], '/x/y'), 'one');
  assert.equal(pathMatch([['/x/*', 'any'], ['/x', 'exact']], '/x'), 'any', '/x/* met first returns at once for /x');
  assert.equal(pathMatch([['/x/*', 'any'], ['/x/y', 'exact']], '/x/y'), 'exact', 'a wildcard is only a fallback');
  assert.equal(pathMatch([['/x/{id}', 'template'], ['/x/y', 'exact']], '/x/y'), 'exact', 'after a template, a later exact entry replaces it');
});

test('RPT introspection: both naming styles, inactive tokens, client authentication, unknown hints (§3.2)', async () => {
  const rpt = (await ask([['audience', RESOURCE_SERVER], ['permission', 'Resource A#view'], ['permission', 'Health']])).body.access_token;
  const intro = (pairs, headers = {}) => post('/protocol/openid-connect/token/introspect', pairs, headers);
  const rs = [['client_id', RESOURCE_SERVER], ['client_secret', 'rs-secret']];
  const r = await intro([['token', rpt], ['token_type_hint', RPT_HINT], ...rs]);
  assert.equal(r.status, 200);
  assert.equal(r.body.active, true);
  assert.ok(r.body.jti && r.body.exp && r.body.iat && r.body.typ === 'Bearer');
  assert.deepEqual(r.body.permissions, [
    { rsid: resource('Resource A').id, rsname: 'Resource A', scopes: ['view'], resource_id: resource('Resource A').id, resource_scopes: ['view'] },
    { rsid: resource('Health').id, rsname: 'Health', resource_id: resource('Health').id, resource_scopes: [] },
  ]);
  // Basic works as well (Keycloak accepts either for any confidential client)
  assert.equal((await intro([['token', rpt], ['token_type_hint', RPT_HINT]], basic(RESOURCE_SERVER, 'rs-secret'))).body.active, true);
  assert.deepEqual((await intro([['token', 'garbage'], ['token_type_hint', RPT_HINT], ...rs])).body, { active: false });
  const expired = uma.jwtAccessToken({ exp: Math.floor(Date.now() / 1000) - 1, authorization: { permissions: [] } });
  assert.deepEqual((await intro([['token', expired], ['token_type_hint', RPT_HINT], ...rs])).body, { active: false });
  kcError(await intro([['token', rpt], ['token_type_hint', 'bogus'], ...rs]), 400, 'invalid_request', 'Unsupported token type.');
  kcError(await intro([['token_type_hint', RPT_HINT], ...rs]), 400, 'invalid_request', 'Token not provided.');
  kcError(await intro([['token', rpt], ['token_type_hint', RPT_HINT]]), 401, 'invalid_request', 'Authentication failed.');
  kcError(await intro([['token', rpt], ['token_type_hint', RPT_HINT], ['client_id', RESOURCE_SERVER], ['client_secret', 'no']]), 401, 'invalid_request', 'Authentication failed.');
  kcError(await intro([['token', rpt], ['token_type_hint', RPT_HINT], ['client_id', PUBLIC_CLIENT]]), 403, 'invalid_request', 'Client not allowed.');
  // other hints still reach oidc-provider's own introspection
  const opaque = (await post('/protocol/openid-connect/token', [['grant_type', 'client_credentials'], ['resource', 'urn:tollgate:opaque']], CLI_AUTH)).body.access_token;
  const plain = await intro([['token', opaque], ['token_type_hint', 'access_token'], ...rs]);
  assert.equal(plain.body.active, true);
  assert.equal(plain.body.client_id, PLAIN_CLIENT);
});

test('hooks: the next request fails with 500 or hangs; other grants still reach oidc-provider', async () => {
  uma.state.failNext = 1;
  kcError(await decide(['Resource A#view']), 500, 'server_error', 'Unexpected error while evaluating permissions');
  assert.deepEqual((await decide(['Resource A#view'])).body, { result: true });
  uma.state.hang = { ms: 600, count: 1 };
  const t0 = Date.now();
  assert.deepEqual((await decide(['Resource A#view'])).body, { result: true });
  assert.ok(Date.now() - t0 >= 550, `took ${Date.now() - t0} ms`);
  const t1 = Date.now();
  await decide(['Resource A#view']);
  assert.ok(Date.now() - t1 < 500, 'only one request hung');
  const cc = await post('/protocol/openid-connect/token', [['grant_type', 'client_credentials']], CLI_AUTH);
  assert.equal(cc.status, 200);
});

test('keep-alive: 2 000 decisions over 2 connections stay on them (idp.connections), idle sockets are kept', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const url = new URL(`${idp.issuer}/protocol/openid-connect/token`);
  const body = new URLSearchParams([['grant_type', UMA_GRANT], ['audience', RESOURCE_SERVER], ['permission', 'Orders#GET'], ['response_mode', 'decision']]).toString();
  const one = () => new Promise((resolve, reject) => {
    const req = httpRequest({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...bearer(alice), 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
  const before = idp.connections;
  const t0 = Date.now();
  const statuses = [];
  for (let i = 0; i < 1000; i++) statuses.push(...(await Promise.all([one(), one()])));
  const ms = Date.now() - t0;
  assert.ok(statuses.every((s) => s === 200));
  await new Promise((r) => setTimeout(r, 5500)); // past Node's default keepAliveTimeout
  statuses.push(await one());
  assert.equal(statuses.at(-1), 200);
  assert.equal(idp.connections - before, 2, `connections opened: ${idp.connections - before}`);
  assert.ok(ms < 15000, `2000 decisions took ${ms} ms`);
  agent.destroy();
});

test('stand-alone: server.mjs --uma serves the fixture and its hooks', async () => {
  const child = spawn(process.execPath, [join(SOURCE_DIR, 'tests', 'idp', 'server.mjs'), '--port', '0', '--uma'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('no start line')), 10000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
    });
    const { issuer, port } = JSON.parse(line);
    const hook = async (p) => (await fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST' })).json();
    const { access_token: token } = await hook('/_test/uma/token?account=bob');
    const form = (perm) => ({ method: 'POST', headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([['grant_type', UMA_GRANT], ['audience', RESOURCE_SERVER], ['permission', perm], ['response_mode', 'decision']]) });
    assert.equal((await fetch(`${issuer}/protocol/openid-connect/token`, form('Resource A#edit'))).status, 200);
    await hook('/_test/uma/fail?count=1');
    assert.equal((await fetch(`${issuer}/protocol/openid-connect/token`, form('Resource A#edit'))).status, 500);
    assert.equal((await fetch(`${issuer}/protocol/openid-connect/token`, form('Resource A#edit'))).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
});
