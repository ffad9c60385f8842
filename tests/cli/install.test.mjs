// `cmake --install` gives a working tool: the executable finds its run-time HTTP module in
// lib/<arch>/tollgate (not in the build tree), the man pages and completions are where man and the
// shells look. And decode's "not verified" notice appears when stderr is a terminal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, DATA, baseEnv, tempDir } from './lib/harness.mjs';
import { startFaultServer } from './lib/faults.mjs';
import { jwk } from './lib/jwt.mjs';
import { tg } from './lib/net.mjs';

const BUILD = process.env.TOLLGATE_BUILD_DIR ?? dirname(BIN);
let f;
let prefix;
before(async () => {
  f = await startFaultServer();
  const pub = { ...jwk('rsa-2048.jwk') };
  for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete pub[k];
  f.route('/certs', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [{ ...pub, kid: 'installed', use: 'sig', alg: 'RS256' }] }));
  });
  prefix = tempDir('tollgate-install-');
  const r = spawnSync('cmake', ['--install', BUILD, '--prefix', prefix], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
after(() => f?.close());

function find(dir, name) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const hit = find(p, name);
      if (hit) return hit;
    } else if (e.name === name) {
      return p;
    }
  }
  return null;
}

test('the installed tollgate loads its HTTP module from the install tree', async () => {
  const bin = join(prefix, 'bin', 'tollgate');
  assert.ok(existsSync(bin));
  const module = find(prefix, 'tollgate_http.so');
  assert.ok(module && module.includes(join('lib')), `module at ${module}`);
  assert.ok(!existsSync(join(prefix, 'bin', 'tollgate_http.so')), 'the module is not next to bin/tollgate');
  const r = await tg(['jwks', f.url('/certs'), '--json'], { bin });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).keys[0].kid, 'installed');
  assert.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(), spawnSync(BIN, ['--version'], { encoding: 'utf8' }).stdout.trim());
});

test('man pages and completions are installed where man and the shells look', () => {
  const man = join(prefix, 'share', 'man', 'man1');
  for (const page of ['tollgate.1', 'tollgate-verify.1', 'tollgate-uma.1', 'tollgate-lint.1']) {
    assert.ok(existsSync(join(man, page)), `${page} in ${man}`);
  }
  assert.match(readFileSync(join(prefix, 'share', 'bash-completion', 'completions', 'tollgate'), 'utf8'), /tollgate/);
  assert.ok(existsSync(join(prefix, 'share', 'zsh', 'vendor-completions', '_tollgate')));
  assert.ok(existsSync(join(prefix, 'share', 'fish', 'vendor_completions.d', 'tollgate.fish')));
});

test('decode says it does not verify when stderr is a terminal (and not when it is a pipe)', () => {
  const token = readFileSync(join(DATA, '..', '..', 'examples', 'tokens', 'access.jwt'), 'utf8').trim();
  // script(1) gives the command a pseudo-terminal for stdin, stdout and stderr.
  const tty = spawnSync('script', ['-qec', `'${BIN}' decode '${token}'`, '/dev/null'], { encoding: 'utf8', env: baseEnv(), timeout: 20000 });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  assert.match(tty.stdout, /does not verify/);
  const piped = spawnSync(BIN, ['decode', token], { encoding: 'utf8', env: baseEnv() });
  assert.equal(piped.status, 0);
  assert.doesNotMatch(piped.stderr, /does not verify/);
});
