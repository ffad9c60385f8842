// tollgate lint end to end: the per-rule corpus, exit statuses, inputs, options, shapes, large
// configs and the terminal view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, DATA, SOURCE_DIR, baseEnv, json, run, tempDir, writeTemp } from './lib/harness.mjs';

const LINT = join(DATA, 'lint');
const RULES = join(LINT, 'rules');
const EXAMPLES = join(SOURCE_DIR, 'examples', 'lint');
const rules = json(run(['lint', '--list-rules', '--format', 'json']).stdout);
const byId = new Map(rules.map((r) => [r.id, r]));

// Lint and return {code, doc, stderr}; `doc` is the --format json document.
function lint(args, opts = {}) {
  const r = run(['lint', '--format', 'json', ...args], opts);
  return { code: r.code, doc: json(r.stdout), stderr: r.stderr };
}
const findings = (doc, i = 0) => doc.files[i].findings;
const where = (f) => ({ rule: f.rule, pointer: f.pointer, line: f.line, column: f.column });

function ruleDirs(dir = RULES, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    if (existsSync(join(full, 'expect.json'))) out.push([prefix + name, full]);
    else out.push(...ruleDirs(full, `${prefix}${name}/`));
  }
  return out;
}
const corpus = ruleDirs();

test('every rule except online/* has a failing and a passing config', () => {
  const covered = new Set(corpus.map(([id]) => id));
  const missing = rules.filter((r) => !r.id.startsWith('online/') && !covered.has(r.id)).map((r) => r.id);
  assert.deepEqual(missing, []);
  for (const [id] of corpus) assert.ok(byId.has(id), `tests/data/lint/rules/${id} names no rule`);
});

const UNREADABLE = new Set(['syntax-error', 'unknown-gateway', 'krakend/flexible-config-template']);

for (const [id, dir] of corpus) {
  const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8'));
  const file = (base) => readdirSync(dir).find((f) => f.startsWith(`${base}.`));
  const extra = (expect.with ?? []).map((f) => join(dir, f));
  test(`${id}: the failing config is reported at the right pointer, line and column`, () => {
    const { code, doc } = lint([join(dir, file('fail')), ...extra]);
    const got = findings(doc).filter((f) => f.rule === id);
    assert.deepEqual(got.map(({ pointer, line, column }) => ({ pointer, line, column })), expect.findings);
    for (const f of got) {
      assert.equal(f.severity, byId.get(id).severity);
      assert.ok(f.message.length > 10);
    }
    const severity = byId.get(id).severity;
    const wanted = UNREADABLE.has(id) ? 2 : severity === 'error' ? 1 : null;
    if (wanted !== null) assert.equal(code, wanted);
    if (severity === 'warning' && findings(doc).every((f) => f.severity !== 'error')) {
      assert.equal(code, 0, 'warnings alone exit 0');
      assert.equal(run(['lint', '--strict', join(dir, file('fail')), ...extra]).code, 1, 'and 1 with --strict');
    }
  });
  test(`${id}: the passing config has no finding at all`, () => {
    const { code, doc } = lint([join(dir, file('pass')), ...extra]);
    assert.deepEqual(doc.files.flatMap((f) => f.findings).map(where), []);
    assert.equal(code, 0);
  });
}

test('the bundled samples: a clean KrakenD config, one with findings, an APISIX standalone file', () => {
  const clean = lint([join(EXAMPLES, 'krakend-clean.json')]);
  assert.equal(clean.code, 0);
  assert.deepEqual(findings(clean.doc), []);
  assert.equal(clean.doc.files[0].gateway, 'krakend');
  const bad = lint([join(EXAMPLES, 'krakend-findings.json'), join(EXAMPLES, 'apisix.yaml')]);
  assert.equal(bad.code, 1);
  assert.deepEqual(
    findings(bad.doc).filter((f) => f.severity === 'error').map((f) => f.rule),
    ['krakend/validator-insecure-jwk-url', 'krakend/validator-roles-key-not-nested', 'krakend/validator-scopes-without-key',
      'krakend/unknown-key', 'krakend/legacy-namespace', 'krakend/v1-hyphenated-key'],
  );
  assert.equal(bad.doc.files[1].shape, 'apisix-standalone');
  assert.deepEqual(findings(bad.doc, 1).map((f) => f.rule), ['apisix/lazy-load-openid-discovery', 'apisix/permission-format', 'apisix/plugin-schema']);
  assert.deepEqual(bad.doc.summary, { files: 2, errors: 8, warnings: 2, infos: 3 });
});

