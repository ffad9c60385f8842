// Every network failure of issue 3 against our own fault server on 127.0.0.1: each must end with
// exit 3 (or 2 for a refused http:// URL, 130 for Ctrl-C) and a one-line message naming the URL
// and the cause, within the timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, run } from './lib/harness.mjs';
import { tg } from './lib/net.mjs';
import { startFaultServer, startSilentServer, refusedPort, selfSignedCert, HTML_PAGE } from './lib/faults.mjs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, baseEnv } from './lib/harness.mjs';

let f;
let tls;
let expired;
let certs;
before(async () => {
  certs = tempDir('tollgate-certs-');
  f = await startFaultServer();
  tls = await startFaultServer({ tls: selfSignedCert(certs) });
  expired = await startFaultServer({ tls: selfSignedCert(certs, { expired: true }) });
});
after(async () => {
  await f.close();
  await tls.close();
  await expired.close();
});

// One line on stderr: "tollgate: <url>: <cause>".
function assertOneLine(r, re) {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], re);
}

test('connection refused is exit 3 naming the URL', async () => {
  const port = await refusedPort();
  const url = `http://127.0.0.1:${port}/certs`;
  const r = await tg(['jwks', url]);
  assert.equal(r.code, 3);
  assertOneLine(r, new RegExp(`^tollgate: ${url.replace(/[/.]/g, '\\$&')}: connection refused$`));
});

test('a server that accepts and never answers: the timeout is honoured', async () => {
  const r = await tg(['jwks', f.url('/hang'), '--timeout', '800']);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/hang: timed out after 800 ms$/);
  assert.ok(r.ms >= 700 && r.ms < 2500, `took ${r.ms} ms`);
});

test('a TCP peer that never speaks TLS is a timeout too', async () => {
  const silent = await startSilentServer();
  try {
    const r = await tg(['jwks', `https://127.0.0.1:${silent.port}/certs`, '--timeout', '700']);
    assert.equal(r.code, 3);
    assertOneLine(r, /timed out after 700 ms$/);
    assert.ok(r.ms < 2500, `took ${r.ms} ms`);
  } finally {
    await silent.close();
  }
});

test('a slow drip cannot stretch the total timeout', async () => {
  const r = await tg(['jwks', f.url('/drip'), '--timeout', '700']);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/drip: timed out after 700 ms$/);
  assert.ok(r.ms < 2500, `took ${r.ms} ms`);
});

test('a 50 MiB body is capped at 1 MiB (chunked and with Content-Length)', async () => {
  for (const path of ['/big', '/big-length']) {
    const r = await tg(['jwks', f.url(path)]);
    assert.equal(r.code, 3, path);
    assertOneLine(r, /response is larger than the 1 MiB limit \(raise it with --max-response-bytes\)$/);
    assert.ok(r.ms < 5000, `${path} took ${r.ms} ms`);
  }
  const r = await tg(['jwks', f.url('/big'), '--max-response-bytes', '100000']);
  assertOneLine(r, /larger than the 100000 bytes limit/);
});

