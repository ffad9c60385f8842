// The prompts on a real terminal: `script` (util-linux, part of every Debian system) gives
// tollgate a pseudo-terminal, and the shell around it inspects the terminal after tollgate exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, baseEnv, tempDir } from './lib/harness.mjs';
import { refusedPort } from './lib/faults.mjs';

// Run `command` (a sh command line) under a pseudo-terminal; `onOutput(text, write)` sees the
// terminal output so far and may type into it.
function onTerminal(command, onOutput, { timeout = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: baseEnv({ XDG_CACHE_HOME: tempDir() }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within ${timeout} ms; terminal output:\n${out}`));
    }, timeout);
    child.on('error', (e) => reject(new Error(`cannot run script(1) from util-linux: ${e.message}`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      onOutput(out, (text) => child.stdin.write(text));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('Ctrl-C at the hidden password prompt restores echo (exit 130)', async () => {
  const port = await refusedPort();
  // The shell ignores SIGINT so that it survives the Ctrl-C and reports the terminal state.
  const tollgate = `'${BIN}' token --token-endpoint http://127.0.0.1:${port}/token --client-id c1 --client-auth none --grant password --username alice`;
  const command = `sh -c 'trap "" INT; ${tollgate.replace(/'/g, `'\\''`)}; echo "rc=$?"; stty -a'`;
  let typed = false;
  const r = await onTerminal(command, (out, write) => {
    if (!typed && out.includes('password for alice: ')) {
      typed = true;
      setTimeout(() => write('\x03'), 200); // Ctrl-C while echo is off
    }
  });
  assert.ok(typed, `no prompt:\n${r.out}`);
  assert.match(r.out, /rc=130/);
  const stty = r.out.slice(r.out.indexOf('rc=130'));
  assert.match(stty, /(^|[\s;])echo(\s|;)/, `echo is still off after tollgate exited:\n${stty}`);
  assert.doesNotMatch(stty, /(^|[\s;])-echo(\s|;)/);
});

test('the hidden prompt does not echo and restores echo after the answer', async () => {
  const port = await refusedPort();
  const tollgate = `'${BIN}' token --token-endpoint http://127.0.0.1:${port}/token --client-id c1 --client-auth none --grant password --username alice`;
  const command = `sh -c '${tollgate.replace(/'/g, `'\\''`)}; echo "rc=$?"; stty -a'`;
  let typed = false;
  const r = await onTerminal(command, (out, write) => {
    if (!typed && out.includes('password for alice: ')) {
      typed = true;
      setTimeout(() => write('HIDDEN-PW\r'), 200);
    }
  });
  assert.ok(!r.out.includes('HIDDEN-PW'), `the password was echoed:\n${r.out}`);
  assert.match(r.out, /connection refused/);
  assert.match(r.out, /rc=3/);
  const stty = r.out.slice(r.out.indexOf('rc=3'));
  assert.doesNotMatch(stty, /(^|[\s;])-echo(\s|;)/);
});
