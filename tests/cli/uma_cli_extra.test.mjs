// More end-to-end tests of tollgate uma {check,permissions,rpt,resources} against the UMA fixture
// (tests/idp/uma.mjs) on 127.0.0.1: profiles, secrets under -v, SIGINT in a batch, stdin
// conflicts, local refusals that must send nothing, every reachable row of uma-protocol.md §2.4
// through each command, the protection API without the resource server's credentials, the human
// output and the --json shape shared by single checks and batch lines.
//
// Rows of §2.4 that the CLI cannot trigger, so they have no test here:
//   403 access_denied request_submitted, 403 invalid_ticket — there is no --ticket option;
//   400 invalid_resource "Resource with uri [X]…", 400 "You must provide the uri" — the CLI never
//     sends permission_resource_format=uri;
//   400 "Invalid response_mode" — the CLI sends only decision, permissions or no response_mode;
//   400 "Invalid claims" — --claim is always encoded as base64url of a JSON object of string arrays;
//   400 "Claim token can not be null" — old Keycloak only, and the CLI sends a format only with a
//     claim_token;
//   400 "Claim token format [x] not supported" — the format is always urn:ietf:params:oauth:token-type:jwt;
//   400 "Subject token can not be null…", 400 invalid_claim_token, 400 unauthorized_client
//     "Invalid signature" — the ID-token claim format, which the CLI never sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, baseEnv, tempDir, json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startIdp } from '../idp/server.mjs';
import { umaPlugin, RESOURCE_SERVER, PLAIN_CLIENT, PUBLIC_CLIENT, resource, grantedScopes, serviceAccount } from '../idp/uma.mjs';

let idp;
let uma;
let dir;
let cliSecret;
let rsSecret;
let alice;
let bob;
let deadPort;

const RS = () => ['--client-id', RESOURCE_SERVER, '--client-secret-file', rsSecret, '--client-auth', 'post'];
const CLI = () => ['--client-id', PLAIN_CLIENT, '--client-secret-file', cliSecret];
const tokenEndpoint = () => `${idp.issuer}/protocol/openid-connect/token`;
const resourceEndpoint = () => `${idp.issuer}/authz/protection/resource_set`;

// `tollgate uma SUB` with the issuer (and the audience unless `audience` is null).
function umaCmd(sub, args, { audience = RESOURCE_SERVER, opts } = {}) {
  return tg(['uma', sub, '--issuer', idp.issuer, ...(audience === null ? [] : ['--audience', audience]), ...args], opts);
}
const check = (args, o) => umaCmd('check', args, o);

const grantsSince = (mark) => uma.grants(mark);
const stderrLines = (r) => r.stderr.split('\n').filter((l) => l !== '');

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function parseOut(stdout) {
  const lines = stdout.split('\n');
  assert.equal(lines.pop(), '', `output ends with a newline (no partial line): ${JSON.stringify(stdout.slice(-200))}`);
  return lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new Error(`output line ${i + 1} is not JSON: ${e.message}: ${l.slice(0, 200)}`);
    }
  });
}

before(async () => {
  dir = tempDir('tollgate-uma-extra-');
  cliSecret = join(dir, 'cli.secret');
  rsSecret = join(dir, 'rs.secret');
  writeFileSync(cliSecret, 'cli-secret\n');
  writeFileSync(rsSecret, 'rs-secret\n');
  uma = umaPlugin();
  idp = await startIdp({ plugins: [uma] });
  alice = await uma.accessToken('alice');
  bob = await uma.accessToken('bob');
  deadPort = await freePort();
});
after(async () => {
  await idp?.close();
});

// ---------------------------------------------------------------------------------------------
// profiles

function configDir(profiles) {
  const d = tempDir('tollgate-config-');
  mkdirSync(join(d, 'tollgate'));
  writeFileSync(join(d, 'tollgate', 'cli.secret'), 'cli-secret\n');
  writeFileSync(join(d, 'tollgate', 'rs.secret'), 'rs-secret\n');
  writeFileSync(join(d, 'tollgate', 'config.yaml'), `profiles:\n${profiles}`);
  return d;
}

