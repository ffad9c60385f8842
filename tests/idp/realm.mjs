// One Keycloak-shaped realm backed by a real, certified OpenID Provider (panva/oidc-provider).
// server.mjs routes /realms/{name}/... (or /auth/realms/{name}/... in legacy mode) here with the
// prefix stripped from req.url, so oidc-provider derives Keycloak's endpoint URLs itself
// (../../shared/spec/test-idp.md 3.2).
//
// What this file adds on top of oidc-provider, each switchable for tests:
//   - Keycloak paths for every endpoint, a UMA2 discovery document (/.well-known/uma2-configuration)
//   - stable RSA keys generated at start-up (optionally with an x5c certificate), rotateKeys()
//   - an opaque-token resource (resource=urn:tollgate:opaque) for RFC 7662 introspection
//   - the device flow with Keycloak's "interval", optional slow_down, and approveDevice()
//   - the password grant (Keycloak has it; oidc-provider does not)
//   - an auto-approving interaction (login + consent) for the authorization code flow
//   - legacy mode: token_introspection_endpoint instead of introspection_endpoint
//   - plugins: { name, routes: { 'GET /path': handler }, match(method, path), hooks, setup(provider, realm) }
//     for further Keycloak features (uma.mjs: the uma-ticket grant, authz/protection/resource_set), see README.md.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

export const RS_AUDIENCE = 'tollgate-rs';
export const JWT_RESOURCE = 'urn:tollgate:rs';
export const OPAQUE_RESOURCE = 'urn:tollgate:opaque';

