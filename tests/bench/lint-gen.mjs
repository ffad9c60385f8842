#!/usr/bin/env node
// Generates large gateway configs for tests/bench/lint.sh.
// Usage: lint-gen.mjs krakend|apisix N OUT
//   krakend: a KrakenD v3 config with N endpoints, each with an auth/validator (clean, realistic).
//   apisix:  a standalone apisix.yaml with N routes, each with authz-keycloak, ending with #END.
import { writeFileSync } from 'node:fs';

const [kind, nArg, out] = process.argv.slice(2);
const n = Number(nArg);
if (!['krakend', 'apisix'].includes(kind) || !Number.isInteger(n) || n < 1 || !out) {
  console.error('usage: lint-gen.mjs krakend|apisix N OUT');
  process.exit(2);
}

const realm = 'https://sso.example.com/realms/shop';
if (kind === 'krakend') {
  const endpoints = [];
  for (let i = 0; i < n; i++) {
    endpoints.push({
      endpoint: `/v1/service-${i % 97}/items-${i}/{id}`,
      method: ['GET', 'POST', 'PUT', 'DELETE'][i % 4],
      timeout: '3s',
      input_headers: ['Authorization', 'X-User', 'Content-Type'],
      extra_config: {
        'auth/validator': {
          alg: 'RS256',
          jwk_url: `${realm}/protocol/openid-connect/certs`,
          cache: true,
          cache_duration: 900,
          failed_jwk_key_cooldown: '10s',
          issuer: realm,
          audience: [`api-${i % 13}`],
          roles_key: 'realm_access.roles',
          roles_key_is_nested: true,
          roles: ['reader', 'writer'],
          propagate_claims: [['sub', 'X-User']],
        },
      },
      backend: [
        {
          host: [`http://service-${i % 97}.internal:8080`],
          url_pattern: `/items/{id}`,
          method: 'GET',
          encoding: 'json',
        },
      ],
    });
  }
  const cfg = { $schema: 'https://www.krakend.io/schema/v2.13/krakend.json', version: 3, name: 'bench', port: 8080, timeout: '3s', extra_config: { 'auth/validator': { shared_cache_duration: 900 } }, endpoints };
  writeFileSync(out, JSON.stringify(cfg, null, 2) + '\n');
} else {
  const lines = ['routes:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - id: route-${i}`,
      `    uri: /api/service-${i % 97}/items-${i}/*`,
      `    methods: [GET, POST]`,
      `    plugins:`,
      `      authz-keycloak:`,
      `        discovery: ${realm}/.well-known/uma2-configuration`,
      `        client_id: api-${i % 13}`,
      `        client_secret: "$env://KEYCLOAK_SECRET"`,
      `        permissions:`,
      `          - "items-${i}#read"`,
      `        policy_enforcement_mode: ENFORCING`,
      `        timeout: 3000`,
      `    upstream:`,
      `      type: roundrobin`,
      `      nodes:`,
      `        "service-${i % 97}.internal:8080": 1`,
    );
  }
  lines.push('#END', '');
  writeFileSync(out, lines.join('\n'));
}
