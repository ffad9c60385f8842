// Mutation test: take valid configs, apply one mistake at a time (drop a required key, change a
// type, misspell a key, http-ify a URL) and assert that each mutant gets a finding at the pointer
// of the mistake. All mutants of a run are linted by one tollgate process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, SOURCE_DIR, json, run, tempDir, writeTemp } from './lib/harness.mjs';

const REALM = 'https://sso.example.com/realms/shop';

const bases = {
  'krakend.json': JSON.parse(readFileSync(join(SOURCE_DIR, 'examples', 'lint', 'krakend-clean.json'), 'utf8')),
  'route.json': JSON.parse(readFileSync(join(DATA, 'lint', 'rules', 'apisix', 'route-schema', 'pass.json'), 'utf8')),
  'apisix.yaml': {
    upstreams: [{ id: 'orders', type: 'roundrobin', nodes: { 'orders:8080': 1 } }],
    plugin_configs: [{ id: 'kc-orders', plugins: { 'authz-keycloak': { discovery: `${REALM}/.well-known/uma2-configuration`, client_id: 'orders-api', client_secret: '$env://ORDERS_SECRET', lazy_load_paths: true } } }],
    routes: [
      { id: 'orders', uris: ['/api/orders', '/api/orders/*'], methods: ['GET', 'POST'], upstream_id: 'orders', plugin_config_id: 'kc-orders' },
      {
        id: 'reports', uri: '/api/reports', upstream_id: 'orders',
        plugins: { 'authz-keycloak': { token_endpoint: `${REALM}/protocol/openid-connect/token`, client_id: 'reports-api', client_secret: '$env://REPORTS_SECRET', permissions: ['reports#read'], timeout: 5000, ssl_verify: true, policy_enforcement_mode: 'ENFORCING' } },
      },
    ],
  },
};

// A small YAML writer: block style, strings JSON-quoted (valid YAML double-quoted scalars).
function toYaml(v, indent = '') {
  const key = (k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
  const scalar = (x) => (typeof x === 'string' ? JSON.stringify(x) : String(x));
  const isBlock = (x) => x !== null && typeof x === 'object' && Object.keys(x).length > 0;
  if (Array.isArray(v)) {
    return v.map((x) => (isBlock(x) ? `${indent}-\n${toYaml(x, `${indent}  `)}` : `${indent}- ${Array.isArray(x) ? '[]' : typeof x === 'object' ? '{}' : scalar(x)}\n`)).join('');
  }
  return Object.entries(v).map(([k, x]) => (isBlock(x) ? `${indent}${key(k)}:\n${toYaml(x, `${indent}  `)}` : `${indent}${key(k)}: ${Array.isArray(x) ? '[]' : x !== null && typeof x === 'object' ? '{}' : scalar(x)}\n`)).join('');
}
const serialise = (name, doc) => (name.endsWith('.yaml') ? `${toYaml(doc)}#END\n` : `${JSON.stringify(doc, null, 2)}\n`);

const esc = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
const clone = (x) => structuredClone(x);
function at(doc, path) {
  return path.reduce((o, k) => o[k], doc);
}
function* leaves(v, path = []) {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) yield* leaves(x, [...path, Array.isArray(v) ? Number(k) : k]);
  }
  yield [path, v];
}

