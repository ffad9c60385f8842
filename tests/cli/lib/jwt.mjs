// An independent JWS implementation (Node's crypto) for building test tokens, honest and forged,
// so that the verifier under test is checked against code it does not share.
import { createHmac, createPrivateKey, createPublicKey, sign as nodeSign, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from './harness.mjs';

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const enc = (obj) => b64url(typeof obj === 'string' ? obj : JSON.stringify(obj));

export function keyFile(name) {
  return join(DATA, 'keys', name);
}
export function jwk(name) {
  return JSON.parse(readFileSync(keyFile(name), 'utf8'));
}

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

// Sign `input` (the ASCII "header.payload") with a private JWK for `alg`; returns raw bytes.
export function signInput(input, alg, privateJwk) {
  const bits = alg.slice(2);
  if (alg.startsWith('HS')) {
    return createHmac(HASH[bits], Buffer.from(privateJwk.k, 'base64url')).update(input).digest();
  }
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  if (alg.startsWith('RS')) return nodeSign(HASH[bits], Buffer.from(input), key);
  if (alg.startsWith('PS')) {
    return nodeSign(HASH[bits], Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 });
  }
  if (alg.startsWith('ES')) return nodeSign(HASH[bits], Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA' || alg === 'Ed25519' || alg === 'Ed448') return nodeSign(null, Buffer.from(input), key);
  throw new Error(`no signer for ${alg}`);
}

// A compact JWS. `header`/`payload` are objects or raw strings (used verbatim, for duplicate-name
// and whitespace cases). `sigAlg` signs with another algorithm than the header names.
export function token(header, payload, privateJwk, { sigAlg } = {}) {
  const h = typeof header === 'string' ? b64url(header) : enc(header);
  const p = typeof payload === 'string' ? b64url(payload) : enc(payload);
  const input = `${h}.${p}`;
  const alg = sigAlg ?? (typeof header === 'string' ? JSON.parse(header).alg : header.alg);
  return `${input}.${b64url(signInput(input, alg, privateJwk))}`;
}

// HS256 over `input` keyed with arbitrary bytes (key-confusion forgeries).
export function hmacWith(input, keyBytes, hash = 'sha256') {
  return b64url(createHmac(hash, keyBytes).update(input).digest());
}

export function publicPem(privateJwk) {
  return createPublicKey({ key: privateJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
}

export const now = () => Math.floor(Date.now() / 1000);

// Keycloak-like claims, valid for 5 minutes from `t`.
export function keycloakClaims(t = now(), extra = {}) {
  return {
    exp: t + 300,
    iat: t,
    auth_time: t - 60,
    jti: 'd4e5f6a7-1b2c-4d5e-8f90-123456789abc',
    iss: 'https://sso.example.com/realms/demo',
    aud: ['reports-api', 'account'],
    sub: 'f1e2d3c4-b5a6-4789-9abc-def012345678',
    typ: 'Bearer',
    azp: 'tollgate-cli',
    session_state: 'a1b2c3d4-e5f6-4789-abcd-ef0123456789',
    acr: '1',
    'allowed-origins': ['https://app.example.com'],
    realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-demo', 'report-reader'] },
    resource_access: { 'reports-api': { roles: ['viewer', 'editor'] }, account: { roles: ['manage-account', 'view-profile'] } },
    scope: 'openid email profile',
    sid: 'a1b2c3d4-e5f6-4789-abcd-ef0123456789',
    email_verified: true,
    name: 'Alice Example',
    preferred_username: 'alice',
    email: 'alice@example.com',
    ...extra,
  };
}