test('invalid JSON, an HTML page, an HTML error page, 500 and 404', async () => {
  let r = await tg(['jwks', f.url('/invalid-json')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/invalid-json: response is not valid JSON at byte \d+$/);

  r = await tg(['jwks', f.url('/html')]);
  assert.equal(r.code, 3);
  assertOneLine(r, new RegExp(`/html: response is not JSON \\(text/html, first bytes: ${HTML_PAGE.slice(0, 20).replace(/[()[\]]/g, '\\$&')}…\\)$`));

  r = await tg(['jwks', f.url('/html-502')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/html-502: HTTP 502 \(text\/html, first bytes: <!DOCTYPE html><html…\)$/);

  r = await tg(['jwks', f.url('/500')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/500: HTTP 500: server_error \(database is down\)$/);

  r = await tg(['jwks', f.url('/404')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/404: HTTP 404 \(text\/plain, first bytes: Not Found\)$/);
});

test('redirects: 3 are followed, a 4th and a loop are refused', async () => {
  let r = await tg(['jwks', f.url('/chain/3')]);
  assert.equal(r.code, 0, r.stderr);
  r = await tg(['jwks', f.url('/chain/4')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/chain\/4: more than 3 redirects \(Location: http:\/\/127\.0\.0\.1:\d+\/chain\/0\)$/);
  r = await tg(['jwks', f.url('/loop')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/loop: redirect loop \(Location: http:\/\/127\.0\.0\.1:\d+\/loop\)$/);
});

test('a redirect from https to http is refused, even to loopback and with --allow-http', async () => {
  const target = encodeURIComponent(f.url('/json'));
  for (const extra of [[], ['--allow-http']]) {
    const before = f.count('/json');
    const r = await tg(['jwks', tls.url(`/to-http?target=${target}`), '--cacert', `${certs}/selfsigned.cert.pem`, ...extra]);
    assert.equal(r.code, 3);
    assertOneLine(r, /redirect from https to http refused \(Location: http:\/\/127\.0\.0\.1:\d+\/json\)$/);
    assert.equal(f.count('/json'), before, 'the http target was never requested');
  }
});

test('a self-signed certificate is refused, then accepted with --cacert (and --insecure warns)', async () => {
  let r = await tg(['jwks', tls.url('/json')]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/json: TLS: self-signed certificate \(trust its CA with --cacert FILE\)$/);
  r = await tg(['jwks', tls.url('/json'), '--cacert', `${certs}/selfsigned.cert.pem`]);
  assert.equal(r.code, 0, r.stderr);
  r = await tg(['jwks', tls.url('/json'), '--insecure']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: --insecure: TLS certificates and host names are not verified/m);
  r = await tg(['jwks', tls.url('/json'), '--cacert', `${certs}/no-such.pem`]);
  assert.equal(r.code, 2);
  assertOneLine(r, /cannot open CA file '.*no-such\.pem' \(--cacert\)/);
});

test('an expired certificate says so', async () => {
  const r = await tg(['jwks', expired.url('/json'), '--cacert', `${certs}/expired.cert.pem`]);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/json: TLS: certificate has expired$/);
});

test('plain http to a non-loopback host is exit 2 before any connection; --allow-http lifts it', async () => {
  let r = await tg(['jwks', 'http://idp.invalid/certs']);
  assert.equal(r.code, 2);
  assertOneLine(r, /refusing plain http:\/\/ for http:\/\/idp\.invalid\/certs: .*--allow-http/);
  // 0.0.0.0 is not a loopback name, so it needs the flag, yet Linux connects it to this host:
  // with the flag it really goes to the network, to a port where nothing listens (no DNS).
  const port = await refusedPort();
  const url = `http://0.0.0.0:${port}/certs`;
  r = await tg(['jwks', url]);
  assert.equal(r.code, 2);
  assertOneLine(r, /refusing plain http:\/\/ for http:\/\/0\.0\.0\.0:\d+\/certs: .*--allow-http/);
  r = await tg(['jwks', url, '--allow-http']);
  assert.equal(r.code, 3);
  assertOneLine(r, new RegExp(`^tollgate: http://0\\.0\\.0\\.0:${port}/certs: connection refused$`));
});

test('proxies come from the standard environment variables', async () => {
  const before = f.requests.length;
  const r = await tg(['jwks', 'http://idp.invalid/certs', '--allow-http'], { env: { http_proxy: f.origin } });
  assert.equal(r.code, 0, r.stderr);
  const seen = f.requests.slice(before).map((q) => q.url);
  assert.deepEqual(seen, ['http://idp.invalid/certs']);
});

test('loopback requests never go through an environment proxy', async () => {
  const proxy = await startFaultServer();
  try {
    for (const host of ['127.0.0.1', 'localhost']) {
      const before = f.count('/json');
      const url = f.url('/json').replace('127.0.0.1', host);
      const r = await tg(['jwks', url], { env: { http_proxy: proxy.origin, HTTP_PROXY: proxy.origin, ALL_PROXY: proxy.origin, NO_PROXY: '' } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.count('/json') - before, 1, `${host}: the request went straight to the server`);
    }
    const r = await tg(['jwks', tls.url('/json'), '--cacert', `${certs}/selfsigned.cert.pem`], { env: { https_proxy: proxy.origin, HTTPS_PROXY: proxy.origin } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(proxy.requests.length, 0, 'the proxy saw nothing');
  } finally {
    await proxy.close();
  }
});

test('a timeout on a reused keep-alive connection is the total timeout, not a connect timeout', async () => {
  const issuer = f.url('/keepalive');
  f.route('/keepalive/.well-known/openid-configuration', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: f.url('/hang'), jwks_uri: `${issuer}/certs`,
      response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    }));
  });
  const before = f.requests.length;
  const r = await tg(['token', '--issuer', issuer, '--client-id', 'c1', '--client-auth', 'none', '--timeout', '1500', '--no-cache']);
  assert.equal(r.code, 3);
  assertOneLine(r, /\/hang: timed out after 1500 ms$/);
  const seen = f.requests.slice(before);
  assert.equal(seen.length, 2);
  assert.equal(seen[0].remotePort, seen[1].remotePort, 'the token request reused the discovery connection');
});

test('token --refresh-token VALUE on argv warns like --client-secret; @FILE and - do not', async () => {
  const { writeFileSync } = await import('node:fs');
  f.route('/rt-token', (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer' }));
  });
  const args = ['token', '--token-endpoint', f.url('/rt-token'), '--client-id', 'c1', '--client-auth', 'none', '--grant', 'refresh_token'];
  let r = await tg([...args, '--refresh-token', 'RT-ON-ARGV']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: --refresh-token TOKEN is visible to other users in the process list; prefer --refresh-token @FILE, - \(stdin\) or TOLLGATE_REFRESH_TOKEN$/m);
  assert.ok(!r.stderr.includes('RT-ON-ARGV'));
  const file = join(tempDir(), 'rt');
  writeFileSync(file, 'RT-IN-FILE\n');
  r = await tg([...args, '--refresh-token', `@${file}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  r = await tg([...args, '--refresh-token', '-'], { input: 'RT-ON-STDIN\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('--open starts a browser only for http(s) URLs', async () => {
  const { writeFileSync, chmodSync, existsSync, readFileSync } = await import('node:fs');
  const dir = tempDir();
  const opened = join(dir, 'opened');
  const browser = join(dir, 'browser.sh');
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(browser, 0o755);
  const issuer = f.url('/open');
  let verification = '';
  f.route('/open/.well-known/openid-configuration', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs`,
      device_authorization_endpoint: `${issuer}/device`,
      response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    }));
  });
  f.route('/open/device', (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ device_code: 'dc', user_code: 'UC', verification_uri: verification, expires_in: 30, interval: 1 }));
  });
  f.route('/open/token', (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer' }));
  });
  const args = ['token', '--issuer', issuer, '--client-id', 'c1', '--client-auth', 'none', '--grant', 'device_code', '--open', '--no-cache'];
  for (const bad of ['file:///etc/passwd', '--help', 'javascript:alert(1)']) {
    verification = bad;
    const r = await tg(args, { env: { BROWSER: browser } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: not opening .* in a browser: not an http\(s\) URL$/m);
  }
  verification = `${issuer}/activate`;
  const r = await tg(args, { env: { BROWSER: browser } });
  assert.equal(r.code, 0, r.stderr);
  for (let waited = 0; !existsSync(opened); waited += 20) {
    assert.ok(waited < 10000, 'the browser was never started for an https URL');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(readFileSync(opened, 'utf8').trim().split('\n'), [`${issuer}/activate`], 'only the http(s) URL was opened');
});