// Parts of the configs that lint does not model field by field (comments, other namespaces,
// upstream definitions): mutations there are not expected to be caught.
function unchecked(name, path) {
  const s = path.join('/');
  if (path.some((k) => typeof k === 'string' && /^[@$_#]/.test(k))) return true;
  if (name === 'apisix.yaml' && (path[0] === 'upstreams' || path.length === 1)) return true;
  if (path.includes('upstream')) return true;
  return /extra_config\/(?!auth\/validator)[^/]+\//.test(s);
}

const misspell = (k) => (k.length > 2 && k[1] !== k[2] ? k[0] + k[2] + k[1] + k.slice(3) : k.slice(0, 1) + k.slice(2));

function mutants() {
  const out = [];
  for (const [name, base] of Object.entries(bases)) {
    for (const [path, value] of leaves(base)) {
      if (path.length === 0 || unchecked(name, path)) continue;
      const ptr = '/' + path.map(esc).join('/');
      const parentPath = path.slice(0, -1);
      const last = path[path.length - 1];
      // change the type
      const changed = typeof value === 'string' ? true : typeof value === 'number' ? 'abc' : typeof value === 'boolean' ? 'yes' : Array.isArray(value) ? 'x' : [];
      const typed = clone(base);
      at(typed, parentPath)[last] = changed;
      out.push({ name, what: `type of ${ptr}`, doc: typed, pointer: ptr });
      // misspell the key
      if (typeof last === 'string' && !(name === 'apisix.yaml' && path.length === 1)) {
        const wrong = misspell(last);
        const renamed = clone(base);
        const parent = at(renamed, parentPath);
        const entries = Object.entries(parent).map(([k, x]) => [k === last ? wrong : k, x]);
        for (const k of Object.keys(parent)) delete parent[k];
        Object.assign(parent, Object.fromEntries(entries));
        out.push({ name, what: `key ${ptr} spelled ${wrong}`, doc: renamed, pointer: '/' + [...parentPath, wrong].map(esc).join('/'), hint: last.length >= 4 ? last : null });
      }
      // http-ify a URL
      if (typeof value === 'string' && value.startsWith('https://') && last !== 'issuer') {
        const http = clone(base);
        at(http, parentPath)[last] = value.replace('https://', 'http://');
        out.push({ name, what: `http ${ptr}`, doc: http, pointer: ptr });
      }
    }
  }
  // drop a required key: [file, object path, key, pointer of the finding]
  const required = [
    ['krakend.json', [], 'version', ''],
    ['krakend.json', ['endpoints', 1], 'endpoint', '/endpoints/1'],
    ['krakend.json', ['endpoints', 1], 'backend', '/endpoints/1'],
    ['krakend.json', ['endpoints', 2, 'backend', 0], 'url_pattern', '/endpoints/2/backend/0'],
    ['krakend.json', ['endpoints', 1, 'extra_config', 'auth/validator'], 'alg', '/endpoints/1/extra_config/auth~1validator'],
    ['krakend.json', ['endpoints', 1, 'extra_config', 'auth/validator'], 'jwk_url', '/endpoints/1/extra_config/auth~1validator'],
    ['krakend.json', ['extra_config', 'auth/validator'], 'shared_cache_duration', '/extra_config/auth~1validator'],
    ['route.json', ['plugins', 'authz-keycloak'], 'client_id', '/plugins/authz-keycloak'],
    ['route.json', ['plugins', 'authz-keycloak'], 'discovery', '/plugins/authz-keycloak'],
    ['apisix.yaml', ['routes', 1], 'uri', '/routes/1'],
    ['apisix.yaml', ['routes', 1, 'plugins', 'authz-keycloak'], 'token_endpoint', '/routes/1/plugins/authz-keycloak'],
    ['apisix.yaml', ['routes', 1, 'plugins', 'authz-keycloak'], 'client_id', '/routes/1/plugins/authz-keycloak'],
    ['apisix.yaml', ['plugin_configs', 0, 'plugins', 'authz-keycloak'], 'client_id', '/plugin_configs/0/plugins/authz-keycloak'],
    ['apisix.yaml', ['plugin_configs', 0], 'id', '/routes/0/plugin_config_id'],
  ];
  for (const [name, path, key, pointer] of required) {
    const doc = clone(bases[name]);
    assert.ok(key in at(doc, path), `${name} ${path.join('/')} has ${key}`);
    delete at(doc, path)[key];
    out.push({ name, what: `drop ${path.join('/')}/${key}`, doc, pointer });
  }
  return out;
}

test('the base configs are clean', () => {
  const dir = tempDir();
  const files = Object.entries(bases).map(([name, doc]) => writeTemp(name, serialise(name, doc), dir));
  const r = run(['lint', '--format', 'json', ...files]);
  assert.deepEqual(json(r.stdout).files.flatMap((f) => f.findings), []);
  assert.equal(r.code, 0);
});

test('every single mistake is caught at its pointer', () => {
  const list = mutants();
  assert.ok(list.length > 200, `${list.length} mutants`);
  const dir = tempDir();
  const files = list.map((m, i) => writeTemp(`m${i}-${m.name}`, serialise(m.name, m.doc), dir));
  const r = run(['lint', '--format', 'json', ...files], { timeout: 60000 });
  const docs = json(r.stdout).files;
  const missed = [];
  list.forEach((m, i) => {
    const found = docs[i].findings.filter((f) => f.pointer === m.pointer && f.severity !== 'info');
    if (found.length === 0) {
      missed.push(`${m.name}: ${m.what}: nothing at ${m.pointer}; got ${docs[i].findings.map((f) => `${f.rule}@${f.pointer}`).join(', ') || 'no findings'}`);
    } else if (m.hint && !found.some((f) => (f.hint ?? '').includes(`"${m.hint}"`))) {
      missed.push(`${m.name}: ${m.what}: no "did you mean ${m.hint}" hint (${found.map((f) => f.hint).join('; ')})`);
    }
  });
  assert.deepEqual(missed, []);
});