test('large realistic configs: every seeded mistake and nothing else', () => {
  for (const name of ['krakend-40.json', 'apisix-40.yaml']) {
    const expected = JSON.parse(readFileSync(join(LINT, 'large', name.replace(/\.[a-z]+$/, '.expect.json')), 'utf8'));
    const { doc } = lint([join(LINT, 'large', name)]);
    assert.deepEqual(findings(doc).map(where), expected.findings, name);
  }
});

test('stdin: - reads the config, the path is "-", and - twice is refused', () => {
  const text = readFileSync(join(EXAMPLES, 'krakend-findings.json'), 'utf8');
  const fromFile = lint([join(EXAMPLES, 'krakend-findings.json')]);
  const fromStdin = lint(['-'], { input: text });
  assert.equal(fromStdin.doc.files[0].path, '-');
  assert.deepEqual(findings(fromStdin.doc).map(where), findings(fromFile.doc).map(where));
  const yaml = lint(['-'], { input: readFileSync(join(EXAMPLES, 'apisix.yaml'), 'utf8') });
  assert.equal(yaml.doc.files[0].format, 'yaml');
  const twice = run(['lint', '-', '-']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /stdin.*only once/);
});

test('exit statuses: highest of 2, 1, 0 across files', () => {
  const clean = join(EXAMPLES, 'krakend-clean.json');
  const bad = join(EXAMPLES, 'krakend-findings.json');
  const broken = join(LINT, 'golden', 'broken.json');
  assert.equal(run(['lint', clean]).code, 0);
  assert.equal(run(['lint', clean, bad]).code, 1);
  assert.equal(run(['lint', bad, broken, clean]).code, 2);
  const missing = run(['lint', clean, '/nonexistent/krakend.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^tollgate: .*\/nonexistent\/krakend\.json/m);
  const doc = lint([clean, '/nonexistent/krakend.json']).doc;
  assert.match(doc.files[1].error, /nonexistent/);
  assert.equal(run(['lint']).code, 2);
  assert.equal(run(['lint', '--bogus', clean]).code, 2);
});

test('malformed input is one error finding with pointer "" in every machine format, exit 2', () => {
  const broken = join(LINT, 'golden', 'broken.json');
  const j = lint([broken]);
  assert.equal(j.code, 2);
  assert.deepEqual(findings(j.doc).map(where), [{ rule: 'syntax-error', pointer: '', line: 4, column: 23 }]);
  const s = run(['lint', '--format', 'sarif', broken]);
  assert.equal(s.code, 2);
  const result = json(s.stdout).runs[0].results;
  assert.equal(result.length, 1);
  assert.equal(result[0].ruleId, 'syntax-error');
  assert.deepEqual(result[0].locations[0].physicalLocation.region.startLine, 4);
  const g = run(['lint', '--format', 'github', broken]);
  assert.equal(g.code, 2);
  assert.match(g.stdout, /^::error file=[^,]*broken\.json,line=4,col=23,title=syntax-error::not valid JSON/);
  const t = run(['lint', broken]);
  assert.equal(t.code, 2);
  assert.match(t.stdout, /broken\.json:4:23: error: not valid JSON: expected ',' or '\}'/);
  const dir = tempDir();
  for (const [name, content, rule] of [
    ['empty.json', '', 'syntax-error'],
    ['empty.yaml', '', 'unknown-gateway'],
    ['binary.json', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'syntax-error'],
    ['bad.yaml', 'routes:\n  - id: a\n   uri: /x\n', 'syntax-error'],
    ['deep.json', '['.repeat(100000), 'syntax-error'],
    ['list.yaml', '- a\n- b\n', 'unknown-gateway'],
  ]) {
    const r = lint([writeTemp(name, content, dir)]);
    assert.equal(r.code, 2, name);
    assert.deepEqual(findings(r.doc).map((f) => [f.rule, f.pointer]), [[rule, '']], name);
  }
});

test('a flexible-configuration template gets one error with the render command', () => {
  const dir = tempDir();
  const tmpl = writeTemp('krakend.tmpl', '{\n  "version": 3,\n  {{ include "service.tmpl" }},\n  "endpoints": {{ marshal .settings.endpoints }}\n}\n', dir);
  const r = lint([tmpl]);
  assert.equal(r.code, 2);
  assert.deepEqual(findings(r.doc).map(where), [{ rule: 'krakend/flexible-config-template', pointer: '', line: 3, column: 3 }]);
  assert.match(findings(r.doc)[0].hint, /FC_ENABLE=1 FC_OUT=out\.json krakend check -c .*krakend\.tmpl/);
  // A template whose actions all sit inside strings is valid JSON: it lints, placeholders unjudged.
  const quoted = writeTemp('quoted.json', JSON.stringify({ version: 3, endpoints: [{ endpoint: '{{ .settings.path }}', backend: [{ url_pattern: '/a' }] }] }), dir);
  const q = lint([quoted]);
  assert.equal(q.code, 0);
  assert.deepEqual(findings(q.doc), []);
});

test('an unknown shape says what was expected and exits 2; --gateway overrides detection', () => {
  const dir = tempDir();
  const odd = writeTemp('odd.json', '{"hello": "world"}', dir);
  const t = run(['lint', odd]);
  assert.equal(t.code, 2);
  assert.match(t.stdout, /odd\.json:1:1: error: cannot tell which gateway this is for: expected a KrakenD v3 config .* pass --gateway krakend\|apisix\|adc to choose \[unknown-gateway\]/);
  const forced = lint(['--gateway', 'krakend', odd]);
  assert.equal(forced.code, 1);
  assert.deepEqual(findings(forced.doc).map((f) => f.rule), ['krakend/version', 'krakend/unknown-key']);
  const svc = lint(['--gateway', 'apisix', odd]);
  assert.equal(svc.doc.files[0].shape, 'apisix-service');
  assert.deepEqual(findings(svc.doc).map((f) => [f.rule, f.pointer]), [['apisix/route-schema', '/hello']]);
});

test('detection is lenient: broken KrakenD and APISIX files are still linted', () => {
  const dir = tempDir();
  const v2 = lint([writeTemp('v2.json', JSON.stringify({ version: 2, endpoints: [{ endpoint: '/a', backend: [], extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'http://x/certs' } } }] }), dir)]);
  assert.equal(v2.doc.files[0].gateway, 'krakend');
  assert.deepEqual(findings(v2.doc).filter((f) => f.severity === 'error').map((f) => f.rule), ['krakend/version', 'krakend/schema-value', 'krakend/validator-insecure-jwk-url']);
  const route = lint([writeTemp('route.json', '{"uri": 5, "plugins": {"authz-keycloak": {"client_id": "a", "discovery": "https://x/uma2"}}, "upstream": 1}', dir)]);
  assert.equal(route.doc.files[0].shape, 'apisix-route');
  assert.deepEqual(findings(route.doc).map((f) => [f.rule, f.pointer]), [
    ['apisix/route-schema', '/uri'],
    ['apisix/enforcing-without-permissions', '/plugins/authz-keycloak'],
    ['apisix/route-schema', '/upstream'],
  ]);
  assert.match(findings(route.doc)[0].message, /"invalid configuration: property "uri" validation failed: wrong type: expected string, got number"/);
  const pc = lint([writeTemp('pc.json', '{"plugins": {"authz-keycloak": {"client_id": "a", "token_endpoint": "https://x/token", "permissions": ["a"]}}}', dir)]);
  assert.equal(pc.doc.files[0].shape, 'apisix-plugin-config');
  const service = lint([writeTemp('svc.json', '{"name": "s", "upstream": {"type": "roundrobin", "nodes": {"a:80": 1}}, "plugins": {}}', dir)]);
  assert.equal(service.doc.files[0].shape, 'apisix-service');
});