test('User-Agent is tollgate/VERSION', async () => {
  const version = run(['--version']).stdout.trim().split(' ')[1];
  const before = f.requests.length;
  const r = await tg(['jwks', f.url('/json')]);
  assert.equal(r.code, 0);
  assert.equal(f.requests[before].headers['user-agent'], `tollgate/${version}`);
});

test('-v traces requests and responses with secrets and tokens redacted', async () => {
  f.route('/token', (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'AT-SECRET-111', refresh_token: 'RT-SECRET-222', id_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', token_type: 'Bearer', echo_len: body.length }));
    });
  });
  const dir = tempDir();
  const secret = `${dir}/secret`;
  const pw = `${dir}/pw`;
  (await import('node:fs')).writeFileSync(secret, 'CLIENT-SECRET-333\n');
  (await import('node:fs')).writeFileSync(pw, 'PASSWORD-444\n');
  for (const auth of ['basic', 'post']) {
    const r = await tg(['token', '--token-endpoint', f.url('/token'), '--client-id', 'c1', '--client-secret-file', secret,
      '--client-auth', auth, '--grant', 'password', '--username', 'alice', '--password-file', pw, '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'AT-SECRET-111\n');
    for (const s of ['CLIENT-SECRET-333', 'PASSWORD-444', 'AT-SECRET-111', 'RT-SECRET-222', 'eyJhbGciOiJub25lIn0', Buffer.from('c1:CLIENT-SECRET-333').toString('base64')]) {
      assert.ok(!r.stderr.includes(s), `${s} leaked into the ${auth} trace:\n${r.stderr}`);
    }
    assert.match(r.stderr, /^> POST \/token HTTP\/1\.1$/m);
    assert.match(r.stderr, /^< HTTP\/1\.1 200 OK$/m);
    assert.match(r.stderr, /password=\[redacted\]/);
    assert.match(r.stderr, /"access_token":"\[redacted\]"/);
    if (auth === 'basic') assert.match(r.stderr, /^> Authorization: Basic \[redacted\]$/m);
    else assert.match(r.stderr, /client_secret=\[redacted\]/);
  }
});

