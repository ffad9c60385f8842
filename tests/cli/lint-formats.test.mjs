// tollgate lint output formats: one golden file per format over the same three inputs (a KrakenD
// config with findings and a non-ASCII line, an APISIX standalone file, a malformed file), and
// the SARIF document validated against the SARIF 2.1.0 schema (ajv, draft 2020-12) and by
// Microsoft's Sarif.Multitool. UPDATE_GOLDEN=1 rewrites the golden files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, json, nodeDeps, run, tempDir, writeTemp } from './lib/harness.mjs';

const GOLDEN = join(DATA, 'lint', 'golden');
const INPUTS = ['krakend.json', 'apisix.yaml', 'broken.json'];
const VERSION = run(['--version']).stdout.trim().replace(/^tollgate /, '');

// The tool version is the only part of the output that changes between releases.
const normalise = (s) => s.split(`"${VERSION}"`).join('"VERSION"');

function golden(format, ext) {
  const r = run(['lint', '--format', format, ...INPUTS], { cwd: GOLDEN });
  assert.equal(r.code, 2, 'broken.json makes the run exit 2');
  const file = join(GOLDEN, `expected.${ext}`);
  const got = normalise(r.stdout);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, got);
  assert.equal(got, readFileSync(file, 'utf8'), `${format} output differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`);
  return r.stdout;
}

test('text golden', () => {
  golden('text', 'txt');
});

test('json golden and shape', () => {
  const doc = json(golden('json', 'json'));
  assert.deepEqual(Object.keys(doc), ['files', 'summary']);
  assert.deepEqual(doc.files.map((f) => [f.path, f.gateway, f.shape]), [
    ['krakend.json', 'krakend', 'krakend'],
    ['apisix.yaml', 'apisix', 'apisix-standalone'],
    ['broken.json', null, null],
  ]);
  for (const f of doc.files.flatMap((x) => x.findings)) {
    assert.deepEqual(Object.keys(f), ['rule', 'severity', 'pointer', 'line', 'column', 'message', 'hint']);
  }
  assert.deepEqual(doc.summary, { files: 3, errors: 5, warnings: 3, infos: 1 });
});

test('github golden: workflow commands with escaped properties', () => {
  const out = golden('github', 'github');
  for (const line of out.trim().split('\n')) assert.match(line, /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[^:]+::/);
  const dir = tempDir();
  const odd = writeTemp('a,b:c%.json', '{"version": 2, "endpoints": []}', dir);
  const r = run(['lint', '--format', 'github', odd]);
  assert.match(r.stdout, /file=[^,]*a%2Cb%3Ac%25\.json,line=1,/);
});

let sarifText;
test('sarif golden', () => {
  sarifText = golden('sarif', 'sarif');
  const doc = json(sarifText);
  const run0 = doc.runs[0];
  assert.equal(doc.version, '2.1.0');
  const results = run0.results;
  const method = results.find((r) => r.ruleId === 'krakend/schema-value');
  // "Prüfung" precedes the value on its line: 41 bytes in, 40 UTF-16 code units.
  assert.equal(method.locations[0].physicalLocation.region.startColumn, 40);
  const ids = run0.tool.driver.rules.map((r) => r.id);
  for (const r of results) assert.equal(ids[r.ruleIndex], r.ruleId);
  const secret = results.find((r) => r.ruleId === 'apisix/plaintext-client-secret');
  assert.doesNotMatch(JSON.stringify(secret), /s3cr3t/, 'the secret never appears in a diagnostic');
});

test('sarif validates against the SARIF 2.1.0 JSON schema (ajv, draft 2020-12)', () => {
  let modules;
  try {
    modules = nodeDeps();
  } catch (e) {
    assert.fail(e.message);
  }
  const require = createRequire(join(modules, 'ajv', 'package.json'));
  const Ajv2020 = require('ajv/dist/2020.js').default;
  const addFormats = require('ajv-formats');
  const schema = JSON.parse(readFileSync(join(modules, '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const docs = [
    json(run(['lint', '--format', 'sarif', ...INPUTS], { cwd: GOLDEN }).stdout),
    json(run(['lint', '--format', 'sarif', join(DATA, 'lint', 'large', 'krakend-40.json'), '/nonexistent/x.json']).stdout),
  ];
  for (const doc of docs) {
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
  }
  // A broken document is refused, so the check can fail.
  const broken = structuredClone(docs[0]);
  broken.runs[0].results[0].level = 'fatal';
  assert.equal(validate(broken), false);
});

test('sarif passes Sarif.Multitool validate with no error-level result', () => {
  const tool = join(nodeDeps(), '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');
  if (!existsSync(tool)) return;
  const dir = tempDir();
  const input = writeTemp('lint.sarif', sarifText ?? run(['lint', '--format', 'sarif', ...INPUTS], { cwd: GOLDEN }).stdout, dir);
  const output = join(dir, 'validation.sarif');
  const r = spawnSync(tool, ['validate', input, '-o', output, '--log', 'ForceOverwrite'], { encoding: 'utf8', timeout: 120000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  if (r.error) return; // the tool cannot start on this machine: the schema check above still ran
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(output, 'utf8'));
  const errors = report.runs[0].results.filter((x) => (x.level ?? 'warning') === 'error');
  assert.deepEqual(errors, []);
  // The only advice left is the missing informationUri (no public project URL yet).
  assert.deepEqual([...new Set(report.runs[0].results.map((x) => x.ruleId))].sort(), ['SARIF2005']);
});