test('ADC files: plugin blocks under services and routes, no #END, no ids needed', () => {
  const dir = tempDir();
  const adc = writeTemp('adc.yaml', [
    'services:',
    '  - name: orders',
    '    upstream:',
    '      type: roundrobin',
    '      nodes:',
    '        - host: orders',
    '          port: 8080',
    '          weight: 1',
    '    routes:',
    '      - name: orders-read',
    '        uris: [/api/orders/*]',
    '        plugins:',
    '          authz-keycloak:',
    '            discovery: https://sso.example.com/realms/shop/.well-known/openid-configuration',
    '            client_id: ${ORDERS_CLIENT}',
    '            lazy_load_paths: true',
    '            timeout: 30',
    '',
  ].join('\n'), dir);
  const r = lint([adc]);
  assert.equal(r.doc.files[0].gateway, 'adc');
  assert.deepEqual(findings(r.doc).map(where), [
    { rule: 'apisix/lazy-load-openid-discovery', pointer: '/services/0/routes/0/plugins/authz-keycloak/discovery', line: 14, column: 24 },
    { rule: 'apisix/plugin-schema', pointer: '/services/0/routes/0/plugins/authz-keycloak/timeout', line: 17, column: 22 },
  ]);
  assert.match(findings(r.doc)[1].message, /adc sync is rejected/);
});

