// A misbehaving HTTP(S) server for the network failure tests: every failure tollgate must turn
// into a clear one-line error. Runs in the test process (use runAsync), logs every request.
//
//   const f = await startFaultServer();            // http://127.0.0.1:PORT
//   const t = await startFaultServer({ tls: await selfSignedCert(dir) });
//   f.url('/hang'); f.requests; f.route('/x', (req, res) => ...); await f.close();
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createNet } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HTML_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>portal</body></html>';
export const JSON_DOC = { keys: [] }; // an empty JWKS: `tollgate jwks URL` exits 0 on it

function sendJson(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// 50 MiB streamed in 64 KiB chunks; stops when the client goes away.
function sendBig(res, withLength) {
  const total = 50 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': total } : {}) });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => {
    sent = total;
  });
  pump();
}

export async function startFaultServer({ tls } = {}) {
  const requests = [];
  const routes = new Map();
  const hanging = new Set();
  const handler = (req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, remotePort: req.socket.remotePort, time: Date.now() });
    // A proxy request (absolute-form target, RFC 9112 3.2.2): answer it as the origin would.
    if (req.url.startsWith('http://')) return sendJson(res, 200, JSON_DOC);
    const path = req.url.split('?')[0];
    const custom = routes.get(path);
    if (custom) return custom(req, res);
    switch (path) {
      case '/json':
        return sendJson(res, 200, JSON_DOC);
      case '/hang':
        hanging.add(res);
        return undefined; // accept, read the request, never answer
      case '/drip': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":"');
        const timer = setInterval(() => res.write('x'), 100);
        res.on('close', () => clearInterval(timer));
        return undefined;
      }
      case '/big':
        return sendBig(res, false);
      case '/big-length':
        return sendBig(res, true);
      case '/invalid-json':
        return sendJson(res, 200, '{"keys": [ {"kty": "RSA",');
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(HTML_PAGE);
      case '/html-502':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<!DOCTYPE html><html><body>Bad Gateway</body></html>');
      case '/500':
        return sendJson(res, 500, { error: 'server_error', error_description: 'database is down' });
      case '/404':
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('Not Found');
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/to-http': {
        const target = new URL(req.url, 'http://x').searchParams.get('target');
        res.writeHead(302, { location: target });
        return res.end();
      }
      default: {
        // /chain/N redirects to /chain/N-1; /chain/0 answers JSON.
        const m = path.match(/^\/chain\/(\d+)$/);
        if (m) {
          const n = Number(m[1]);
          if (n === 0) return sendJson(res, 200, JSON_DOC);
          res.writeHead(302, { location: `/chain/${n - 1}` });
          return res.end();
        }
        return sendJson(res, 404, { error: 'not_found' });
      }
    }
  };
  const server = tls ? createHttps({ key: tls.key, cert: tls.cert }, handler) : createHttp(handler);
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    port,
    origin,
    requests,
    url: (path) => origin + path,
    route: (path, fn) => routes.set(path, fn),
    count: (path) => requests.filter((r) => r.url.split('?')[0] === path).length,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// A TCP server that accepts connections and never sends a byte (also not a TLS handshake).
export async function startSilentServer() {
  const sockets = new Set();
  const server = createNet((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// A port with nothing listening: bind, read the port, close.
export async function refusedPort() {
  const server = createNet();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A self-signed certificate for 127.0.0.1 made with the openssl CLI; `expired` makes one whose
// validity ended a day ago. Returns { key, cert, certFile }.
export function selfSignedCert(dir, { expired = false, name = expired ? 'expired' : 'selfsigned' } = {}) {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.cert.pem`);
  if (!expired) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  } else {
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:TRUE\n');
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', keyFile, '-days', '-1', '-extfile', ext, '-out', certFile], { stdio: 'pipe' });
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile, keyFile };
}
