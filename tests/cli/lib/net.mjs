// Helpers for the network tests: run tollgate against servers in this process, with a private
// cache and config directory per call unless one is given.
import { spawn } from 'node:child_process';
import { BIN, baseEnv, runAsync, tempDir } from './harness.mjs';

// runAsync with XDG_CACHE_HOME / XDG_CONFIG_HOME in fresh temporary directories by default, and
// the elapsed wall-clock time in ms.
export async function tg(args, { env = {}, cache, config, ...opts } = {}) {
  const e = { XDG_CACHE_HOME: cache ?? tempDir('tollgate-cache-'), XDG_CONFIG_HOME: config ?? tempDir('tollgate-config-'), ...env };
  const start = Date.now();
  const r = await runAsync(args, { ...opts, env: e });
  return { ...r, ms: Date.now() - start };
}

// Start tollgate and watch its stderr while it runs (device and authorization code flows).
// waitFor(re) resolves with the match once stderr matches; done resolves like runAsync.
export function watch(args, { env = {}, cache, config, timeout = 30000 } = {}) {
  const e = baseEnv({ XDG_CACHE_HOME: cache ?? tempDir('tollgate-cache-'), XDG_CONFIG_HOME: config ?? tempDir('tollgate-config-'), ...env });
  const child = spawn(BIN, args, { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = stderr.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    check();
  });
  child.stdin.end();
  const killer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`tollgate exited (${code}) before stderr matched ${w.re}\n--- stderr ---\n${stderr}`));
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitFor(re, ms = 10000) {
      return new Promise((resolve, reject) => {
        const w = { re, resolve, reject, timer: setTimeout(() => reject(new Error(`stderr did not match ${re} within ${ms} ms\n--- stderr ---\n${stderr}`)), ms) };
        waiters.push(w);
        check();
      });
    },
  };
}
