// Shared helpers for the end-to-end tests: run the built binary as a user would.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE_DIR = process.env.TOLLGATE_SOURCE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = process.env.TOLLGATE_BIN ?? join(SOURCE_DIR, 'build', 'tollgate');
export const DATA = join(SOURCE_DIR, 'tests', 'data');

// A clean environment: no colour forcing, no profile, no proxy settings, caches in a private
// directory.
export function baseEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'CLICOLOR_FORCE', 'TOLLGATE_PROFILE', 'TOLLGATE_CLIENT_SECRET', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) delete env[k];
  return { ...env, ...extra };
}

// Run tollgate synchronously. Blocks the event loop: use runAsync when this process also serves
// HTTP to the binary.
export function run(args, { input, env, timeout = 30000, cwd } = {}) {
  const r = spawnSync(BIN, args, {
    input: input ?? '',
    env: baseEnv(env),
    timeout,
    cwd,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  // EPIPE: tollgate stopped reading stdin (e.g. input over a size cap) before we finished writing.
  if (r.error && r.error.code !== 'EPIPE') throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Run tollgate without blocking (servers in this process keep answering).
export function runAsync(args, { input, env, timeout = 30000, cwd, bin = BIN } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: baseEnv(env), cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

// A temporary directory removed after the test file, unless KEEP_TMP is set (then its path is
// printed so a failing run can be inspected).
const dirs = [];
export function tempDir(prefix = 'tollgate-test-') {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
process.on('exit', () => {
  for (const d of dirs) {
    if (process.env.KEEP_TMP) console.error(`kept ${d}`);
    else rmSync(d, { recursive: true, force: true });
  }
});

export function writeTemp(name, content, dir = tempDir()) {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

export function json(stdout) {
  try {
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`stdout is not JSON: ${e.message}\n--- stdout ---\n${stdout}`);
  }
}

// Where tests/node/install put the pinned npm packages (oidc-provider, ajv, the SARIF schema).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
export function nodeDeps() {
  const lock = readFileSync(join(SOURCE_DIR, 'tests', 'node', 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const cache = process.env.TOLLGATE_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tollgate-test');
  const dir = join(cache, `node-${hash}`);
  if (!existsSync(join(dir, '.complete'))) throw new Error(`npm test packages are not installed: run tests/node/install (expected ${dir})`);
  return join(dir, 'node_modules');
}