export const DEFAULT_CLIENTS = [
  {
    client_id: 'tollgate-cli',
    client_secret: 'cli-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'native',
    grant_types: ['client_credentials', 'refresh_token', 'password', 'authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
  },
  {
    client_id: 'tollgate-rs',
    client_secret: 'rs-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'tollgate-public',
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    grant_types: ['refresh_token', 'authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
  },
];

export const DEFAULT_USERS = {
  alice: { password: 'alice-password', name: 'Alice Example', email: 'alice@example.com' },
  bob: { password: 'bob-password', name: 'Bob Example', email: 'bob@example.com' },
};

const RS_SCOPES = 'openid profile email offline_access uma_protection api:read api:write';

// A fresh RS256 signing key as a private JWK. `x5c` (base64 DER certificates) is attached when
// given: oidc-provider publishes it in the JWKS.
export function makeSigningKey({ kid = `k-${randomUUID()}`, x5c, privateKey } = {}) {
  const key = privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = key.export({ format: 'jwk' });
  return { ...jwk, kid, alg: 'RS256', use: 'sig', ...(x5c ? { x5c } : {}) };
}

export async function createRealm({
  name = 'tollgate',
  issuer, // full issuer URL (server.mjs computes it)
  legacy = false,
  keys, // private JWKs; default: one generated key
  clients = DEFAULT_CLIENTS,
  users = DEFAULT_USERS,
  deviceInterval = 5,
  deviceCodeTtl = 600,
  accessTokenTtl = 300,
  plugins = [],
  Provider,
}) {
  let signingKeys = keys ?? [makeSigningKey()];
  const state = {
    slowDownNext: 0, // answer slow_down to this many next device polls
    lastPoll: new Map(),
  };
  const base = issuer;
  const routes = {
    authorization: '/protocol/openid-connect/auth',
    token: '/protocol/openid-connect/token',
    jwks: '/protocol/openid-connect/certs',
    introspection: '/protocol/openid-connect/token/introspect',
    revocation: '/protocol/openid-connect/revoke',
    userinfo: '/protocol/openid-connect/userinfo',
    end_session: '/protocol/openid-connect/logout',
    device_authorization: '/protocol/openid-connect/auth/device',
    code_verification: '/device',
  };

  const findAccount = async (_ctx, id) => {
    const u = users[id];
    if (!u) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: u.name, email: u.email, preferred_username: id }) };
  };

  function configuration() {
    return {
      clients,
      jwks: { keys: signingKeys },
      findAccount,
      routes,
      scopes: RS_SCOPES.split(' '),
      claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
      cookies: { keys: ['tollgate-test-cookie-key'] },
      interactions: { url: (_ctx, interaction) => `${new URL(base).pathname}/interaction/${interaction.uid}` },
      ttl: {
        AccessToken: accessTokenTtl,
        ClientCredentials: accessTokenTtl,
        DeviceCode: deviceCodeTtl,
        RefreshToken: 3600,
        Grant: 3600,
        Session: 3600,
        Interaction: 600,
        AuthorizationCode: 60,
        IdToken: 300,
      },
      expiresWithSession: async () => false,
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        deviceFlow: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async (ctx, _client, oneOf) => {
            if (oneOf) return oneOf;
            return ctx.oidc.params?.grant_type === 'client_credentials' ? JWT_RESOURCE : undefined;
          },
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx, resource) => {
            if (resource !== JWT_RESOURCE && resource !== OPAQUE_RESOURCE) {
              throw new Provider.errors.InvalidTarget();
            }
            return {
              audience: RS_AUDIENCE,
              scope: RS_SCOPES,
              accessTokenTTL: accessTokenTtl,
              accessTokenFormat: resource === OPAQUE_RESOURCE ? 'opaque' : 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
    };
  }

  // Keycloak's password grant (oidc-provider leaves ROPC out by design). Bad credentials get
  // Keycloak's 401 invalid_grant "Invalid user credentials" (uma-protocol.md 5).
  async function passwordGrant(ctx) {
    const { provider } = ctx.oidc;
    const { username, password, scope = 'openid' } = ctx.oidc.params;
    const user = users[username];
    if (!user || user.password !== password) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_grant', error_description: 'Invalid user credentials' };
      return;
    }
    const client = ctx.oidc.client;
    const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const at = new provider.AccessToken({ accountId: username, client, grantId, gty: 'password', scope });
    const accessToken = await at.save();
    const rt = new provider.RefreshToken({
      accountId: username, client, grantId, gty: 'password', scope, rotations: 0, expiresWithSession: false, authTime: Math.floor(Date.now() / 1000),
    });
    const refreshToken = await rt.save();
    ctx.body = { access_token: accessToken, expires_in: at.expiration, refresh_token: refreshToken, token_type: 'Bearer', scope };
  }

  function build() {
    const p = new Provider(issuer, configuration());
    p.registerGrantType('password', passwordGrant, ['username', 'password', 'scope']);
    // Keycloak-shaped responses on top of oidc-provider's.
    p.use(async (ctx, next) => {
      const isDevicePoll = ctx.method === 'POST' && ctx.path === routes.token;
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200 && legacy && ctx.body) {
        ctx.body.token_introspection_endpoint = ctx.body.introspection_endpoint;
        delete ctx.body.introspection_endpoint;
      }
      if (ctx.path === routes.device_authorization && ctx.status === 200 && ctx.body) {
        ctx.body.interval = deviceInterval; // Keycloak sends it; oidc-provider does not
      }
      if (isDevicePoll && ctx.status === 400 && ctx.body?.error === 'authorization_pending') {
        const client = ctx.oidc?.client?.clientId ?? '';
        const now = Date.now();
        const last = state.lastPoll.get(client);
        state.lastPoll.set(client, now);
        const tooFast = last !== undefined && now - last < deviceInterval * 1000 - 250;
        if (state.slowDownNext > 0 || tooFast) {
          if (state.slowDownNext > 0) state.slowDownNext -= 1;
          ctx.body = { error: 'slow_down', error_description: 'Slow down' };
        }
      }
    });
    for (const plugin of plugins) plugin.setup?.(p, realm);
    p.on('server_error', (_ctx, err) => console.error(`idp server_error: ${err.stack}`));
    return p;
  }

  const realm = {
    name,
    issuer,
    legacy,
    routes,
    state,
    clients, // the static client list (plugins authenticate clients themselves, as Keycloak does)
    users,
    accessTokenTtl,
    provider: null,
    get signingKeys() {
      return signingKeys;
    },
    // The public JWKS as served.
    publicJwks() {
      return { keys: signingKeys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub) };
    },
    // Key rotation: a new active key first, the old ones kept (as Keycloak keeps passive keys)
    // unless `dropOld`. Tokens issued afterwards carry the new kid.
    rotateKeys({ dropOld = false, key } = {}) {
      const fresh = key ?? makeSigningKey();
      signingKeys = dropOld ? [fresh] : [fresh, ...signingKeys];
      realm.provider = build();
      return fresh.kid;
    },
    // Approve a pending device authorization as `accountId` (the user typed the code and logged in).
    async approveDevice(userCode, accountId = 'alice') {
      const provider = realm.provider;
      const code = await provider.DeviceCode.findByUserCode(normalizeUserCode(userCode), { ignoreExpiration: true });
      if (!code) throw new Error(`no device code for user code ${userCode}`);
      const scope = code.params?.scope ?? 'openid';
      const grant = new provider.Grant({ accountId, clientId: code.clientId });
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      Object.assign(code, { accountId, grantId, scope, authTime: Math.floor(Date.now() / 1000) });
      await code.save();
    },
    async denyDevice(userCode) {
      const code = await realm.provider.DeviceCode.findByUserCode(normalizeUserCode(userCode), { ignoreExpiration: true });
      if (!code) throw new Error(`no device code for user code ${userCode}`);
      Object.assign(code, { error: 'access_denied', errorDescription: 'The end user denied the authorization request' });
      await code.save();
    },
    uma2Configuration() {
      const intro = legacy ? 'token_introspection_endpoint' : 'introspection_endpoint';
      return {
        issuer,
        authorization_endpoint: issuer + routes.authorization,
        token_endpoint: issuer + routes.token,
        [intro]: issuer + routes.introspection,
        end_session_endpoint: issuer + routes.end_session,
        jwks_uri: issuer + routes.jwks,
        registration_endpoint: `${issuer}/clients-registrations/openid-connect`,
        grant_types_supported: ['authorization_code', 'refresh_token', 'password', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:uma-ticket'],
        response_types_supported: ['code'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        scopes_supported: RS_SCOPES.split(' '),
        resource_registration_endpoint: `${issuer}/authz/protection/resource_set`,
        permission_endpoint: `${issuer}/authz/protection/permission`,
        policy_endpoint: `${issuer}/authz/protection/uma-policy`,
      };
    },
    // Handle a request whose req.url has the realm prefix stripped (req.originalUrl keeps it).
    async handle(req, res) {
      const path = req.url.split('?')[0];
      const route = `${req.method} ${path}`;
      for (const plugin of plugins) {
        // Exact routes first, then the plugin's own matcher (paths with an id in them).
        const handler = plugin.routes?.[route] ?? plugin.match?.(req.method, path);
        if (handler) return handler(req, res, realm);
      }
      if (route === 'GET /.well-known/uma2-configuration') {
        return sendJson(res, 200, realm.uma2Configuration());
      }
      if (req.method === 'GET' && path.startsWith('/interaction/')) {
        return autoApprove(req, res);
      }
      return realm.provider.callback()(req, res);
    },
  };

  // The authorization code flow's interaction: log in as ?login_hint (default alice) and consent
  // to everything asked, at once, like a user clicking through.
  async function autoApprove(req, res) {
    const provider = realm.provider;
    try {
      const details = await provider.interactionDetails(req, res);
      const accountId = users[details.params.login_hint] ? details.params.login_hint : 'alice';
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope ?? 'openid');
      if (details.params.resource) grant.addResourceScope(details.params.resource, details.params.scope ?? '');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (e) {
      sendJson(res, 400, { error: 'interaction_failed', error_description: String(e.message ?? e) });
    }
  }

  realm.provider = build();
  return realm;
}

// oidc-provider stores user codes upper-cased without separators (helpers/user_codes.js).
function normalizeUserCode(code) {
  return String(code).toUpperCase().replace(/\W/g, '');
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
