// tollgate profile list|show and the config file's error messages (file:line:col).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, json } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';

function config(text) {
  const dir = tempDir('tollgate-config-');
  mkdirSync(join(dir, 'tollgate'));
  writeFileSync(join(dir, 'tollgate', 'config.yaml'), text);
  return dir;
}

const GOOD = `# tollgate profiles
profiles:
  dev:
    issuer: https://sso.example.com/realms/dev
    client_id: cli
    client_secret_file: dev.secret
    client_auth: post
    timeout_ms: 5000
  prod:
    issuer: https://sso.example.com/realms/prod
    client_id: cli
    cacert: ~/ca.pem
`;

test('list and show, with relative and ~ paths resolved; secrets are never shown', async () => {
  const dir = config(GOOD);
  const list = await tg(['profile', 'list'], { config: dir, env: { TOLLGATE_PROFILE: 'prod' } });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^\* +prod +https:\/\/sso\.example\.com\/realms\/prod +cli$/m);
  assert.match(list.stdout, /^ +dev +https:\/\/sso\.example\.com\/realms\/dev/m);
  const show = json((await tg(['profile', 'show', 'dev', '--json'], { config: dir })).stdout);
  assert.deepEqual(show, {
    name: 'dev', issuer: 'https://sso.example.com/realms/dev', client_id: 'cli',
    client_secret_file: join(dir, 'tollgate', 'dev.secret'), client_auth: 'post', timeout_ms: 5000,
  });
  const prod = json((await tg(['profile', 'show', '--json'], { config: dir, env: { TOLLGATE_PROFILE: 'prod', HOME: '/home/someone' } })).stdout);
  assert.equal(prod.cacert, '/home/someone/ca.pem');
  const human = await tg(['profile', 'show', 'dev'], { config: dir });
  assert.match(human.stdout, /^profile +dev \(.*config\.yaml:3\)$/m);
});

test('no config file: an empty list; an unknown profile is exit 2', async () => {
  const dir = tempDir();
  const list = await tg(['profile', 'list'], { config: dir });
  assert.equal(list.code, 0);
  assert.match(list.stdout, /does not exist/);
  const show = await tg(['profile', 'show', 'x'], { config: dir });
  assert.equal(show.code, 2);
  assert.match(show.stderr, /profile 'x' not found: .*config\.yaml does not exist/);
  const none = await tg(['profile', 'show'], { config: dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /which profile\?/);
});

test('config errors name file:line:col', async () => {
  const cases = [
    ['profiles:\n  dev:\n    isuer: x\n', /config\.yaml:3:5: unknown key 'isuer' in profile 'dev' \(did you mean 'issuer'\?\)/],
    ['profiles:\n  dev:\n    timeout_ms: soon\n', /config\.yaml:3:17: timeout_ms 'soon' is not a positive integer/],
    ['profiles:\n  dev:\n    client_auth: jwt\n', /config\.yaml:3:18: client_auth 'jwt' is not one of basic, post, none/],
    ['profiles:\n  dev: {}\n  dev: {}\n', /config\.yaml:3:3: profile 'dev' is defined twice/],
    ['profiles:\n  dev:\n    issuer: [a, b]\n', /config\.yaml:3:13: 'issuer' must be a string, not a list/],
    ['profile:\n  dev: {}\n', /config\.yaml:1:1: unknown top-level key 'profile' \(expected 'profiles'\) \(did you mean 'profiles'\?\)/],
    ['profiles:\n  dev:\n    issuer: "unterminated\n', /config\.yaml:\d+:\d+: .*(quoted scalar|unexpected end)/],
    ['profiles:\n  dev: &a {}\n  prod: *a\n', /config\.yaml:3:9: YAML aliases are not supported/],
    ['- a\n- b\n', /config\.yaml:1:1: the config file must be a mapping with a 'profiles' key, not a list/],
  ];
  for (const [text, re] of cases) {
    const r = await tg(['profile', 'list'], { config: config(text) });
    assert.equal(r.code, 2, text);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    // The same error stops a network command before it touches the network.
    const t = await tg(['token', '--profile', 'dev'], { config: config(text) });
    assert.equal(t.code, 2);
  }
});

test('--issuer on the command line overrides the profile: its discovery beats the profile token_endpoint', async () => {
  const { startFaultServer } = await import('./lib/faults.mjs');
  const f = await startFaultServer();
  try {
    const issuer = f.url('/cli-issuer');
    f.route('/cli-issuer/.well-known/openid-configuration', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
      }));
    });
    for (const path of ['/cli-issuer/token', '/profile-token']) {
      f.route(path, (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `from ${path}`, token_type: 'Bearer' }));
      });
    }
    const dir = config(`profiles:\n  dev:\n    issuer: ${f.url('/profile-issuer')}\n    token_endpoint: ${f.url('/profile-token')}\n    client_id: cli\n    client_auth: none\n`);
    let r = await tg(['token', '--profile', 'dev'], { config: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'from /profile-token\n', 'the profile alone: its token_endpoint');
    r = await tg(['token', '--profile', 'dev', '--issuer', issuer], { config: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'from /cli-issuer/token\n', '--issuer given: its discovery');
    r = await tg(['token', '--profile', 'dev', '--issuer', issuer, '--token-endpoint', f.url('/profile-token')], { config: dir });
    assert.equal(r.stdout, 'from /profile-token\n', 'an explicit --token-endpoint still wins');
  } finally {
    await f.close();
  }
});
