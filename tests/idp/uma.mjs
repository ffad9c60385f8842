// Keycloak Authorization Services for the test IdP: the uma-ticket grant, the Protection API's
// resource lookup and RPT introspection, answering with Keycloak's own statuses and bodies
// (../../shared/spec/uma-protocol.md §2-§4, §6.2). One resource server, `tollgate-rs`, with the
// resource/policy table below; tests import the table instead of repeating names.
//
//   import { umaPlugin, RESOURCES, grantedScopes } from '../idp/uma.mjs';
//   const uma = umaPlugin();
//   const idp = await startIdp({ plugins: [uma] });
//   const token = await uma.accessToken('alice');           // an opaque access token of the realm
//   uma.log.at(-1).permissions;                             // the permission values as received
//   uma.state.failNext = 1;                                 // next uma-ticket request: HTTP 500
//   uma.state.hang = { ms: 3000, count: 1 };                // next request waits 3 s first
//
// Everything is answered from routes that run before oidc-provider (its client authentication
// rejects Keycloak's Bearer-authenticated UMA requests), so this file authenticates clients and
// validates tokens itself: opaque tokens through the provider's own store, JWTs (oidc-provider's
// at+jwt tokens, the RPTs issued here) by signature against the realm keys.
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { posix } from 'node:path';
import { sendJson } from './realm.mjs';

export const UMA_GRANT = 'urn:ietf:params:oauth:grant-type:uma-ticket';
export const CLAIM_FORMAT_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const CLAIM_FORMAT_ID_TOKEN = 'http://openid.net/specs/openid-connect-core-1_0.html#IDToken';
export const RPT_HINT = 'requesting_party_token';

// Clients of the default realm in the roles the UMA tests need.
export const RESOURCE_SERVER = 'tollgate-rs'; // Authorization enabled
export const PLAIN_CLIENT = 'tollgate-cli'; // exists, Authorization not enabled; has a service account
export const PUBLIC_CLIENT = 'tollgate-public'; // public: may not push claims
export const serviceAccount = (clientId) => `service-account-${clientId}`;

