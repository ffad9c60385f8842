// Every flag that --help shows is in each completion file and in the man page, and the
// completions are what scripts/gen-completions.mjs writes from the parser (no drift).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { run, SOURCE_DIR, BIN } from './lib/harness.mjs';

const spec = JSON.parse(run(['--dump-cli-spec']).stdout);
function walk(node, path, out) {
  out.push({ path, node });
  for (const s of node.subcommands) walk(s, [...path, s.name], out);
  return out;
}
const commands = walk(spec, [], []);

// The flags a user sees in --help: lines of the Options section.
function helpFlags(path) {
  const r = run([...path, '--help']);
  assert.equal(r.code, 0, `tollgate ${path.join(' ')} --help exits 0`);
  const flags = new Set();
  for (const m of r.stdout.matchAll(/^\s{1,4}(-\w,)?(--[a-z0-9][a-z0-9-]*)/gm)) flags.add(m[2]);
  return flags;
}

const completionFiles = ['tollgate.bash', '_tollgate', 'tollgate.fish'].map((f) => join(SOURCE_DIR, 'completions', f));
const completions = completionFiles.map((f) => [f, readFileSync(f, 'utf8')]);

function manPage(path) {
  // tollgate-uma-check.1, else tollgate-uma.1, else tollgate.1
  for (let n = path.length; n >= 0; n--) {
    const name = ['tollgate', ...path.slice(0, n)].join('-') + '.1';
    const f = join(SOURCE_DIR, 'man', name);
    if (existsSync(f)) return [f, readFileSync(f, 'utf8').replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '')];
  }
  return [null, ''];
}

for (const { path } of commands) {
  test(`flags of 'tollgate ${path.join(' ')}' are documented and completed`, () => {
    const flags = helpFlags(path);
    assert.ok(flags.has('--help'));
    const [man, manText] = manPage(path);
    for (const flag of flags) {
      if (flag === '--help') continue;
      for (const [file, text] of completions) {
        const bare = flag.slice(2);
        const found = text.includes(flag) || (file.endsWith('.fish') && text.includes(`-l ${bare}`));
        assert.ok(found, `${flag} of 'tollgate ${path.join(' ')}' is missing from ${file}`);
      }
      assert.ok(man, `no man page for 'tollgate ${path.join(' ')}'`);
      assert.ok(new RegExp(`${flag.replace(/-/g, '\\-')}(?![a-z0-9-])`).test(manText), `${flag} of 'tollgate ${path.join(' ')}' is not in ${man}`);
    }
  });
  if (path.length > 0) {
    test(`'tollgate ${path.join(' ')}' has a man page that names it`, () => {
      const [man, text] = manPage(path);
      assert.ok(man, `no man page for ${path.join(' ')}`);
      assert.ok(text.includes(path[path.length - 1]), `${man} does not mention ${path.join(' ')}`);
    });
  }
}

test('completion files are up to date with the parser', () => {
  const r = spawnSync(process.execPath, [join(SOURCE_DIR, 'scripts', 'gen-completions.mjs'), BIN, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('completion files are valid shell', () => {
  const bash = spawnSync('bash', ['-n', completionFiles[0]], { encoding: 'utf8' });
  assert.equal(bash.status, 0, bash.stderr);
  for (const [shell, file] of [['zsh', completionFiles[1]], ['fish', completionFiles[2]]]) {
    const probe = spawnSync(shell, ['--version']);
    if (probe.error) continue; // scripts/deps installs zsh and fish for the test run
    const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${shell} -n ${file}: ${r.stderr}`);
  }
});

test('bash completion offers subcommands and flag values', () => {
  const script = `source '${completionFiles[0]}'; COMP_WORDS=(tollgate de); COMP_CWORD=1; _tollgate; echo "\${COMPREPLY[@]}"; COMP_WORDS=(tollgate decode --date ''); COMP_CWORD=3; _tollgate; echo "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const [subs, dates] = r.stdout.trim().split('\n');
  assert.match(subs, /\bdecode\b/);
  assert.deepEqual(dates.split(' ').sort(), ['local', 'utc']);
});

test('the man page has an EXIT STATUS table with every exit code', () => {
  const text = readFileSync(join(SOURCE_DIR, 'man', 'tollgate.1'), 'utf8');
  assert.match(text, /^\.SH "?EXIT STATUS"?/m);
  const section = text.split(/^\.SH "?EXIT STATUS"?/m)[1].split(/^\.SH /m)[0];
  for (const code of ['0', '1', '2', '3', '4', '130']) assert.match(section, new RegExp(`^\\.(TP|IP)[^\\n]*\\n\\.?B? ?${code}\\b|^${code}\\b`, 'm'), `exit ${code} missing from EXIT STATUS`);
});