test('profiles: issuer, audience, client and secret file from --profile or TOLLGATE_PROFILE; flags override them', async () => {
  const dead = `http://127.0.0.1:${deadPort}/realms/tollgate`;
  const config = configDir(`  cli:
    issuer: ${idp.issuer}
    client_id: ${PLAIN_CLIENT}
    client_secret_file: cli.secret
    audience: ${RESOURCE_SERVER}
  rs:
    issuer: ${idp.issuer}
    client_id: ${RESOURCE_SERVER}
    client_secret_file: rs.secret
    client_auth: post
    audience: ${RESOURCE_SERVER}
  dead:
    issuer: ${dead}
    audience: ${PLAIN_CLIENT}
  endpoint:
    token_endpoint: ${tokenEndpoint()}
    audience: ${RESOURCE_SERVER}
  slow:
    issuer: ${idp.issuer}
    audience: ${RESOURCE_SERVER}
    timeout_ms: 800
  patient:
    issuer: ${idp.issuer}
    audience: ${RESOURCE_SERVER}
    timeout_ms: 60000
  badca:
    issuer: ${idp.issuer}
    audience: ${RESOURCE_SERVER}
    cacert: missing-ca.pem
`);
  const run = (args, env = {}) => tg(['uma', ...args], { config, env });

  // everything from the profile: the client's service account decides, for the profile's audience
  let mark = uma.log.length;
  const sa = await run(['check', 'Orders#GET', '--profile', 'cli']);
  assert.equal(sa.code, 0, sa.stderr);
  assert.equal(grantsSince(mark).length, 1);
  assert.deepEqual(
    [grantsSince(mark)[0].auth, grantsSince(mark)[0].client, grantsSince(mark)[0].subject, grantsSince(mark)[0].audience],
    ['client', PLAIN_CLIENT, serviceAccount(PLAIN_CLIENT), RESOURCE_SERVER],
  );
  const denied = await run(['check', 'Orders#POST', '--profile', 'cli']);
  assert.equal(denied.code, 1, denied.stderr);

  // TOLLGATE_PROFILE selects it too; --profile wins over it
  mark = uma.log.length;
  const env = await run(['check', 'Orders#GET'], { TOLLGATE_PROFILE: 'cli' });
  assert.equal(env.code, 0, env.stderr);
  assert.equal(grantsSince(mark)[0]?.client, PLAIN_CLIENT);
  const envOverridden = await run(['check', 'Orders#GET', '--profile', 'rs'], { TOLLGATE_PROFILE: 'cli' });
  assert.equal(envOverridden.code, 1, `service-account-tollgate-rs holds no Orders#GET\n${envOverridden.stderr}`);

  // flags override the profile: --audience
  mark = uma.log.length;
  const aud = await run(['check', 'Orders#GET', '--profile', 'cli', '--audience', PLAIN_CLIENT]);
  assert.equal(aud.code, 3, aud.stderr);
  assert.equal(grantsSince(mark)[0]?.audience, PLAIN_CLIENT);
  assert.match(aud.stderr, /tollgate-cli.*Authorization/);
  // --client-id / --client-secret-file / --client-auth
  mark = uma.log.length;
  const client = await run(['check', 'Orders#GET', '--profile', 'cli', ...RS()]);
  assert.equal(client.code, grantedScopes(serviceAccount(RESOURCE_SERVER), 'Orders', ['GET']) ? 0 : 1, client.stderr);
  assert.equal(grantsSince(mark)[0]?.client, RESOURCE_SERVER);
  assert.equal(Object.fromEntries(grantsSince(mark)[0].form).client_id, RESOURCE_SERVER, 'client_secret_post from the flag');
  // --token: the user is the identity although the profile has a client
  mark = uma.log.length;
  const user = await run(['check', 'Orders#POST', '--profile', 'cli', '--token', alice]);
  assert.equal(user.code, 0, user.stderr);
  assert.deepEqual([grantsSince(mark)[0].auth, grantsSince(mark)[0].subject], ['bearer', 'alice']);
  // --issuer over the profile's (dead) issuer, --audience over its audience
  const issuer = await run(['check', 'Resource A#view', '--profile', 'dead', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(issuer.code, 0, issuer.stderr);
  const deadIssuer = await run(['check', 'Resource A#view', '--profile', 'dead', '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(deadIssuer.code, 3, 'the profile issuer is used when no flag overrides it');
  assert.match(deadIssuer.stderr, new RegExp(String(deadPort)));

  // a profile's token_endpoint: no discovery at all
  const discoveries = idp.count('/.well-known/uma2-configuration');
  const te = await run(['check', 'Resource A#view', '--profile', 'endpoint', '--token', alice]);
  assert.equal(te.code, 0, te.stderr);
  assert.equal(idp.count('/.well-known/uma2-configuration'), discoveries);

  // the other commands take the profile as well
  mark = uma.log.length;
  const perms = await run(['permissions', '--profile', 'cli', '--json']);
  assert.equal(perms.code, 0, perms.stderr);
  assert.equal(grantsSince(mark)[0]?.audience, RESOURCE_SERVER, 'entitlements for the profile audience');
  assert.ok(json(perms.stdout).some((p) => p.rsname === 'Orders'));
  const rpt = await run(['rpt', 'Orders#GET', '--profile', 'cli', '--json']);
  assert.equal(rpt.code, 0, rpt.stderr);
  assert.equal(uma.decode(json(rpt.stdout).response.access_token).sub, serviceAccount(PLAIN_CLIENT));
  const res = await run(['resources', '--name', 'Reports', '--exact-name', '--profile', 'rs', '--json']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(json(res.stdout), [resource('Reports').id]);
  const path = await run(['check', '--path', '/api/orders/17', '--method', 'POST', '--profile', 'rs', '--token', alice]);
  assert.equal(path.code, 0, path.stderr);
  const batchLines = await tg(['uma', 'check', '--batch', '-', '--profile', 'cli'], { config, input: `${JSON.stringify({ permissions: ['Orders#GET'], id: 1 })}\n${JSON.stringify({ token: alice, permissions: ['Orders#POST'], id: 2 })}\n` });
  assert.equal(batchLines.code, 0, batchLines.stderr);
  assert.deepEqual(parseOut(batchLines.stdout).map((o) => [o.id, o.allowed]), [[1, true], [2, true]]);

  // timeout_ms from the profile; --timeout overrides it
  uma.state.hang = { ms: 4000, count: 1 };
  const slow = await run(['check', 'Resource A#view', '--profile', 'slow', '--token', alice]);
  uma.state.hang = { ms: 0, count: 0 };
  assert.equal(slow.code, 3, slow.stderr);
  assert.match(slow.stderr, /tim(ed|e) ?out/i);
  assert.ok(slow.ms < 3000, `took ${slow.ms} ms with the profile's timeout_ms 800`);
  uma.state.hang = { ms: 4000, count: 1 };
  const flag = await run(['check', 'Resource A#view', '--profile', 'patient', '--timeout', '800', '--token', alice]);
  uma.state.hang = { ms: 0, count: 0 };
  assert.equal(flag.code, 3, flag.stderr);
  assert.ok(flag.ms < 3000, `took ${flag.ms} ms with --timeout 800 over timeout_ms 60000`);

  // a profile's cacert that does not exist: exit 2 naming it, before any request
  const before = idp.requests.length;
  const ca = await run(['check', 'Resource A#view', '--profile', 'badca', '--token', alice]);
  assert.equal(ca.code, 2, ca.stderr);
  assert.match(ca.stderr, /missing-ca\.pem/);
  assert.equal(idp.requests.length, before);
  // an unknown profile
  const unknown = await run(['check', 'Resource A#view', '--profile', 'nope', '--token', alice]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /profile 'nope' not found/);
});

// ---------------------------------------------------------------------------------------------
// secrets

test('-v traces the requests on stderr but never the token, the client secret or the PAT', async () => {
  const jwt = uma.jwtAccessToken({ sub: 'alice' });
  const secrets = (extra = []) => ['rs-secret', 'cli-secret', jwt, alice, bob, Buffer.from(`${PLAIN_CLIENT}:cli-secret`).toString('base64'), ...extra];
  const clean = (r, what, extra = []) => {
    for (const s of secrets(extra)) assert.ok(!r.stderr.includes(s), `${what}: stderr shows ${s.slice(0, 12)}...\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /eyJ[\w-]{10,}\.eyJ[\w-]{10,}/, `${what}: a JWT on stderr`);
  };

  // --token (JWT) with the resource server's secret for the PAT of --path
  const path = await check(['--path', '/api/orders/17', '--method', 'POST', '--token', jwt, ...RS(), '-v']);
  assert.equal(path.code, 0, path.stderr);
  assert.match(path.stderr, /^> POST \/realms\/tollgate\/protocol\/openid-connect\/token HTTP\/1\.1$/m);
  assert.match(path.stderr, /^> GET \/realms\/tollgate\/authz\/protection\/resource_set\?/m);
  assert.match(path.stderr, /^> Authorization: Bearer \[redacted\]$/m);
  assert.match(path.stderr, /client_secret=\[redacted\]/);
  clean(path, 'check --path --token JWT + client_secret_post');

  // an opaque --token, the secret given inline
  const inline = await check(['--path', '/api/orders/17', '--method', 'GET', '--token', alice, '--client-id', RESOURCE_SERVER, '--client-secret', 'rs-secret', '--client-auth', 'post', '-v']);
  assert.equal(inline.code, 0, inline.stderr);
  assert.match(inline.stderr, /^> POST /m);
  clean(inline, 'check --path --token opaque + --client-secret');

  // client credentials (Basic) deciding, and --subject-token
  const basic = await check(['Orders#GET', '--client-id', PLAIN_CLIENT, '--client-secret', 'cli-secret', '-v']);
  assert.equal(basic.code, 0, basic.stderr);
  assert.match(basic.stderr, /^> Authorization: Basic \[redacted\]$/m);
  clean(basic, 'check with Basic client auth');
  const subject = await check(['Orders#POST', ...CLI(), '--subject-token', alice, '-v']);
  assert.equal(subject.code, 0, subject.stderr);
  assert.match(subject.stderr, /^> POST /m);
  clean(subject, 'check --subject-token');

  // batch lines' own tokens, over -v
  const batch = await check(['--batch', '-', '-v'], { opts: { input: `${JSON.stringify({ token: bob, permissions: ['Resource A#edit'] })}\n${JSON.stringify({ token: jwt, permissions: ['Resource A#view'] })}\n` } });
  assert.equal(batch.code, 0, batch.stderr);
  assert.match(batch.stderr, /^> POST /m);
  clean(batch, 'check --batch -v');

  // uma rpt: the RPT goes to stdout only; --rpt OLD is not traced either
  const rpt = await umaCmd('rpt', ['Resource A#view', '--token', alice, '-v']);
  assert.equal(rpt.code, 0, rpt.stderr);
  const issued = rpt.stdout.trim();
  clean(rpt, 'rpt -v', [issued]);
  const upgrade = await umaCmd('rpt', ['Orders#GET', '--rpt', issued, '--token', alice, '-v', '--json']);
  assert.equal(upgrade.code, 0, upgrade.stderr);
  clean(upgrade, 'rpt --rpt -v', [issued, json(upgrade.stdout).response.access_token, json(upgrade.stdout).response.refresh_token]);

  // uma resources: the PAT request and the lookups
  const res = await tg(['uma', 'resources', '--issuer', idp.issuer, ...RS(), '--name', 'order', '-v']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /^> GET \/realms\/tollgate\/authz\/protection\/resource_set\//m);
  clean(res, 'resources -v');

  // failures do not echo what was rejected
  const wrong = await check(['Orders#GET', '--client-id', PLAIN_CLIENT, '-v'], { opts: { env: { TOLLGATE_CLIENT_SECRET: 'WRONG-secret-4711' } } });
  assert.equal(wrong.code, 3, wrong.stderr);
  clean(wrong, 'a wrong secret', ['WRONG-secret-4711']);
  const bad = await check(['Resource A#view', '--token', 'not-a-valid-token-4711', '-v']);
  assert.equal(bad.code, 3, bad.stderr);
  clean(bad, 'a rejected token', ['not-a-valid-token-4711']);
  const badNoV = await check(['Resource A#view', '--token', 'not-a-valid-token-4711', '--json']);
  assert.ok(!`${badNoV.stdout}${badNoV.stderr}`.includes('not-a-valid-token-4711'));
});

// ---------------------------------------------------------------------------------------------
// SIGINT in a batch

// Run a batch of `n` lines (each its own token, so none is deduplicated) against a fixture that
// answers every request after `ms`, and send SIGINT once `stopAfter` decisions were answered.
async function interruptedBatch({ n, ms, stopAfter, jobs }) {
  const tokens = [];
  for (let i = 0; i < n; i++) tokens.push(await uma.accessToken(i % 2 ? 'alice' : 'bob'));
  const file = join(dir, `sigint-${jobs}.ndjson`);
  writeFileSync(file, `${tokens.map((t, i) => JSON.stringify({ id: i + 1, token: t, permissions: ['Resource A#view'] })).join('\n')}\n`);
  const args = ['uma', 'check', '--batch', file, '--audience', RESOURCE_SERVER, '--token-endpoint', tokenEndpoint(), '--jobs', String(jobs)];
  const mark = uma.log.length;
  uma.state.hang = { ms, count: 100000 };
  const child = spawn(BIN, args, { env: baseEnv({ XDG_CACHE_HOME: tempDir('tollgate-cache-'), XDG_CONFIG_HOME: tempDir('tollgate-config-') }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const answered = () => grantsSince(mark).filter((g) => g.status !== 0).length;
  try {
    const t0 = Date.now();
    while (answered() < stopAfter) {
      if (Date.now() - t0 > 15000) throw new Error(`only ${answered()} decisions in 15 s\n${stderr}`);
      if (child.exitCode !== null) throw new Error(`tollgate exited (${child.exitCode}) before the signal\n${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const answeredAtSignal = answered();
    const sentAt = Date.now();
    child.kill('SIGINT');
    const { code, signal } = await closed;
    return { code, signal, stdout, stderr, exitMs: Date.now() - sentAt, answeredAtSignal };
  } finally {
    clearTimeout(killer);
    uma.state.hang = { ms: 0, count: 0 };
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

for (const jobs of [1, 3]) {
  test(`SIGINT during uma check --batch --jobs ${jobs}: exit 130 at once, the finished lines on stdout as whole JSON lines`, async () => {
    const r = await interruptedBatch({ n: 48, ms: 60, stopAfter: 20, jobs });
    assert.equal(r.code, 130, `--jobs ${jobs}: exit ${r.code} (signal ${r.signal})\n${r.stderr}`);
    assert.ok(r.exitMs < 3000, `--jobs ${jobs}: exited ${r.exitMs} ms after SIGINT`);
    const out = parseOut(r.stdout); // every line complete, the output ends with a newline
    out.forEach((o, i) => {
      assert.equal(o.line, i + 1, `--jobs ${jobs}: results in input order, none skipped: ${JSON.stringify(o)}`);
      assert.equal(o.id, i + 1);
      // a line cut short by the signal may say so, but must not claim a decision
      if (o.allowed !== true) assert.ok(o.error || o.idp_error, `--jobs ${jobs}: line ${o.line} is denied although the IdP grants it: ${JSON.stringify(o)}`);
    });
    // Every line the IdP had decided when the signal went out is among the results (allowing for
    // one answer per connection still on its way). Under --jobs 1 they are the first lines.
    const decided = out.filter((o) => o.allowed === true).length;
    assert.ok(decided >= r.answeredAtSignal - jobs, `--jobs ${jobs}: ${decided} allowed lines on stdout (${out.length} in all), ${r.answeredAtSignal} decisions answered before SIGINT\n${r.stderr}`);
    if (jobs === 1) out.slice(0, r.answeredAtSignal - 1).forEach((o) => assert.equal(o.allowed, true, JSON.stringify(o)));
  });
}

// ---------------------------------------------------------------------------------------------
// stdin conflicts, local refusals

const BATCH_LINE = `${JSON.stringify({ permissions: ['Orders#GET'] })}\n`;

test('--token - with --batch - is refused: exit 2, one line, nothing read or sent', async () => {
  const before = idp.requests.length;
  const r = await check(['--batch', '-', '--token', '-'], { opts: { input: `${alice}\n${BATCH_LINE}` } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--batch -.*--token -|--token -.*--batch -/);
  assert.equal(stderrLines(r).length, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(idp.requests.length, before, 'nothing sent');
});

test('--subject-token - with --batch - is refused as both reading stdin (exit 2, says so)', async () => {
  const before = idp.requests.length;
  const r = await check(['--batch', '-', ...CLI(), '--subject-token', '-'], { opts: { input: `${alice}\n${BATCH_LINE}` } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--batch/, `the message should say that --batch - and --subject-token - both read stdin:\n${r.stderr}`);
  assert.match(r.stderr, /--subject-token/);
  assert.equal(idp.requests.length, before, 'nothing sent');
});

test('--client-secret-file - with --batch - is refused (exit 2), not read as a secret followed by no lines', async () => {
  const before = idp.requests.length;
  const r = await check(['--batch', '-', '--client-id', PLAIN_CLIENT, '--client-secret-file', '-'], { opts: { input: `cli-secret\n${BATCH_LINE}` } });
  assert.equal(r.code, 2, `exit ${r.code}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /--batch/);
  assert.match(r.stderr, /--client-secret-file/);
  assert.equal(idp.requests.length, before, 'nothing sent');
});

test('--audience missing: exit 2 naming --audience, nothing sent (check, permissions, rpt, --path, batch lines)', async () => {
  const before = idp.requests.length;
  for (const [sub, args] of [
    ['check', ['Resource A#view', '--token', alice]],
    ['check', ['Resource A#view', ...CLI()]],
    ['check', ['--path', '/api/a', '--token', alice, ...RS()]],
    ['permissions', ['Resource A', '--token', alice]],
    ['rpt', ['Resource A#view', '--token', alice]],
  ]) {
    const r = await umaCmd(sub, args, { audience: null });
    assert.equal(r.code, 2, `uma ${sub} ${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /--audience/);
    assert.equal(stderrLines(r).length, 1, r.stderr);
  }
  assert.equal(idp.requests.length, before, 'refused before any request');

  const batch = await umaCmd('check', ['--batch', '-', '--token', alice], { audience: null, opts: { input: `${JSON.stringify({ id: 'a', permissions: ['Resource A#view'] })}\n` } });
  assert.equal(batch.code, 2, batch.stderr);
  const [o] = parseOut(batch.stdout);
  assert.equal(o.id, 'a');
  assert.equal(o.error.code, 'bad_request_line');
  assert.match(o.error.message, /--audience/);
});

test('§2.4 "You must provide the issuedFor": entitlements without --audience reach the IdP without an empty audience, exit 3 naming --audience', async () => {
  // Without permissions the CLI lets the IdP answer (the man page: Keycloak "answers 'You must
  // provide the issuedFor'"). It must not send `audience=` (empty): Keycloak then looks up the
  // client "" and answers "Unknown resource server id: []", which the CLI reports as "resource
  // server '' does not exist".
  const failures = [];
  for (const [sub, args] of [
    ['permissions', ['--token', alice]],
    ['rpt', ['--token', alice]],
    ['check', ['--token', alice]],
    ['check', ['--batch', '-', '--token', alice]],
  ]) {
    const mark = uma.log.length;
    const r = await umaCmd(sub, args, { audience: null, opts: { input: args.includes('--batch') ? '{}\n' : '' } });
    const g = grantsSince(mark);
    const what = `uma ${sub} ${args.includes('--batch') ? '--batch ' : ''}without --audience`;
    const message = args.includes('--batch') ? (parseOut(r.stdout)[0]?.message ?? '') : r.stderr;
    if (g.length !== 1) failures.push(`${what}: ${g.length} requests`);
    else if (g[0].form.some(([k]) => k === 'audience')) failures.push(`${what}: sent audience=${JSON.stringify(g[0].audience)}; the IdP answered ${g[0].status} ${g[0].error}`);
    if (r.code !== 3) failures.push(`${what}: exit ${r.code}`);
    if (!/--audience/.test(message) || /resource server '' /.test(message)) failures.push(`${what}: message ${JSON.stringify(message.trim())}`);
  }
  assert.deepEqual(failures, []);
});

test('malformed permission strings: exit 2, one line naming the permission, nothing sent (check, permissions, rpt, batch)', async () => {
  const bad = ['#', 'a#', 'a#x,,y', ' a#b', 'a# b', 'a#b, c', 'a #b', 'a#b ', 'a#b,', 'a#,b', 'a#b#c', ''];
  const before = idp.requests.length;
  const logBefore = uma.log.length;
  for (const p of bad) {
    for (const sub of ['check', 'permissions', 'rpt']) {
      const r = await umaCmd(sub, [p, '--token', alice]);
      assert.equal(r.code, 2, `uma ${sub} ${JSON.stringify(p)}: ${r.stderr}`);
      assert.equal(stderrLines(r).length, 1, `uma ${sub} ${JSON.stringify(p)}: one line\n${r.stderr}`);
      assert.ok(r.stderr.includes(`permission ${JSON.stringify(p)}`), `uma ${sub}: the message names ${JSON.stringify(p)}: ${r.stderr}`);
    }
  }
  assert.equal(uma.log.length, logBefore, 'the fixture saw no UMA request');
  assert.equal(idp.requests.length, before, 'nothing at all was sent');
  // in a batch: each such line is a bad_request_line naming it; the run goes on
  const lines = bad.map((p, i) => JSON.stringify({ id: i, permissions: [p] }));
  const r = await check(['--batch', '-', '--token', alice], { opts: { input: `${lines.join('\n')}\n${JSON.stringify({ id: 'ok', permissions: ['Resource A#view'] })}\n` } });
  assert.equal(r.code, 2, r.stderr);
  const out = parseOut(r.stdout);
  assert.equal(out.length, bad.length + 1);
  bad.forEach((p, i) => {
    assert.equal(out[i].error?.code, 'bad_request_line', JSON.stringify(out[i]));
    assert.ok(out[i].error.message.includes(JSON.stringify(p)), `line ${i + 1}: ${out[i].error.message}`);
  });
  assert.equal(out.at(-1).allowed, true);
  assert.equal(uma.log.length, logBefore + 1, 'only the good line was asked');
});

test('other bad input: exit 2 with one line naming it, before any request', async () => {
  const before = idp.requests.length;
  const cases = [
    [['Orders#GET', '--token', '@/nonexistent/alice.jwt'], /\/nonexistent\/alice\.jwt/],
    [['Orders#GET', '--client-id', PLAIN_CLIENT, '--client-secret-file', '/nonexistent/cli.secret'], /\/nonexistent\/cli\.secret/],
    [['Orders#GET', '--token', alice, '--claim', 'novalue'], /--claim 'novalue'/],
    [['Orders#GET', '--token', alice, '--method', 'GET POST'], /method "GET POST"/],
    [['--path', 'api/orders', '--token', alice, ...RS()], /path "api\/orders"/],
    [['Orders#GET', '--token', 'two words'], /token contains a space/],
    [['Orders#GET', '--token', alice, '--cacert', '/nonexistent/ca.pem'], /\/nonexistent\/ca\.pem/],
    [['Orders#GET', '--client-secret-file', cliSecret], /--client-id/],
    [['Orders#GET', ...CLI(), '--subject-token', alice, '--token', alice], /--subject-token/],
    [['Orders#GET'], /no identity/],
  ];
  for (const [args, re] of cases) {
    const r = await check(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(stderrLines(r).length, 1, `${args.join(' ')}: one line\n${r.stderr}`);
  }
  // option values CLI11 validates: the value is named (plus the --help hint)
  for (const [args, re] of [
    [['Orders#GET', '--token', alice, '--require', 'some'], /--require: some/],
    [['Orders#GET', '--token', alice, '--enforcement', 'lax'], /--enforcement: lax/],
    [['--batch', '-', '--token', alice, '--jobs', '0'], /--jobs: Value 0/],
    [['Orders#GET', ...CLI(), '--client-auth', 'jwt'], /--client-auth: jwt/],
  ]) {
    const r = await check(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(stderrLines(r)[0], re);
  }
  assert.equal(idp.requests.length, before);
});

// ---------------------------------------------------------------------------------------------
// identity

test('--token with client credentials: the token decides, the client only obtains the PAT (and only for --path)', async () => {
  const tokenPosts = (from) => idp.requests.slice(from).filter((r) => r.method === 'POST' && r.url.split('?')[0].endsWith('/protocol/openid-connect/token')).length;
  let mark = uma.log.length;
  let req = idp.requests.length;
  const plain = await check(['Orders#POST', '--token', alice, ...CLI()]);
  assert.equal(plain.code, 0, plain.stderr);
  let g = grantsSince(mark);
  assert.equal(g.length, 1);
  assert.deepEqual([g[0].auth, g[0].subject], ['bearer', 'alice']);
  assert.ok(!g[0].form.some(([k]) => k === 'client_id' || k === 'client_secret'), JSON.stringify(g[0].form));
  assert.equal(tokenPosts(req), 1, 'no PAT without --path');

  mark = uma.log.length;
  req = idp.requests.length;
  const path = await check(['--path', '/api/orders/17', '--method', 'POST', '--token', alice, ...RS()]);
  assert.equal(path.code, 0, path.stderr);
  g = grantsSince(mark);
  assert.equal(g.length, 1);
  assert.deepEqual([g[0].auth, g[0].subject], ['bearer', 'alice']);
  assert.equal(tokenPosts(req), 2, 'one PAT request, one decision');
  // the resource server's own service account holds no Orders#POST: had it decided, this would be 1
  assert.equal(grantedScopes(serviceAccount(RESOURCE_SERVER), 'Orders', ['POST']), null);

  // --token-endpoint wins over --issuer (a dead one here): no discovery
  const te = await tg(['uma', 'check', 'Resource A#view', '--issuer', `http://127.0.0.1:${deadPort}/realms/tollgate`, '--token-endpoint', tokenEndpoint(), '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(te.code, 0, te.stderr);
});

// ---------------------------------------------------------------------------------------------
// §2.4 through every command

test('§2.4 rows through uma check, permissions and rpt: exit code and message (check --json: idp_error)', async () => {
  const expired = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
  const pub = await uma.accessToken('alice', { clientId: PUBLIC_CLIENT });
  // [row, permission args, identity and flags, setup, expected idp_error, stderr pattern, exit]
  const rows = [
    ['403 access_denied not_authorized', ['Resource A#edit'], ['--token', alice], null, null, /denied|granted none|no RPT/i, 1],
    ['403 invalid_grant public client claims', ['Invoices#view'], ['--token', pub, '--claim', 'department=finance'], null,
      { status: 403, error: 'invalid_grant', description: 'Public clients are not allowed to send claims' }, /Public clients are not allowed to send claims/, 3],
    ['400 invalid_resource', ['Report#view'], ['--token', alice], null,
      { status: 400, error: 'invalid_resource', description: 'Resource with id [Report] does not exist.' }, /resource 'Report' does not exist on resource server 'tollgate-rs'/, 3],
    ['400 invalid_scope', ['Resource A#bogus'], ['--token', alice], null,
      { status: 400, error: 'invalid_scope', description: 'One of the given scopes [bogus] is invalid' }, /bogus.*does not exist|does not exist.*bogus|scopes \[bogus\] exists/, 3],
    ['400 Unknown resource server id', ['Resource A#view'], ['--token', alice, '--audience', 'nope-rs'], null,
      { status: 400, error: 'invalid_request', description: 'Unknown resource server id: [nope-rs]' }, /resource server 'nope-rs' does not exist/, 3],
    ['400 Client does not support permissions', ['Resource A#view'], ['--token', alice, '--audience', PLAIN_CLIENT], null,
      { status: 400, error: 'invalid_request', description: 'Client does not support permissions' }, /client 'tollgate-cli' does not have Authorization Services enabled/, 3],
    ['400 unauthorized_client Invalid identity', ['Orders#GET'], [...CLI(), '--subject-token', 'garbage'], null,
      { status: 400, error: 'unauthorized_client', description: 'Invalid identity' }, /Invalid identity/, 3],
    ['401 invalid_grant Invalid bearer token (garbage)', ['Resource A#view'], ['--token', 'garbage'], null,
      { status: 401, error: 'invalid_grant', description: 'Invalid bearer token' }, /rejected the user's token \(--token\): it is invalid or expired \(Invalid bearer token\)/, 3],
    ['401 invalid_grant Invalid bearer token (expired)', ['Resource A#view'], ['--token', expired], null,
      { status: 401, error: 'invalid_grant', description: 'Invalid bearer token' }, /invalid or expired/, 3],
    ['401 invalid_client', ['Orders#GET'], ['--client-id', PLAIN_CLIENT, '--client-secret-file', rsSecret], null,
      { status: 401, error: 'invalid_client', description: 'Invalid client or Invalid client credentials' }, /client authentication failed \(Invalid client or Invalid client credentials\)/, 3],
    ['401 unauthorized_client public client service account', ['Orders#GET'], ['--client-id', PUBLIC_CLIENT, '--client-auth', 'none'], null,
      { status: 401, error: 'unauthorized_client', description: 'Public client not allowed to retrieve service account' }, /service account/, 3],
    ['500 server_error', ['Resource A#view'], ['--token', alice], () => (uma.state.failNext = 1),
      { status: 500, error: 'server_error', description: 'Unexpected error while evaluating permissions' }, /HTTP 500.*Unexpected error while evaluating permissions/, 3],
  ];
  for (const [row, perms, flags, setup, idpError, re, code] of rows) {
    const hasAudience = flags.includes('--audience');
    const o = { audience: hasAudience ? null : RESOURCE_SERVER };
    setup?.();
    const c = await umaCmd('check', [...perms, ...flags, '--json'], o);
    assert.equal(c.code, code, `check, ${row}: ${c.stderr}`);
    const j = json(c.stdout);
    assert.equal(j.allowed, false, row);
    assert.deepEqual(j.idp_error, idpError, `check --json, ${row}`);
    if (code === 3) assert.match(j.message, re, `check --json message, ${row}`);
    setup?.();
    const h = await umaCmd('check', [...perms, ...flags], o);
    assert.equal(h.code, code, `check, ${row}: ${h.stderr}`);
    assert.match(h.stderr, re, `check, ${row}`);
    for (const sub of ['permissions', 'rpt']) {
      setup?.();
      const r = await umaCmd(sub, [...perms, ...flags], o);
      assert.equal(r.code, code, `${sub}, ${row}: ${r.stderr}`);
      assert.match(r.stderr, re, `${sub}, ${row}`);
      assert.equal(stderrLines(r).length, 1, `${sub}, ${row}: one line\n${r.stderr}`);
    }
  }
  // 403 invalid_rpt: uma rpt --rpt with a bad signature
  for (const old of ['garbage', uma.jwtAccessToken({ sub: 'alice' }).replace(/\.[^.]+$/, '.AAAA')]) {
    const r = await umaCmd('rpt', ['Orders#GET', '--rpt', old, '--token', alice]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /invalid_rpt: RPT signature is invalid/);
    assert.equal(r.stdout, '');
  }
});

// ---------------------------------------------------------------------------------------------
// the protection API

test('uma resources and --path need the resource server\'s credentials: none is exit 2, another client\'s PAT exit 3', async () => {
  // explicit endpoints: nothing to discover, so nothing may be sent at all
  const endpoints = ['--token-endpoint', tokenEndpoint(), '--resource-registration-endpoint', resourceEndpoint()];
  let before = idp.requests.length;
  const none = await tg(['uma', 'resources', ...endpoints]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /--client-id/);
  assert.equal(stderrLines(none).length, 1, none.stderr);
  const path = await tg(['uma', 'check', '--path', '/api/orders/17', '--audience', RESOURCE_SERVER, '--token', alice, ...endpoints]);
  assert.equal(path.code, 2, path.stderr);
  assert.match(path.stderr, /--client-id/);
  assert.equal(idp.requests.length, before, 'nothing sent');

  // another client's PAT: Keycloak's 403, and the message says whose credentials are needed
  for (const args of [['uma', 'resources', '--issuer', idp.issuer, ...CLI()], ['uma', 'check', '--path', '/api/orders/17', '--issuer', idp.issuer, '--audience', RESOURCE_SERVER, '--token', alice, ...CLI()]]) {
    const r = await tg(args);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /tollgate-cli/);
    assert.match(r.stderr, /not registered as a resource server/);
    assert.match(r.stderr, /resource server's own client credentials/);
    assert.equal(stderrLines(r).length, 1, r.stderr);
  }
  // the resource server's client with a wrong secret: the PAT request fails (401 invalid_client)
  before = uma.log.length;
  const wrong = await tg(['uma', 'resources', '--issuer', idp.issuer, '--client-id', RESOURCE_SERVER, '--client-secret-file', cliSecret, '--client-auth', 'post']);
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, /invalid_client/);
  assert.match(wrong.stderr, /client authentication failed/);
  assert.equal(uma.log.length, before, 'no resource_set request without a PAT');
});

test('uma resources and --path without client credentials: exit 2 before any request, also with --issuer (no discovery first)', async () => {
  const before = idp.requests.length;
  const none = await tg(['uma', 'resources', '--issuer', idp.issuer]);
  assert.equal(none.code, 2, none.stderr);
  const path = await check(['--path', '/api/orders/17', '--token', alice]);
  assert.equal(path.code, 2, path.stderr);
  assert.match(path.stderr, /--client-id/);
  assert.deepEqual(idp.requests.slice(before).map((r) => `${r.method} ${r.url}`), [], 'a usage error is decided before anything connects');
  // so an unreachable issuer still gives the usage error, not a network one
  const dead = await tg(['uma', 'check', '--path', '/api/orders/17', '--issuer', `http://127.0.0.1:${deadPort}/realms/tollgate`, '--audience', RESOURCE_SERVER, '--token', alice]);
  assert.equal(dead.code, 2, dead.stderr);
});

// ---------------------------------------------------------------------------------------------
// output

test('uma check human output: a line per permission (granted/denied with the reason, any-of), the path, the verdict', async () => {
  const r = await check(['Resource A#view', 'Resource A#edit', 'Health', '--token', alice, '--color', 'never']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.stdout.split('\n'), [
    'granted Resource A#view',
    "denied  Resource A#edit  ('Resource A#edit' is not granted)",
    'granted Health',
    'denied (require all)',
    '',
  ]);
  assert.match(r.stderr, /^note: denied: Resource A#edit$/m);

  const multi = await check(['Resource A#view,edit', '--token', alice, '--color', 'never']);
  assert.equal(multi.code, 1);
  assert.deepEqual(multi.stdout.split('\n'), ["denied  Resource A#view,edit  ('Resource A#edit' is not granted)", 'denied (require all)', '']);

  const ok = await check(['Resource A#view,edit', 'Orders#GET', '--token', bob, '--color', 'never']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ok.stdout.split('\n'), ['granted Resource A#view,edit', 'granted Orders#GET', 'allowed (require all)', '']);
  assert.equal(ok.stderr, '');

  const any = await check(['Resource A#view,edit', 'Orders#DELETE', '--require', 'any', '--token', alice, '--color', 'never']);
  assert.equal(any.code, 0, any.stderr);
  assert.deepEqual(any.stdout.split('\n'), ['any-of  Resource A#view,edit', 'any-of  Orders#DELETE', 'allowed (require any)', '']);

  const none = await check(['Resource A#edit', 'Orders#DELETE', '--require', 'any', '--token', alice, '--color', 'never']);
  assert.equal(none.code, 1, none.stderr);
  assert.deepEqual(none.stdout.split('\n'), ['denied  Resource A#edit', 'denied  Orders#DELETE', 'denied (require any)', '']);

  const method = await check(['Orders', '--method', 'DELETE', '--token', alice, '--color', 'never']);
  assert.equal(method.code, 1);
  assert.match(method.stdout, /^denied {2}Orders#DELETE/m, 'the method is shown as the scope asked for');

  const path = await check(['--path', '/api/orders/17', '--method', 'POST', '--token', alice, ...RS(), '--color', 'never']);
  assert.equal(path.code, 0, path.stderr);
  const id = resource('Orders').id;
  assert.deepEqual(path.stdout.split('\n'), [`granted Orders (${id})#POST`, `path /api/orders/17 -> Orders (${id})`, 'allowed (require all)', '']);
});

test('--json of a single check equals the batch result line without id and line: same members, same order', async () => {
  const expired = uma.jwtAccessToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
  const cases = [
    ['Resource A#view', '--token', alice],
    ['Resource A#view,edit', '--token', alice],
    ['Resource A#view', 'Resource A#edit', 'Health', '--token', alice],
    ['Resource A#view,edit', 'Orders#DELETE', '--require', 'any', '--token', alice],
    ['Resource A#edit', 'Orders#DELETE', '--require', 'any', '--token', alice],
    ['Orders', '--method', 'POST', '--token', alice],
    ['#audit', '--token', bob],
    ['Report#view', '--token', alice],
    ['Resource A#view', 'Report#view', '--token', alice],
    ['Resource A#view', '--token', expired],
    ['Orders#GET', ...CLI()],
    ['--path', '/api/orders/17', '--method', 'POST', '--token', alice, ...RS()],
    ['--path', '/nothing/here', '--token', alice, ...RS()],
    ['--path', '/nothing/here', '--enforcement', 'permissive', '--token', alice, ...RS()],
  ];
  for (const args of cases) {
    const single = await check([...args, '--json']);
    const batch = await check([...args, '--batch', '-'], { opts: { input: `${JSON.stringify({ id: 'x' })}\n` } });
    assert.equal(batch.code, single.code, `${args.join(' ')}: the same exit status`);
    const [line] = parseOut(batch.stdout);
    const { id, line: n, ...rest } = line;
    assert.deepEqual([id, n], ['x', 1]);
    const one = json(single.stdout);
    assert.deepEqual(Object.keys(rest), Object.keys(one), `${args.join(' ')}: members and their order`);
    assert.equal(JSON.stringify(rest), JSON.stringify(one), `${args.join(' ')}: the same object`);
    assert.deepEqual(Object.keys(one).slice(0, 4), ['allowed', 'require', 'permissions', 'idp_error']);
    for (const p of one.permissions) assert.deepEqual(Object.keys(p).slice(0, 4), ['permission', 'resource', 'scopes', 'granted']);
  }
});