test('a CR or LF in a client id or client secret is refused before anything is sent (exit 2)', async () => {
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir();
  writeFileSync(`${dir}/secret`, 'S3CRET\n');
  writeFileSync(`${dir}/bad-secret`, 'S3CRET\r\nX-Injected: 1\n');
  const before = f.requests.length;
  for (const auth of ['basic', 'post', 'none']) {
    const r = await tg(['token', '--token-endpoint', f.url('/token'), '--client-id', 'c1\r\nX-Injected: 1', '--client-secret-file', `${dir}/secret`,
      '--client-auth', auth]);
    assert.equal(r.code, 2, `${auth}: ${r.stderr}`);
    assertOneLine(r, /^tollgate: --client-id contains a control character \(byte 0x0d at offset 2\)/);
  }
  const r = await tg(['token', '--token-endpoint', f.url('/token'), '--client-id', 'c1', '--client-secret-file', `${dir}/bad-secret`]);
  assert.equal(r.code, 2, r.stderr);
  assertOneLine(r, /^tollgate: the client secret \(client secret file '.*bad-secret'\) contains a control character \(byte 0x0d at offset 6\)/);
  assert.ok(!r.stderr.includes('S3CRET'), 'the secret is not printed');
  assert.equal(f.requests.length, before, 'nothing reached the server');
});

test('control characters from the IdP never reach the terminal (error_description, challenges, first bytes, device codes)', async () => {
  const evil = 'x\u001b[2J\u001b]0;owned\u0007\r\ntollgate: forged line\u009b31m';
  f.route('/evil-token', (req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `invalid_grant${evil}`, error_description: `bad${evil}` }));
  });
  f.route('/evil-text', (req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`\u001b[31m${evil}`);
  });
  f.route('/evil-userinfo', (req, res) => {
    // Node refuses control characters in header values: write the response by hand.
    res.socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error="invalid_token", error_description="gone\u001b[2J\u0007"\r\n'
      + 'Content-Length: 0\r\nConnection: close\r\n\r\n');
  });
  const issuer = f.url('/evil');
  f.route('/evil/.well-known/openid-configuration', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: f.url('/evil-token'), jwks_uri: `${issuer}/certs`,
      device_authorization_endpoint: `${issuer}/device`,
      response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    }));
  });
  f.route('/evil/device', (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ device_code: 'd', user_code: `AB${evil}`, verification_uri: `${issuer}/activate`, verification_uri_complete: `${issuer}/activate?x=${evil}`, expires_in: 5, interval: 1 }));
  });
  const runs = [
    await tg(['token', '--token-endpoint', f.url('/evil-token'), '--client-id', 'c1', '--client-auth', 'none']),
    await tg(['jwks', f.url('/evil-text')]),
    await tg(['userinfo', 'opaque-token', '--userinfo-endpoint', f.url('/evil-userinfo')]),
    await tg(['token', '--issuer', issuer, '--client-id', 'c1', '--client-auth', 'none', '--grant', 'device_code']),
  ];
  for (const r of runs) {
    assert.notEqual(r.code, 0);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(r.stderr), `a control character reached stderr: ${JSON.stringify(r.stderr)}`);
    assert.ok(!/^tollgate: forged line/m.test(r.stderr), `a forged line: ${JSON.stringify(r.stderr)}`);
  }
  assert.match(runs[0].stderr, /HTTP 400: invalid_grantx\?\[2J/);
  assert.equal(runs[0].stderr.trim().split('\n').length, 1);
  assert.equal(runs[1].stderr.trim().split('\n').length, 1);
  assert.match(runs[2].stderr, /invalid_token \(gone\?\[2J\?\)/);
  assert.match(runs[3].stderr, /enter the code ABx\?\[2J/);
});

test('Ctrl-C ends a hanging request promptly with exit 130', async () => {
  const before = f.count('/hang');
  const child = spawn(BIN, ['jwks', f.url('/hang'), '--timeout', '60000'], { env: baseEnv({ XDG_CACHE_HOME: tempDir() }) });
  const closed = new Promise((resolve) => child.on('close', (c) => resolve(c)));
  // Interrupt only once the request is in flight: the server has seen it (bounded wait).
  for (let waited = 0; f.count('/hang') === before; waited += 20) {
    assert.ok(waited < 20000, 'the request never reached the server');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const start = Date.now();
  child.kill('SIGINT');
  const code = await closed;
  assert.equal(code, 130);
  // Far below the 60 s the request would otherwise hang for.
  assert.ok(Date.now() - start < 10000, `took ${Date.now() - start} ms after SIGINT`);
});
