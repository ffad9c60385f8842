// The test identity provider: a real OpenID Provider (oidc-provider, pinned in tests/node) served
// under Keycloak's paths on 127.0.0.1. See README.md in this directory.
//
// In a test (same process; run tollgate with runAsync):
//   import { startIdp } from '../idp/server.mjs';
//   const idp = await startIdp({ legacy: false });
//   idp.issuer            // http://127.0.0.1:PORT/realms/tollgate
//   idp.realm.rotateKeys(); await idp.realm.approveDevice(userCode); idp.requests
//   await idp.close();
//
// Stand-alone (port 0 picks a free port; prints one JSON line, then serves until SIGTERM/SIGINT):
//   node tests/idp/server.mjs [--port N] [--realm NAME] [--legacy] [--device-interval S] [--uma]
//   {"port":40123,"issuer":"http://127.0.0.1:40123/realms/tollgate"}
// Test hooks in that mode: POST /_test/rotate, POST /_test/device/approve?user_code=XXXX-XXXX, and
// with --uma (uma.mjs): POST /_test/uma/token?account=alice, /_test/uma/fail, /_test/uma/hang?ms=N,
// /_test/uma/reset.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createRealm, sendJson } from './realm.mjs';
import { umaPlugin } from './uma.mjs';

async function loadProvider(nodeModules) {
  if (!nodeModules) {
    const { nodeDeps } = await import('../cli/lib/harness.mjs');
    nodeModules = nodeDeps();
  }
  const require = createRequire(join(nodeModules, 'noop.js'));
  const entry = require.resolve('oidc-provider');
  const mod = await import(pathToFileURL(entry).href);
  return mod.default;
}

// Start the IdP. Options: realm (name), legacy (Keycloak <= 16: /auth prefix and
// token_introspection_endpoint), tls ({key, cert} PEM: serve https), port, and everything
// createRealm takes (keys, clients, users, deviceInterval, deviceCodeTtl, accessTokenTtl, plugins).
export async function startIdp({ realm: realmName = 'tollgate', legacy = false, tls, port = 0, nodeModules, ...realmOptions } = {}) {
  const plugins = realmOptions.plugins ?? [];
  const Provider = await loadProvider(nodeModules);
  const requests = [];
  let realm = null;
  const prefix = `${legacy ? '/auth' : ''}/realms/${realmName}`;

  const handler = async (req, res) => {
    requests.push({ method: req.method, url: req.url, time: Date.now(), remotePort: req.socket.remotePort });
    try {
      if (req.url.startsWith('/_test/') && req.method === 'POST') return await testHook(req, res);
      if (req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`)) {
        req.originalUrl = req.url;
        req.url = req.url.slice(prefix.length) || '/';
        return await realm.handle(req, res);
      }
      sendJson(res, 404, { error: 'not_found', error_description: `no realm at ${req.url.split('?')[0]}` });
    } catch (e) {
      sendJson(res, 500, { error: 'server_error', error_description: String(e?.message ?? e) });
    }
  };

  async function testHook(req, res) {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/_test/rotate') return sendJson(res, 200, { kid: realm.rotateKeys() });
    if (url.pathname === '/_test/device/approve') {
      await realm.approveDevice(url.searchParams.get('user_code'), url.searchParams.get('account') ?? 'alice');
      return sendJson(res, 200, { approved: true });
    }
    for (const plugin of plugins) {
      const hook = plugin.hooks?.[url.pathname];
      if (hook) return sendJson(res, 200, await hook(url.searchParams, realm));
    }
    return sendJson(res, 404, { error: 'not_found' });
  }

  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  // Node closes idle keep-alive connections after 5 s by default; a client working through a long
  // batch on a few connections must keep them (idp.connections counts what it opened).
  server.keepAliveTimeout = 120000;
  server.headersTimeout = 125000;
  let connections = 0;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${actualPort}`;
  const issuer = `${origin}${prefix}`;
  realm = await createRealm({ name: realmName, issuer, legacy, Provider, ...realmOptions });
  const sockets = new Set();
  server.on('connection', (s) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: actualPort,
    origin,
    issuer,
    realm,
    requests,
    // TCP connections the server accepted so far.
    get connections() {
      return connections;
    },
    // Requests whose path (without query) ends with `suffix`.
    count(suffix) {
      return requests.filter((r) => r.url.split('?')[0].endsWith(suffix)).length;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const idp = await startIdp({
    port: Number(opt('--port', '0')),
    realm: opt('--realm', 'tollgate'),
    legacy: args.includes('--legacy'),
    deviceInterval: Number(opt('--device-interval', '5')),
    plugins: args.includes('--uma') ? [umaPlugin()] : [],
  });
  process.stdout.write(`${JSON.stringify({ port: idp.port, issuer: idp.issuer })}\n`);
  const stop = () => idp.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