test('APISIX loader details: #END after too much whitespace, A1 wording in standalone files', () => {
  const dir = tempDir();
  const body = readFileSync(join(RULES, 'apisix', 'missing-end-flag', 'pass.yaml'), 'utf8');
  const r = lint([writeTemp('apisix.yaml', `${body}\n\n\n\n\n\n\n`, dir)]);
  assert.deepEqual(findings(r.doc).map(where), [{ rule: 'apisix/missing-end-flag', pointer: '', line: 12, column: 1 }]);
  assert.match(findings(r.doc)[0].message, /last 10 bytes/);
  const json10 = lint([writeTemp('apisix.json', JSON.stringify({ routes: [{ id: 'a', uri: '/a', upstream_id: 'u' }] }), dir)]);
  assert.equal(json10.code, 0, 'apisix.json needs no #END');
  const dropped = lint([join(RULES, 'apisix', 'plugin-schema', 'fail.json')]);
  assert.match(findings(dropped.doc)[0].message, /the Admin API rejects this route with 400: "failed to check the configuration of plugin authz-keycloak err: property "timeout" validation failed: expected 3 to be at least 1000"/);
});

test('APISIX exact schema messages (authz-keycloak.t TEST 6-8)', () => {
  const dir = tempDir();
  const msg = (plugin) => {
    const r = lint([writeTemp('r.json', JSON.stringify({ uri: '/a', upstream_id: 1, plugins: { 'authz-keycloak': plugin } }), dir)]);
    return findings(r.doc).filter((f) => f.rule === 'apisix/plugin-schema').map((f) => f.message.match(/err: (.*)"$/)[1]);
  };
  assert.deepEqual(msg({ client_id: 'a', permissions: ['a'] }), ['allOf 1 failed: object matches none of the required: [\\"discovery\\"] or [\\"token_endpoint\\"]'.replace(/\\"/g, '"')]);
  assert.deepEqual(msg({ discovery: 'https://x/uma2', permissions: ['a'] }), ['property "client_id" is required']);
  assert.deepEqual(msg({ client_id: 'a', token_endpoint: 'https://x/t', lazy_load_paths: true }), ['allOf 2 failed: object matches none of the required']);
  assert.deepEqual(msg({ client_id: 'a', discovery: 'https://x/u', permissions: ['a', 'a'], ssl_verify: 'no' }), [
    'property "permissions" validation failed: expected unique items but items 1 and 2 are equal',
    'property "ssl_verify" validation failed: wrong type: expected boolean, got string',
  ]);
  assert.deepEqual(msg({ client_id: 'a'.repeat(101), discovery: 'https://x/u', permissions: ['a'], policy_enforcement_mode: 'enforcing' }), [
    'property "client_id" validation failed: string too long, expected at most 100, got 101',
    'property "policy_enforcement_mode" validation failed: matches none of the enum values',
  ]);
});

test('--disable, --enable, --strict and inline suppression', () => {
  const bad = join(EXAMPLES, 'krakend-findings.json');
  const off = lint(['--disable', 'krakend/*', '--enable', 'krakend/unknown-key', bad]);
  assert.deepEqual(findings(off.doc).map((f) => f.rule), ['krakend/unknown-key']);
  const typo = run(['lint', '--disable', 'krakend/validator-no-cach', bad]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /no lint rule matches 'krakend\/validator-no-cach'; did you mean 'krakend\/validator-no-cache'\?/);
  const dir = tempDir();
  const text = readFileSync(join(RULES, 'apisix', 'ssl-verify-disabled', 'fail.json'), 'utf8');
  assert.equal(lint([writeTemp('w.json', text, dir)]).code, 0);
  assert.equal(run(['lint', '--strict', writeTemp('w.json', text, dir)]).code, 1);
  const yaml = 'uri: /a\nupstream_id: 1\nplugins:\n  authz-keycloak:\n    client_id: a\n    discovery: https://x/uma2\n    permissions: [a]\n    ssl_verify: false # tollgate-lint: disable apisix/ssl-verify-disabled -- lab IdP\n';
  const quiet = lint(['--strict', writeTemp('q.yaml', yaml, dir)]);
  assert.equal(quiet.code, 0);
  assert.deepEqual(findings(quiet.doc), []);
});

test('--list-rules prints every rule with id, severity, gateway and why', () => {
  const r = run(['lint', '--list-rules']);
  assert.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, rules.length);
  for (const rule of rules) {
    const line = lines.find((l) => l.startsWith(`${rule.id} `));
    assert.ok(line, rule.id);
    assert.ok(line.includes(` ${rule.severity} `) && line.includes(` ${rule.gateway} `) && line.endsWith(rule.why), line);
  }
  assert.ok(rules.length >= 75);
  for (const r2 of rules) assert.ok(['error', 'warning', 'info'].includes(r2.severity) && r2.help.length > 20);
});

test('text view: a caret snippet and colours on a terminal, plain lines otherwise', () => {
  const file = join(RULES, 'krakend', 'validator-insecure-jwk-url', 'fail.json');
  const plain = run(['lint', file]);
  assert.doesNotMatch(plain.stdout, /\x1b\[|\^/);
  const colour = run(['lint', '--color', 'always', file]);
  assert.match(colour.stdout, /\x1b\[1;31merror\x1b\[0m/);
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error) return; // util-linux script provides the terminal
  const cmd = `'${BIN}' lint '${file}'`;
  const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: baseEnv({ TERM: 'xterm', NO_COLOR: '1' }) });
  const out = tty.stdout.replace(/\r/g, '');
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.includes('[krakend/validator-insecure-jwk-url]'));
  assert.ok(i >= 0, out);
  assert.match(lines[i + 1], /^ 15 \| {11}"jwk_url": "http:/);
  assert.equal(lines[i + 2].indexOf('^'), lines[i + 1].indexOf('"http:'));
});

test('the man page documents every rule id, the suppression syntax and the formats', () => {
  const man = readFileSync(join(SOURCE_DIR, 'man', 'tollgate-lint.1'), 'utf8').replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');
  for (const r of rules) assert.ok(man.includes(`.B ${r.id}\n${r.severity}: `), `${r.id} (${r.severity}) is not in man/tollgate-lint.1`);
  for (const s of ['# tollgate-lint: disable', 'disable-file', '"@tollgate-lint"', '--format', 'sarif', 'github', 'EXIT STATUS']) assert.ok(man.includes(s), s);
});