// A stable UUID per name (Keycloak ids are UUIDs; tests can address resources by id).
export function idOf(name) {
  const h = createHash('sha256').update(`tollgate-rs/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Every scope of the resource server (Keycloak looks requested scope names up RS-wide). `audit`
// belongs to no resource: `#audit` is a scope-only permission.
export const SCOPES = ['view', 'edit', 'read', 'write', 'GET', 'POST', 'DELETE', 'audit'];

// The resources of tollgate-rs (all owned by the resource server). uris cover Keycloak's
// PathMatcher forms: exact, template, trailing wildcard, suffix.
export const RESOURCES = [
  { name: 'Resource A', type: 'urn:tollgate-rs:resources:document', uris: ['/api/a'], scopes: ['view', 'edit'] },
  { name: 'Orders', type: 'urn:tollgate-rs:resources:order', uris: ['/api/orders/{id}'], scopes: ['GET', 'POST', 'DELETE'] },
  { name: 'Order Index', type: 'urn:tollgate-rs:resources:order', uris: ['/api/orders'], scopes: ['GET', 'POST'] },
  { name: 'Reports', type: 'urn:tollgate-rs:resources:report', uris: ['/api/reports/*'], scopes: ['read', 'write', 'GET'] },
  { name: 'Invoices', type: 'urn:tollgate-rs:resources:invoice', uris: ['/api/invoices/{id}/lines'], scopes: ['view', 'edit'] },
  { name: 'pay-slips', type: 'urn:tollgate-rs:resources:document', uris: ['/api/pay-slips'], scopes: ['view'] },
  { name: 'Archive', type: 'urn:tollgate-rs:resources:archive', uris: ['/archive/*.pdf'], scopes: ['view'] },
  { name: 'Health', type: 'urn:tollgate-rs:resources:probe', uris: ['/health'], scopes: [] },
].map((r) => Object.freeze({ ...r, id: idOf(r.name) }));

// Who gets what. A policy applies when the caller is in `users` ('*': anyone; absent: anyone) and
// every `claims` entry is among the pushed claims. `scopes` absent: the whole resource (a
// resource-based permission, all its scopes); `resource` absent: those scopes on any resource and
// as scope-only permissions.
export const POLICIES = [
  { resource: 'Resource A', scopes: ['view'], users: ['alice', 'bob'] },
  { resource: 'Resource A', scopes: ['edit'], users: ['bob'] },
  { resource: 'Orders', scopes: ['GET'], users: ['alice', 'bob', serviceAccount(PLAIN_CLIENT)] },
  { resource: 'Orders', scopes: ['POST'], users: ['alice'] },
  { resource: 'Orders', scopes: ['DELETE'], claims: { department: 'finance' } },
  { resource: 'Order Index', scopes: ['GET'], users: ['alice', 'bob'] },
  { resource: 'Reports', users: ['bob'] },
  { resource: 'Reports', scopes: ['read'], users: ['alice'] },
  { resource: 'Invoices', scopes: ['view'], claims: { department: 'finance' } },
  { resource: 'Invoices', scopes: ['edit'], users: ['bob'], claims: { ip: '10.0.0.1' } },
  { resource: 'pay-slips', scopes: ['view'], users: ['alice'] },
  { resource: 'Archive', scopes: ['view'], users: ['alice'] },
  { resource: 'Health', users: '*' },
  { scopes: ['audit'], users: ['bob'] },
];

const byId = new Map(RESOURCES.map((r) => [r.id, r]));
const byName = new Map(RESOURCES.map((r) => [r.name, r]));
const scopeSet = new Set(SCOPES);
const scopeId = (name) => idOf(`scope:${name}`);

// The table row for a resource name or id.
export function resource(nameOrId) {
  return byName.get(nameOrId) ?? byId.get(nameOrId);
}

function claimValues(claims, name) {
  const v = claims?.[name];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function applies(policy, subject, claims) {
  if (policy.users !== undefined && policy.users !== '*' && !policy.users.includes(subject)) return false;
  return Object.entries(policy.claims ?? {}).every(([k, want]) => claimValues(claims, k).includes(want));
}

// Evaluate one permission as Keycloak would: the scopes of `scopes` that policies grant on
// resource `res` (a table row, or null for a scope-only permission). An empty `scopes` on a resource
// asks for the resource itself. Returns the granted scope list, or null when nothing is granted.
function evaluate(subject, claims, res, scopes) {
  const live = POLICIES.filter((p) => applies(p, subject, claims));
  if (res === null) {
    const granted = scopes.filter((s) => live.some((p) => p.resource === undefined && p.scopes?.includes(s)));
    return granted.length ? granted : null;
  }
  const whole = live.some((p) => p.resource === res.name && p.scopes === undefined);
  if (scopes.length === 0) return whole ? [] : null;
  if (whole) return [...scopes];
  const granted = scopes.filter((s) => live.some((p) => (p.resource === res.name || p.resource === undefined) && p.scopes?.includes(s)));
  return granted.length ? granted : null;
}

// What the fixture grants, for tests computing their expectations from the table: the scopes of
// `scopes` (default: all of the resource's) that `subject` gets on resource `nameOrId` (null: a
// scope-only permission) with pushed `claims`, or null when nothing. Unknown scopes are ignored.
export function grantedScopes(subject, nameOrId, scopes, claims = {}) {
  const res = nameOrId === null ? null : resource(nameOrId);
  if (nameOrId !== null && !res) return null;
  const asked = (scopes ?? (res ? res.scopes : [])).filter((s) => (res ? res.scopes.includes(s) : scopeSet.has(s)));
  if (scopes && scopes.length && !asked.length) return null;
  return evaluate(subject, claims, res, asked);
}

// Keycloak's PathMatcher (common/src/main/java/org/keycloak/common/util/PathMatcher.java, §6.2),
// ported with its quirks: candidates in iteration order, a non-template match wins at once only
// while no template has matched, and templates replace each other on "more segments OR fewer {".
// `entries` are [pattern, value] pairs; returns the value or null.
export function pathMatch(entries, targetUri) {
  const target = normalizeUri(targetUri);
  if (target === null) return null;
  let patternCount = 0;
  let bracketsPatternCount = 0;
  let matchingPath = null;
  let matchingAnyPath = null;
  let matchingAnySuffixPath = null;
  for (const entry of entries) {
    const expected = entry[0];
    if (!expected) continue;
    let matchingUri = null;
    if (exactMatch(expected, target)) matchingUri = expected;
    if (expected.includes('{')) {
      const templateUri = buildUriFromTemplate(expected, target);
      if (templateUri !== null) {
        const length = javaSplit(expected, '/').length;
        const bracketsLength = javaSplit(expected, '{').length;
        if (exactMatch(templateUri, target) && (patternCount === 0 || length > patternCount || bracketsLength < bracketsPatternCount)) {
          matchingUri = templateUri;
          patternCount = length;
          bracketsPatternCount = bracketsLength;
        }
      }
    }
    if (matchingUri !== null) {
      let path = expected;
      let i = path.indexOf('/*');
      if (i !== -1) path = path.slice(0, i);
      i = path.indexOf('{');
      if (i !== -1) path = path.slice(0, i);
      if (path === '') path = '/';
      if (matchingUri === target || path === target) {
        if (patternCount === 0) return entry[1];
        matchingPath = entry;
      }
      if (expected.endsWith('*')) {
        if (matchingAnyPath === null || javaSplit(matchingAnyPath[0], '/').length < javaSplit(matchingUri, '/').length) matchingAnyPath = entry;
      } else {
        const suffixIndex = expected.indexOf('*.');
        if (suffixIndex !== -1 && target.endsWith(expected.slice(suffixIndex + 1))) matchingAnySuffixPath = entry;
      }
    }
  }
  return (matchingPath ?? matchingAnySuffixPath ?? matchingAnyPath)?.[1] ?? null;
}

function exactMatch(expected, target) {
  if (target === expected) return true;
  if (expected.endsWith('*')) {
    const root = expected.slice(0, -1);
    if (target.startsWith(root)) return true;
    return target === root.slice(0, -1);
  }
  const i = expected.indexOf('/*.');
  if (i !== -1) return target.endsWith(expected.slice(i + 2));
  return false;
}

function buildUriFromTemplate(template, target) {
  let uri = template;
  let expected = template;
  const start = expected.indexOf('{');
  if (expected.endsWith('/*')) expected = expected.slice(0, -2);
  if (start === -1 || start >= target.length) return null;
  if (javaSplit(expected, '/').length > javaSplit(target, '/').length) return null;
  if (target.slice(0, start) !== expected.slice(0, start)) return null;
  const chars = [...expected.slice(0, start)];
  const out = new Array(target.length);
  for (let k = 0; k < chars.length; k++) out[k] = chars[k];
  let last = chars.length;
  const params = javaSplit(target.slice(start), '/');
  let paramIndex = 0;
  let lastPattern = 0;
  for (let i = start; i < expected.length; i++) {
    if (last >= out.length) break;
    const c = expected[i];
    if (c === '{' || c === '*') {
      for (let k = paramIndex; k <= (c === '*' ? params.length : paramIndex); k++) {
        if (k === params.length) break;
        const value = params[k];
        if (last + value.length > out.length) return null;
        for (const ch of value) out[last++] = ch;
        if (c === '{') {
          const open = uri.indexOf('{', lastPattern);
          const close = uri.indexOf('}', lastPattern);
          if (open === -1 || close === -1 || close < open) return null;
          if (uri.slice(open + 1, close).includes('/')) return null;
          uri = uri.slice(0, open) + value + uri.slice(close + 1);
        }
        if (value.endsWith('}')) lastPattern = uri.indexOf(value) + value.length;
        if (c === '*' && last < out.length) out[last++] = '/';
      }
      if (c === '{') i = expected.indexOf('}', i);
    } else {
      if (c === '/') paramIndex += 1;
      out[last++] = c;
    }
  }
  return uri;
}

// The target normalization of newer Keycloak (PathMatcher.normalizeUri): no query or fragment, no
// ;matrix parameters, percent-decoded, no // or dot segments, no trailing slash.
function normalizeUri(uri) {
  if (uri === null || uri === undefined) return null;
  let s = String(uri);
  const q = s.search(/[?#]/);
  if (q !== -1) s = s.slice(0, q);
  const strip = (x) => x.split('/').map((seg) => seg.split(';')[0]).join('/');
  s = strip(s);
  try {
    s = decodeURIComponent(s);
  } catch {
    return null;
  }
  s = strip(s).replace(/\/{2,}/g, '/');
  if (s.startsWith('/')) s = posix.normalize(s);
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

// Java's String.split with a literal one-character separator: trailing empty strings dropped, and
// "" splits into [""].
function javaSplit(s, sep) {
  if (s === '') return [''];
  const parts = s.split(sep);
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

// Java's Set.toString: "[a, b]".
const javaSet = (items) => `[${[...items].join(', ')}]`;

class KcError extends Error {
  constructor(status, error, description) {
    super(description ?? error);
    this.status = status;
    this.body = description === undefined ? { error } : { error, error_description: description };
  }
}
const fail = (status, error, description) => {
  throw new KcError(status, error, description);
};

function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new KcError(413, 'invalid_request', 'request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
const now = () => Math.floor(Date.now() / 1000);

export function umaPlugin({ resourceServer = RESOURCE_SERVER, rptTtl } = {}) {
  let realm = null;
  const log = [];
  const state = { failNext: 0, hang: { ms: 0, count: 0 } };
  const tokenCache = new Map(); // token string -> { info | null, until (ms) }
  let keyCache = { keys: null, pub: new Map(), priv: new Map() };

  function keys() {
    if (keyCache.keys !== realm.signingKeys) keyCache = { keys: realm.signingKeys, pub: new Map(), priv: new Map() };
    return keyCache;
  }
  function publicKey(kid) {
    const kc = keys();
    if (!kc.pub.has(kid)) {
      const jwk = kc.keys.find((k) => k.kid === kid);
      kc.pub.set(kid, jwk ? createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }) : null);
    }
    return kc.pub.get(kid);
  }
  function signJwt(payload) {
    const kc = keys();
    const jwk = kc.keys[0];
    if (!kc.priv.has(jwk.kid)) kc.priv.set(jwk.kid, createPrivateKey({ key: jwk, format: 'jwk' }));
    const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${nodeSign('sha256', Buffer.from(input), kc.priv.get(jwk.kid)).toString('base64url')}`;
  }
  // The payload of a JWT signed by one of the realm keys and issued by this realm, else null.
  // Expiry is not checked here.
  function verifyJwt(token) {
    if (typeof token !== 'string') return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const header = b64json(parts[0]);
      const payload = b64json(parts[1]);
      if (header.alg !== 'RS256' || typeof payload !== 'object' || payload === null) return null;
      const key = publicKey(header.kid);
      if (!key) return null;
      if (!nodeVerify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'))) return null;
      if (payload.iss !== realm.issuer) return null;
      return payload;
    } catch {
      return null;
    }
  }
  const client = (id) => realm.clients.find((c) => c.client_id === id);
  const isPublic = (c) => !c?.client_secret || c.token_endpoint_auth_method === 'none';

  // Validate an access token of this realm: { subject, clientId, aud, session, exp } or null.
  // Cached per token string (the batch test asks 10 000 times with a few tokens); expiry is
  // re-checked on every use.
  async function lookupToken(token) {
    const t = Date.now();
    const hit = tokenCache.get(token);
    if (hit && (hit.info === null || hit.info.exp * 1000 > t)) return hit.info;
    let info = null;
    const jwt = verifyJwt(token);
    if (jwt) {
      const cid = jwt.azp ?? jwt.client_id;
      const isRefresh = jwt.typ === 'Refresh';
      if (!isRefresh && typeof jwt.exp === 'number' && jwt.exp > now() && typeof jwt.sub === 'string' && cid) {
        const machine = jwt.sub === jwt.client_id && !realm.users[jwt.sub];
        info = { subject: machine ? serviceAccount(cid) : jwt.sub, clientId: cid, aud: [].concat(jwt.aud ?? []), session: !machine && !jwt.sub.startsWith('service-account-'), exp: jwt.exp };
      }
    } else if (!token.includes('.')) {
      const provider = realm.provider;
      const at = await provider.AccessToken.find(token);
      if (at && at.accountId) {
        info = { subject: at.accountId, clientId: at.clientId, aud: [].concat(at.aud ?? []), session: true, exp: at.exp };
      } else {
        const cc = await provider.ClientCredentials.find(token);
        if (cc) info = { subject: serviceAccount(cc.clientId), clientId: cc.clientId, aud: [].concat(cc.aud ?? []), session: false, exp: cc.exp };
      }
    }
    if (tokenCache.size > 10000) tokenCache.clear();
    tokenCache.set(token, { info });
    if (info && info.exp * 1000 <= t) return null;
    return info;
  }

  function bearerOf(req) {
    const h = req.headers.authorization;
    if (!h || !h.toLowerCase().startsWith('bearer')) return undefined;
    const parts = h.trim().split(/\s+/);
    return parts.length === 2 ? parts[1] : null;
  }

  // Keycloak's client authentication: Basic or client_id/client_secret in the form, for any client;
  // a public client authenticates with its id alone. null when it fails.
  function authenticateClient(req, form) {
    let id = null;
    let secret = null;
    const h = req.headers.authorization;
    if (h && /^basic\s/i.test(h)) {
      const decoded = Buffer.from(h.trim().split(/\s+/)[1] ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      try {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        return null;
      }
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
    }
    const c = id === null ? undefined : client(id);
    if (!c) return null;
    if (isPublic(c)) return c;
    return secret === c.client_secret ? c : null;
  }

  async function waitHooks(res) {
    if (state.hang.count > 0 && state.hang.ms > 0) {
      state.hang.count -= 1;
      await new Promise((r) => setTimeout(r, state.hang.ms).unref());
    }
    return !res.destroyed && !res.socket?.destroyed;
  }

  // ---- the uma-ticket grant -------------------------------------------------------------------

  async function umaGrant(req, form) {
    const entry = { time: Date.now(), auth: null, client: null, subject: null, audience: form.get('audience'), permissions: form.getAll('permission'), response_mode: form.get('response_mode'), form: [...form], status: 0 };
    log.push(entry);
    try {
      const r = await authorize(req, form, entry);
      entry.status = 200;
      return r;
    } catch (e) {
      if (!(e instanceof KcError)) {
        console.error(`uma fixture: ${e.stack}`);
        e = new KcError(500, 'server_error', 'Unexpected error while evaluating permissions');
      }
      entry.status = e.status;
      entry.error = e.body.error;
      throw e;
    }
  }

  async function authorize(req, form, entry) {
    if (state.failNext > 0) {
      state.failNext -= 1;
      fail(500, 'server_error', 'Unexpected error while evaluating permissions');
    }
    // PermissionGrantType.process: who is asking.
    let sessionClient;
    let identity = null; // known identity (Bearer, service account)
    let subjectTokenString = null; // token to resolve into the identity later
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      entry.auth = 'bearer';
      const info = bearer ? await lookupToken(bearer) : null;
      if (!info) fail(401, 'invalid_grant', 'Invalid bearer token');
      identity = info;
      sessionClient = client(info.clientId);
    }
    const claimToken = form.has('claim_token') ? form.get('claim_token') : null;
    let claimFormat = form.get('claim_token_format');
    if (claimToken !== null && claimFormat === null) claimFormat = CLAIM_FORMAT_ID_TOKEN;
    let idTokenIdentity = false;
    if (bearer === undefined) {
      entry.auth = 'client';
      sessionClient = authenticateClient(req, form);
      if (!sessionClient) fail(401, 'invalid_client', 'Invalid client or Invalid client credentials');
      if (claimFormat !== null && claimFormat.toLowerCase() === CLAIM_FORMAT_ID_TOKEN.toLowerCase()) {
        idTokenIdentity = true;
        subjectTokenString = claimToken;
      } else if (form.get('subject_token') !== null) {
        subjectTokenString = form.get('subject_token');
      } else {
        // Keycloak runs a client_credentials grant inside and evaluates for the service account.
        if (isPublic(sessionClient)) fail(401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
        if (!sessionClient.grant_types?.includes('client_credentials')) fail(401, 'unauthorized_client', 'Client not enabled to retrieve service account');
        identity = { subject: serviceAccount(sessionClient.client_id), clientId: sessionClient.client_id, aud: [], session: false };
      }
    }
    entry.client = sessionClient?.client_id ?? null;
    let rpt = null;
    if (form.get('rpt') !== null) {
      rpt = verifyJwt(form.get('rpt'));
      if (!rpt) fail(403, 'invalid_rpt', 'RPT signature is invalid');
    }
    const requested = parsePermissions(form); // id format; uri format is resolved below

    // AuthorizationTokenService.authorize.
    if (claimToken !== null && isPublic(sessionClient) && form.get('ticket') === null) {
      fail(403, 'invalid_grant', 'Public clients are not allowed to send claims');
    }
    if (form.get('ticket') !== null) fail(403, 'invalid_ticket', 'Ticket verification failed'); // no tickets are issued here
    const audience = form.get('audience');
    if (audience === null) fail(400, 'invalid_request', 'You must provide the issuedFor');
    if (!client(audience)) fail(400, 'invalid_request', `Unknown resource server id: [${audience}]`);
    if (audience !== resourceServer) fail(400, 'invalid_request', 'Client does not support permissions');

    // createEvaluationContext: the claim token format decides how the identity is read.
    const format = claimFormat ?? CLAIM_FORMAT_JWT;
    if (format !== CLAIM_FORMAT_JWT && format !== CLAIM_FORMAT_ID_TOKEN) fail(400, 'invalid_request', `Claim token format [${format}] not supported`);
    let claims = {};
    if (format === CLAIM_FORMAT_JWT) {
      if (claimToken !== null) {
        try {
          claims = JSON.parse(Buffer.from(claimToken.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'));
        } catch {
          claims = null;
        }
        if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) fail(400, 'invalid_request', 'Invalid claims');
      }
      if (!identity) {
        const info = subjectTokenString ? await lookupToken(subjectTokenString) : null;
        if (!info) fail(400, 'unauthorized_client', 'Invalid identity');
        identity = info;
      }
    } else if (!identity || idTokenIdentity) {
      // The ID-token format: the claim token (or subject token) is the identity; claims ignored.
      if (subjectTokenString === null) fail(400, 'invalid_request', 'Subject token can not be null and must be a valid ID or Access Token');
      const idt = verifyJwt(subjectTokenString);
      if (!idt || !(idt.exp > now()) || typeof idt.sub !== 'string') fail(400, 'unauthorized_client', 'Invalid signature');
      identity = { subject: idt.sub, clientId: idt.azp ?? [].concat(idt.aud)[0], aud: [].concat(idt.aud ?? []), session: true, exp: idt.exp };
    }
    entry.subject = identity.subject;

    // The permissions to evaluate.
    const format2 = form.get('permission_resource_format') ?? 'id';
    let perms = requested;
    if (format2 === 'uri') perms = permissionsByUri(form);
    else if (format2 !== 'id') perms = [];
    const limitRaw = form.get('response_permissions_limit');
    const limit = limitRaw !== null && /^-?\d+$/.test(limitRaw) ? Number(limitRaw) : null;
    const toEvaluate = perms.length === 0 && !rpt ? entitlement() : createPermissions(perms, form.get('scope'), limit, rpt);

    const includeName = form.get('response_include_resource_name') === null || form.get('response_include_resource_name').toLowerCase() === 'true';
    const results = [];
    for (const p of toEvaluate.values()) {
      const granted = evaluate(identity.subject, claims, p.resource, p.scopes);
      if (granted === null) continue;
      const out = {};
      if (p.resource) {
        out.rsid = p.resource.id;
        if (includeName) out.rsname = p.resource.name;
      }
      if (granted.length) out.scopes = granted;
      results.push(out);
    }

    // isGranted: with an rpt, every requested permission must be among the granted ones.
    let granted = results.length > 0;
    if (rpt && perms.length > 0 && perms.some((p) => !results.some((g) => permissionEquals({ rsid: p.resolvedId ?? p.rid, scopes: [...p.scopes] }, g)))) granted = false;
    if (!granted) fail(403, 'access_denied', form.get('submit_request') !== 'false' && form.get('ticket') !== null ? 'request_submitted' : 'not_authorized');

    const mode = form.get('response_mode');
    if (mode !== null) {
      if (mode === 'decision') return { result: true };
      if (mode === 'permissions') return results;
      fail(400, 'invalid_request', 'Invalid response_mode');
    }
    return rptResponse(identity, results, rpt);
  }

  // PermissionGrantType: "RES#S1,S2" split on '#' then ',' (Java split, nothing trimmed); repeated
  // values for one resource merge (AuthorizationRequest.addPermission); "#s" is scope-only.
  function parsePermissions(form) {
    const out = [];
    for (const value of form.getAll('permission')) {
      const parts = javaSplit(value, '#');
      if (parts.length === 0) throw new Error(`permission "${value}": index 0 out of bounds for length 0`); // KC: 500
      const rid = parts[0].trim() === '' ? null : parts[0];
      const scopes = parts.length === 1 ? [] : javaSplit(parts[1], ',');
      add(out, rid, scopes, parts.length > 1);
    }
    return out;
  }
  function add(out, rid, scopes, hadScopes) {
    const existing = rid === null ? undefined : out.find((p) => p.rid === rid);
    if (existing) {
      for (const s of scopes) existing.scopes.add(s);
      existing.hadScopes ||= hadScopes;
    } else out.push({ rid, scopes: new Set(scopes), hadScopes });
  }

  // permission_resource_format=uri: RESOURCE is a URI among the resources' uris, with
  // permission_resource_matching_uri=true falling back to PathMatcher.
  function permissionsByUri(form) {
    const matching = (form.get('permission_resource_matching_uri') ?? '').toLowerCase() === 'true';
    const out = [];
    for (const value of form.getAll('permission')) {
      const parts = javaSplit(value, '#');
      if (parts.length === 0) throw new Error('index 0 out of bounds');
      const uri = parts[0];
      const scopes = parts.length === 1 ? [] : javaSplit(parts[1], ',');
      if (uri.trim() === '') {
        if (parts.length === 1) fail(400, 'invalid_request', 'You must provide the uri');
        add(out, null, scopes, true);
        return out; // Keycloak returns here: later permission values are ignored
      }
      let found = RESOURCES.filter((r) => r.uris.includes(uri));
      if (!found.length && matching) {
        const m = pathMatch(RESOURCES.flatMap((r) => r.uris.map((u) => [u, r])), uri);
        found = m ? [m] : [];
      }
      if (!found.length) fail(400, 'invalid_resource', `Resource with uri [${uri}] does not exist.`);
      for (const r of found) add(out, r.id, scopes, parts.length > 1);
    }
    return out;
  }

  function resolveResources(rid) {
    if (rid.includes('-') && byId.has(rid)) return [byId.get(rid)];
    for (const prefix of ['resource-type:', 'resource-type-any:', 'resource-type-instance:', 'resource-type-owner:']) {
      if (rid.startsWith(prefix)) {
        const type = rid.slice(prefix.length);
        // Every resource here is owned by the resource server: no instances, none owned by users.
        return prefix === 'resource-type:' || prefix === 'resource-type-any:' ? RESOURCES.filter((r) => r.type === type) : [];
      }
    }
    return byName.has(rid) ? [byName.get(rid)] : [];
  }

  // AuthorizationTokenService.createPermissions, current Keycloak: scopes resolved (RS-wide) before
  // the resource; an unknown resource is an error only while nothing has resolved yet.
  function createPermissions(perms, extraScope, limit, rpt) {
    const map = new Map();
    let left = limit;
    const put = (key, res, scopes) => {
      const cur = map.get(key);
      if (cur) {
        for (const s of scopes) if (!cur.scopes.includes(s)) cur.scopes.push(s);
        return true;
      }
      if (left !== null && left <= 0) return false;
      map.set(key, { resource: res, scopes: [...scopes] });
      if (left !== null) left -= 1;
      return true;
    };
    for (const p of perms) {
      if (left !== null && left <= 0) break;
      const asked = [...p.scopes, ...(extraScope !== null ? extraScope.split(' ') : [])];
      const known = [...new Set(asked.filter((s) => scopeSet.has(s)))];
      if (asked.length && !known.length) fail(400, 'invalid_scope', `One of the given scopes ${p.hadScopes ? javaSet(p.scopes) : 'null'} is invalid`);
      if (p.rid !== null) {
        const found = resolveResources(p.rid);
        let added = false;
        for (const r of found) {
          const scopes = known.length ? known.filter((s) => r.scopes.includes(s)) : r.scopes;
          if (known.length && !scopes.length) continue; // none of the asked scopes is the resource's
          if (put(r.id, r, scopes)) added = true;
          if (!p.rid.startsWith('resource-type')) p.resolvedId = r.id;
        }
        if (!added && map.size === 0) fail(400, 'invalid_resource', `Resource with id [${p.rid}] does not exist.`);
      } else {
        const withScope = RESOURCES.filter((r) => known.some((s) => r.scopes.includes(s)));
        if (withScope.length) for (const r of withScope) put(r.id, r, known.filter((s) => r.scopes.includes(s)));
        else for (const s of known) put(`scope:${s}`, null, [s]);
      }
    }
    // The previous RPT's permissions are evaluated again when it is still active.
    if (rpt && rpt.exp > now()) {
      for (const old of rpt.authorization?.permissions ?? []) {
        const r = byId.get(old.rsid);
        if (!r) continue;
        if (!map.has(r.id) && !put(r.id, r, [])) continue;
        const cur = map.get(r.id);
        for (const s of old.scopes ?? []) if (scopeSet.has(s) && !cur.scopes.includes(s)) cur.scopes.push(s);
      }
    }
    return map;
  }

  function entitlement() {
    return new Map(RESOURCES.map((r) => [r.id, { resource: r, scopes: [...r.scopes] }]));
  }

  // core Permission.equals: same resource (or both none) and either both without scopes or one
  // scope of `b` among `a`'s.
  function permissionEquals(a, b) {
    if (a.rsid !== undefined && a.rsid !== null) {
      if (a.rsid !== b.rsid) return false;
      if (!a.scopes?.length && !b.scopes?.length) return true;
    } else if (b.rsid !== undefined) return false;
    return (b.scopes ?? []).some((s) => (a.scopes ?? []).includes(s));
  }

  function rptResponse(identity, permissions, previous) {
    const t = now();
    const ttl = rptTtl ?? realm.accessTokenTtl ?? 300;
    const aud = [...new Set([...(identity.aud ?? []), resourceServer])];
    const sessionState = identity.session ? randomUUID() : undefined;
    const payload = {
      exp: t + ttl,
      iat: t,
      jti: randomUUID(),
      iss: realm.issuer,
      aud: aud.length === 1 ? aud[0] : aud,
      sub: identity.subject,
      typ: 'Bearer',
      azp: identity.clientId,
      ...(sessionState ? { session_state: sessionState, sid: sessionState } : {}),
      acr: '1',
      authorization: { permissions },
      scope: 'openid profile email',
    };
    const body = { access_token: signJwt(payload), expires_in: ttl };
    if (identity.session) {
      body.refresh_expires_in = 1800;
      body.refresh_token = signJwt({ exp: t + 1800, iat: t, jti: randomUUID(), iss: realm.issuer, aud: realm.issuer, sub: identity.subject, typ: 'Refresh', azp: identity.clientId, session_state: sessionState, authorization: { permissions } });
    } else body.refresh_expires_in = 0;
    body.token_type = 'Bearer';
    body['not-before-policy'] = 0;
    const old = previous?.authorization?.permissions;
    body.upgraded = !!previous && (old ?? []).every((o) => permissions.some((n) => permissionEquals(o, n)));
    return body;
  }

  // ---- routes -----------------------------------------------------------------------------------

  async function tokenRoute(req, res, r) {
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== UMA_GRANT) {
      req.body = raw; // oidc-provider reads an already consumed body from req.body
      return r.provider.callback()(req, res);
    }
    if (!(await waitHooks(res))) return undefined;
    try {
      return sendJson(res, 200, await umaGrant(req, form), { 'cache-control': 'no-store' });
    } catch (e) {
      return sendJson(res, e.status, e.body, { 'cache-control': 'no-store' });
    }
  }

  // Protection API identity (ProtectionService.createIdentity): a PAT of the resource server.
  async function protectionIdentity(req) {
    const tok = bearerOf(req);
    const info = tok ? await lookupToken(tok) : null;
    if (!info) fail(403, 'invalid_bearer_token', 'Could not obtain bearer access_token from request.');
    if (!client(info.clientId)) fail(400, 'invalid_clientId', `Client application with id [${info.clientId}] does not exist in realm [${realm.name}]`);
    if (info.clientId !== resourceServer) fail(403, 'invalid_clientId', `Client application [${info.clientId}] is not registered as a resource server.`);
    if (info.subject !== serviceAccount(resourceServer)) fail(403, 'invalid_scope', 'Requires uma_protection scope.');
    return info;
  }

  const owner = () => ({ id: idOf(`client:${resourceServer}`), name: resourceServer });
  const scopeObjects = (r) => r.scopes.map((s) => ({ id: scopeId(s), name: s }));
  const adminForm = (r) => ({ name: r.name, type: r.type, owner: owner(), ownerManagedAccess: false, attributes: {}, _id: r.id, uris: [...r.uris], scopes: scopeObjects(r) });
  const umaForm = (r) => ({ name: r.name, type: r.type, owner: owner(), ownerManagedAccess: false, attributes: {}, _id: r.id, uris: [...r.uris], resource_scopes: scopeObjects(r) });

  // GET resource_set (ResourceService.find, §4.2).
  function findResources(q) {
    const truthy = (k) => (q.get(k) ?? '').toLowerCase() === 'true';
    const lower = (k) => q.get(k)?.toLowerCase();
    const first = Math.max(0, Number.parseInt(q.get('first') ?? '0', 10) || 0);
    const maxRaw = Number.parseInt(q.get('max') ?? '100', 10);
    const max = Number.isNaN(maxRaw) || maxRaw < 0 ? 100 : maxRaw;
    let list = RESOURCES;
    if (q.get('_id') !== null) list = list.filter((r) => r.id === q.get('_id'));
    if (q.get('name') !== null) list = list.filter((r) => (truthy('exactName') ? r.name.toLowerCase() === lower('name') : r.name.toLowerCase().includes(lower('name'))));
    if (q.get('uri') !== null) list = list.filter((r) => r.uris.some((u) => u.toLowerCase() === lower('uri')));
    if (q.get('owner') !== null) list = [resourceServer, owner().id].includes(q.get('owner')) ? list : [];
    if (q.get('type') !== null) list = list.filter((r) => r.type.toLowerCase().includes(lower('type')));
    if (q.get('scope') !== null) list = list.filter((r) => r.scopes.includes(q.get('scope')));
    list = list.slice(first, first + max);
    if (truthy('matchingUri') && q.get('uri') !== null && list.length === 0) {
      const candidates = RESOURCES.filter((r) => r.uris.length).slice(first, first + max);
      const m = pathMatch(candidates.flatMap((r) => r.uris.map((u) => [u, r])), q.get('uri'));
      list = m ? [m] : [];
    }
    return truthy('deep') ? list.map(adminForm) : list.map((r) => r.id);
  }

  async function resourceSetRoute(req, res) {
    if (!(await waitHooks(res))) return undefined;
    const url = new URL(req.url, 'http://x');
    log.push({ time: Date.now(), kind: 'resource_set', query: [...url.searchParams] });
    try {
      await protectionIdentity(req);
      const rest = url.pathname.slice('/authz/protection/resource_set'.length);
      if (rest === '' || rest === '/') return sendJson(res, 200, findResources(url.searchParams));
      const r = byId.get(decodeURIComponent(rest.slice(1)));
      if (!r) {
        res.writeHead(404, { 'content-length': 0 });
        return res.end();
      }
      return sendJson(res, 200, umaForm(r));
    } catch (e) {
      if (!(e instanceof KcError)) throw e;
      return sendJson(res, e.status, e.body);
    }
  }

  // Introspection with a hint other than access_token/refresh_token (TokenIntrospectionEndpoint +
  // RPTIntrospectionProvider); those two and no hint go to oidc-provider.
  async function introspectRoute(req, res, r) {
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    const hint = form.get('token_type_hint');
    if (hint === null || hint === 'access_token' || hint === 'refresh_token') {
      req.body = raw;
      return r.provider.callback()(req, res);
    }
    try {
      const c = authenticateClient(req, form);
      if (!c) fail(401, 'invalid_request', 'Authentication failed.');
      if (isPublic(c)) fail(403, 'invalid_request', 'Client not allowed.');
      const keys = [...form.keys()];
      if (new Set(keys).size !== keys.length) fail(400, 'invalid_request', 'duplicated parameter');
      const token = form.get('token');
      if (token === null) fail(400, 'invalid_request', 'Token not provided.');
      if (hint !== RPT_HINT) fail(400, 'invalid_request', 'Unsupported token type.');
      log.push({ time: Date.now(), kind: 'introspect', client: c.client_id });
      const p = verifyJwt(token);
      if (!p || !(p.exp > now()) || p.typ === 'Refresh') return sendJson(res, 200, { active: false });
      const meta = { jti: p.jti, exp: p.exp, iat: p.iat, ...(p.nbf ? { nbf: p.nbf } : {}), aud: p.aud, typ: p.typ, ...(p.acr ? { acr: p.acr } : {}) };
      if (p.authorization) {
        meta.permissions = (p.authorization.permissions ?? []).map((x) => ({
          ...(x.rsid ? { rsid: x.rsid } : {}),
          ...(x.rsname ? { rsname: x.rsname } : {}),
          ...(x.scopes?.length ? { scopes: x.scopes } : {}),
          ...(x.rsid ? { resource_id: x.rsid } : {}),
          resource_scopes: x.scopes ?? [],
        }));
      }
      meta.active = true;
      return sendJson(res, 200, meta);
    } catch (e) {
      if (!(e instanceof KcError)) throw e;
      return sendJson(res, e.status, e.body);
    }
  }

  const plugin = {
    name: 'uma',
    log,
    state,
    routes: {
      'POST /protocol/openid-connect/token': tokenRoute,
      'POST /protocol/openid-connect/token/introspect': introspectRoute,
      'GET /authz/protection/resource_set': resourceSetRoute,
    },
    match(method, path) {
      return method === 'GET' && path.startsWith('/authz/protection/resource_set/') ? resourceSetRoute : undefined;
    },
    setup(provider, r) {
      realm = r;
      // Listed in discovery as modern Keycloak does; requests never reach it (tokenRoute answers).
      provider.registerGrantType(UMA_GRANT, async (ctx) => {
        ctx.status = 500;
        ctx.body = { error: 'server_error', error_description: 'uma-ticket reached oidc-provider' };
      });
    },
    // Stand-alone test hooks (server.mjs: POST /_test/uma/...).
    hooks: {
      '/_test/uma/token': async (q) => ({ access_token: await plugin.accessToken(q.get('account') ?? 'alice', { clientId: q.get('client_id') ?? PLAIN_CLIENT }) }),
      '/_test/uma/fail': (q) => {
        state.failNext = Number(q.get('count') ?? '1');
        return { failNext: state.failNext };
      },
      '/_test/uma/hang': (q) => {
        state.hang = { ms: Number(q.get('ms') ?? '5000'), count: Number(q.get('count') ?? '1') };
        return { hang: state.hang };
      },
      '/_test/uma/reset': () => {
        plugin.reset();
        return { reset: true };
      },
    },
    // An opaque access token of the realm for `account` (a user), issued to `clientId`, as a login
    // would give. `expiresIn` in seconds.
    async accessToken(account, { clientId = PLAIN_CLIENT, expiresIn } = {}) {
      const provider = realm.provider;
      const c = await provider.Client.find(clientId);
      if (!c) throw new Error(`no client ${clientId}`);
      const at = new provider.AccessToken({ accountId: account, client: c, grantId: randomUUID(), gty: 'password', scope: 'openid', ...(expiresIn ? { expiresIn } : {}) });
      return at.save();
    },
    // A JWT access token signed by the current realm key (an expired one: exp in the past).
    jwtAccessToken({ sub = 'alice', azp = PLAIN_CLIENT, exp = now() + 300, ...extra } = {}) {
      return signJwt({ exp, iat: now() - 10, jti: randomUUID(), iss: realm.issuer, aud: 'account', sub, typ: 'Bearer', azp, ...extra });
    },
    // Decode a JWT payload (no verification).
    decode(jwt) {
      return b64json(jwt.split('.')[1]);
    },
    reset() {
      state.failNext = 0;
      state.hang = { ms: 0, count: 0 };
      log.length = 0;
    },
    // uma-ticket requests received since log position `from`.
    grants(from = 0) {
      return log.slice(from).filter((e) => e.kind === undefined);
    },
  };
  return plugin;
}
