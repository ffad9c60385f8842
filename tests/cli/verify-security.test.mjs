// The attack catalogue of ../shared/spec/security.md, one test (or more) per class, run through the
// built binary as a user would. Tokens are made with Node's crypto (tests/cli/lib/jwt.mjs), not
// with tollgate, so the verifier is checked against independent code.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { run, json, writeTemp, tempDir } from './lib/harness.mjs';
import { b64url, enc, token, jwk, keyFile, hmacWith, now, keycloakClaims, signInput, publicPem } from './lib/jwt.mjs';

const JWKS = keyFile('jwks.json');
const rsa = jwk('rsa-2048.jwk');
const ec = jwk('ec-256.jwk');
const ed = jwk('ed25519.jwk');
const hs = jwk('hs-256.jwk');

// Verify and return the JSON verdict; asserts the exit status matches the verdict.
// Long tokens go through stdin (argv has a size limit; tollgate never needs argv for tokens).
function verify(tok, args = ['--jwks', JWKS]) {
  const viaStdin = tok.length > 60000;
  const r = run(['verify', viaStdin ? '-' : tok, ...args, '--json'], { input: viaStdin ? tok : '' });
  const doc = json(r.stdout);
  assert.equal(r.code, doc.valid ? 0 : 1, `exit ${r.code} vs valid=${doc.valid}; stderr: ${r.stderr}`);
  return doc;
}
function rejects(tok, code, args, message) {
  const doc = verify(tok, args);
  assert.equal(doc.valid, false, `accepted a token that must fail with ${code}`);
  assert.equal(doc.error.code, code, `error ${JSON.stringify(doc.error)}`);
  if (message) assert.match(doc.error.message, message);
  return doc;
}
const claims = (extra = {}) => ({ sub: 'alice', exp: now() + 300, iat: now(), ...extra });
const rsTok = (extraHeader = {}, payload = claims()) => token({ alg: 'RS256', typ: 'JWT', kid: 'rsa-2048', ...extraHeader }, payload, rsa);

test('control: an honest RS256 token is valid', () => {
  const doc = verify(rsTok());
  assert.equal(doc.valid, true);
  assert.equal(doc.kid, 'rsa-2048');
});

describe('1.1 alg none in any spelling', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    test(`alg ${alg} with an empty signature is refused`, () => {
      const t = `${enc({ alg, typ: 'JWT' })}.${enc(claims())}.`;
      rejects(t, 'unsupported_alg', ['--jwks', JWKS], /not accepted|unsigned/);
    });
    test(`alg ${alg} keeping an old signature is refused`, () => {
      const good = rsTok();
      const t = `${enc({ alg, kid: 'rsa-2048' })}.${good.split('.')[1]}.${good.split('.')[2]}`;
      rejects(t, 'unsupported_alg');
    });
  }
  test('wrong-case and padded alg names are not registered names', () => {
    rejects(token({ alg: 'rs256', kid: 'rsa-2048' }, claims(), rsa, { sigAlg: 'RS256' }), 'unsupported_alg', undefined, /case-sensitive/);
    rejects(token({ alg: 'RS256 ', kid: 'rsa-2048' }, claims(), rsa, { sigAlg: 'RS256' }), 'unsupported_alg');
  });
  test('missing alg and non-string alg are malformed', () => {
    rejects(`${enc({ kid: 'rsa-2048' })}.${enc(claims())}.AAAA`, 'malformed', undefined, /no "alg"/);
    rejects(`${enc({ alg: ['RS256'] })}.${enc(claims())}.AAAA`, 'malformed', undefined, /not a string/);
  });
});

describe('1.2 empty or null signature', () => {
  test('empty third segment (HS256, RS256, ES256)', () => {
    rejects(`${enc({ alg: 'HS256', kid: 'hs-256' })}.${enc(claims())}.`, 'bad_signature', ['--key', keyFile('hs-256.jwk')], /empty/);
    rejects(`${rsTok().split('.').slice(0, 2).join('.')}.`, 'bad_signature', undefined, /empty/);
    rejects(`${enc({ alg: 'ES256', kid: 'ec-256' })}.${enc(claims())}.`, 'bad_signature');
  });
  test('two segments, and no separators at all', () => {
    rejects(rsTok().split('.').slice(0, 2).join('.'), 'malformed', undefined, /2 segments/);
    rejects('eyJhbGciOiJIUzI1NiJ9', 'malformed', undefined, /1 segment/);
    const empty = run(['verify', '', '--jwks', JWKS]);
    assert.equal(empty.code, 2, 'an empty argument is no token at all: a usage error');
    assert.match(empty.stderr, /no token/);
  });
  test('all-zero signatures of the right length', () => {
    const [h, p] = rsTok().split('.');
    rejects(`${h}.${p}.${b64url(Buffer.alloc(256))}`, 'bad_signature');
    const edIn = `${enc({ alg: 'EdDSA', kid: 'ed25519' })}.${enc(claims())}`;
    rejects(`${edIn}.${b64url(Buffer.alloc(64))}`, 'bad_signature');
  });
});

describe('1.3 key confusion: a public key used as an HMAC secret', () => {
  const pem = readFileSync(keyFile('rsa-2048.pub.pem'));
  const input = `${enc({ alg: 'HS256', kid: 'rsa-2048', typ: 'JWT' })}.${enc(claims())}`;
  const variants = {
    'PEM text': pem,
    'PEM without final newline': pem.subarray(0, pem.length - 1),
    'DER SPKI': Buffer.from(pem.toString().replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    'JWK JSON text': Buffer.from(readFileSync(keyFile('rsa-2048.pub.jwk'))),
  };
  for (const [name, keyBytes] of Object.entries(variants)) {
    test(`HS256 keyed with the RSA key's ${name}, against --jwks`, () => {
      rejects(`${input}.${hmacWith(input, keyBytes)}`, 'key_mismatch', ['--jwks', JWKS], /needs a secret/);
    });
    test(`HS256 keyed with the RSA key's ${name}, against --key PEM`, () => {
      rejects(`${input}.${hmacWith(input, keyBytes)}`, 'key_mismatch', ['--key', keyFile('rsa-2048.pub.pem')]);
    });
  }
  test('a certificate given with --key cannot act as a secret either', () => {
    const t = `${input}.${hmacWith(input, readFileSync(keyFile('rsa-2048.cert.pem')))}`;
    rejects(t, 'key_mismatch', ['--key', keyFile('rsa-2048.cert.pem')]);
  });
  test('--alg HS256 does not turn an RSA key into a secret', () => {
    rejects(`${input}.${hmacWith(input, pem)}`, 'key_mismatch', ['--key', keyFile('rsa-2048.pub.pem'), '--alg', 'HS256']);
  });
  // The public key handed over as the "secret" itself: refused before any token is looked at.
  const sshLine = Buffer.from('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKk0yJ9gZ2lV4b6v1nWm3p0e4wYk7m8fGx1q2Lr5sT9u user@host\n');
  const asSecret = { ...variants, 'certificate PEM': readFileSync(keyFile('rsa-2048.cert.pem')), 'OpenSSH public key line': sshLine, 'JWKS JSON text': readFileSync(JWKS) };
  for (const [name, keyBytes] of Object.entries(asSecret)) {
    test(`--secret-file holding the ${name} is refused (exit 2), for verify and sign`, () => {
      const f = writeTemp('secret.bin', keyBytes);
      const t = `${input}.${hmacWith(input, keyBytes)}`;
      const r = run(['verify', t, '--secret-file', f]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /not an HMAC secret/);
      assert.doesNotMatch(r.stdout, /VALID/);
      const s = run(['sign', '--secret-file', f, '--alg', 'HS256', '--set', 'sub=x']);
      assert.equal(s.code, 2, s.stdout + s.stderr);
      assert.equal(s.stdout, '');
    });
  }
  test('--secret-env holding PEM text is refused too', () => {
    const t = `${input}.${hmacWith(input, pem)}`;
    const r = run(['verify', t, '--secret-env', 'TG_PEM_SECRET'], { env: { TG_PEM_SECRET: pem.toString() } });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--secret-env TG_PEM_SECRET holds PEM data, not an HMAC secret/);
  });
});

describe('1.4 ECDSA psychic signatures and r, s out of range', () => {
  const input = `${enc({ alg: 'ES256', kid: 'ec-256' })}.${enc(claims())}`;
  const n = Buffer.from('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551', 'hex');
  const cases = {
    'r = s = 0': Buffer.alloc(64),
    'r = 0': Buffer.concat([Buffer.alloc(32), Buffer.alloc(32, 1)]),
    's = 0': Buffer.concat([Buffer.alloc(32, 1), Buffer.alloc(32)]),
    'r = s = n': Buffer.concat([n, n]),
    'r = s = 2^256 - 1': Buffer.alloc(64, 0xff),
  };
  for (const [name, sig] of Object.entries(cases)) {
    test(name, () => rejects(`${input}.${b64url(sig)}`, 'bad_signature'));
  }
  test('a valid signature in DER, and wrong lengths 63/65/66', () => {
    const good = signInput(input, 'ES256', ec);
    const r = good.subarray(0, 32), s = good.subarray(32);
    const int = (b) => (b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
    const ri = int(r), si = int(s);
    const der = Buffer.concat([Buffer.from([0x30, ri.length + si.length + 4, 0x02, ri.length]), ri, Buffer.from([0x02, si.length]), si]);
    rejects(`${input}.${b64url(der)}`, 'bad_signature', undefined, /needs exactly 64/);
    for (const len of [63, 65, 66]) {
      const sig = len < 64 ? good.subarray(0, len) : Buffer.concat([good, Buffer.alloc(len - 64)]);
      rejects(`${input}.${b64url(sig)}`, 'bad_signature', undefined, /needs exactly 64/);
    }
    assert.equal(verify(`${input}.${b64url(good)}`).valid, true, 'control');
  });
  test('EdDSA: S >= L (malleability) is refused', () => {
    const edIn = `${enc({ alg: 'EdDSA', kid: 'ed25519' })}.${enc(claims())}`;
    const sig = Buffer.from(signInput(edIn, 'EdDSA', ed));
    // S' = S + L keeps the same value mod L; RFC 8032 5.1.7 requires S < L.
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let S = 0n;
    for (let i = 31; i >= 0; i--) S = (S << 8n) | BigInt(sig[32 + i]);
    S += L;
    for (let i = 0; i < 32; i++) {
      sig[32 + i] = Number(S & 0xffn);
      S >>= 8n;
    }
    rejects(`${edIn}.${b64url(sig)}`, 'bad_signature');
  });
});

describe('1.5 and 1.6: keys named by the token are never used', () => {
  test('an embedded jwk header with the attacker key (and a trusted kid) fails', () => {
    const attacker = jwk('ec-384.jwk'); // not in jwks.json under this kid
    const pub = { kty: attacker.kty, crv: attacker.crv, x: attacker.x, y: attacker.y };
    const t = token({ alg: 'ES384', kid: 'ec-256', jwk: pub }, claims(), attacker);
    const doc = verify(t);
    assert.equal(doc.valid, false);
    assert.match(doc.notes.join('\n'), /"jwk" is ignored/);
  });
  test('an embedded jwk with a kid not in the key set finds no key', () => {
    const attacker = jwk('ec-384.jwk');
    const t = token({ alg: 'ES384', kid: 'evil', jwk: { kty: 'EC', crv: 'P-384', x: attacker.x, y: attacker.y } }, claims(), attacker);
    rejects(t, 'key_not_found', undefined, /no key with kid "evil"/);
  });
  for (const h of ['jku', 'x5u']) {
    test(`${h} pointing elsewhere is ignored (and never fetched)`, () => {
      const t = token({ alg: 'RS256', kid: 'rsa-2048', [h]: 'http://127.0.0.1:9/attacker.json' }, claims(), rsa);
      const doc = verify(t);
      assert.equal(doc.valid, true, 'the configured key still decides');
      assert.ok(doc.notes.some((n) => n.includes(`"${h}" is ignored`)));
      const forged = token({ alg: 'EdDSA', kid: 'attacker', [h]: 'http://127.0.0.1:9/attacker.json' }, claims(), jwk('ed448.jwk'));
      assert.equal(verify(forged).valid, false);
    });
  }
  test('x5c with a self-signed attacker certificate is ignored', () => {
    const pem = readFileSync(keyFile('rsa-2048.cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
    const attackerRsa = jwk('rsa-noalg.jwk');
    const t = token({ alg: 'RS256', kid: 'rsa-2048', x5c: [pem] }, claims(), attackerRsa);
    const doc = rejects(t, 'bad_signature');
    assert.ok(doc.notes.some((n) => n.includes('"x5c" is ignored')));
  });
});

describe('1.7 kid injection', () => {
  const hsInput = (kid) => `${enc({ alg: 'HS256', kid })}.${enc(claims())}`;
  for (const kid of ['../../../../dev/null', '/dev/null', "x' UNION SELECT '1';--", 'rsa-2048\u0000', 'RSA-2048', '']) {
    test(`kid ${JSON.stringify(kid)} matches nothing (exact, case-sensitive, length-aware)`, () => {
      const input = hsInput(kid);
      for (const secret of ['', '1']) {
        const t = `${input}.${hmacWith(input, Buffer.from(secret))}`;
        const doc = verify(t);
        assert.equal(doc.valid, false);
        assert.ok(['key_not_found', 'key_mismatch'].includes(doc.error.code), doc.error.code);
      }
    });
  }
  test('a non-string kid and a 10 000-character kid are malformed', () => {
    rejects(`${enc({ alg: 'RS256', kid: 7 })}.${enc(claims())}.AAAA`, 'malformed', undefined, /kid/);
    rejects(`${enc({ alg: 'RS256', kid: 'k'.repeat(10000) })}.${enc(claims())}.AAAA`, 'malformed', undefined, /kid/);
  });
  test('a well-formed unknown kid fails closed without trying other keys', () => {
    const t = token({ alg: 'RS256', kid: 'rotated-away' }, claims(), rsa);
    rejects(t, 'key_not_found', undefined, /kids: /);
  });
});

describe('1.8 and 1.9: crit and b64', () => {
  const cases = {
    'an unknown extension': { crit: ['urn:example:policy'], 'urn:example:policy': 1 },
    'an empty list': { crit: [] },
    'a name absent from the header': { crit: ['exp'] },
    'not an array': { crit: 'urn:example:policy' },
    'b64 false with crit': { b64: false, crit: ['b64'] },
  };
  for (const [name, extra] of Object.entries(cases)) {
    test(`crit with ${name} is refused even when validly signed`, () => rejects(rsTok(extra), 'crit_unsupported'));
  }
  test('b64 false without crit is refused', () => rejects(rsTok({ b64: false }), 'crit_unsupported', undefined, /b64/));
});

describe('1.10 duplicate member names', () => {
  test('duplicate alg in the header, also with an escaped name', () => {
    for (const header of ['{"alg":"HS256","alg":"RS256","kid":"rsa-2048"}', '{"alg":"RS256","\\u0061lg":"HS256","kid":"rsa-2048"}']) {
      const t = token(header, claims(), rsa, { sigAlg: 'RS256' });
      rejects(t, 'malformed', undefined, /appears twice/);
    }
  });
  test('duplicate exp in a validly signed payload (expired first, future last)', () => {
    const p = `{"sub":"alice","exp":${now() - 3600},"exp":${now() + 3600}}`;
    rejects(token({ alg: 'RS256', kid: 'rsa-2048' }, p, rsa), 'malformed', undefined, /appears twice/);
    const dupNested = `{"sub":"alice","exp":${now() + 300},"realm_access":{"roles":["a"],"roles":["admin"]}}`;
    rejects(token({ alg: 'RS256', kid: 'rsa-2048' }, dupNested, rsa), 'malformed', undefined, /appears twice/);
  });
});

describe('1.11 non-canonical base64url', () => {
  const good = rsTok();
  const [h, p, s] = good.split('.');
  const cases = {
    'padding on the header': `${h}=.${p}.${s}`,
    'padding on the signature': `${h}.${p}.${s}==`,
    'standard-alphabet + and /': `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`,
    'whitespace inside': `${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`,
    'a newline inside': `${h}.${p.slice(0, 10)}\n${p.slice(10)}.${s}`,
    'a ? inside': `${h}.${p.slice(0, 10)}?${p.slice(10)}.${s}`,
    'an extra fourth segment': `${good}.AAAA`,
  };
  for (const [name, t] of Object.entries(cases)) {
    test(name, () => {
      assert.notEqual(t, good);
      rejects(t, 'malformed');
    });
  }
  test('non-zero unused trailing bits', () => {
    // The last character of the signature carries 4 unused bits for 256 bytes (len % 3 == 1).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1]);
    const twisted = s.slice(0, -1) + alphabet[last | 1];
    rejects(`${h}.${p}.${twisted}`, 'malformed', undefined, /trailing bits/);
  });
  test('JWS JSON serialization is refused', () => {
    rejects(JSON.stringify({ payload: p, protected: h, signature: s }), 'malformed', undefined, /JSON serialization/);
  });
});

describe('1.12 oversized tokens and deep nesting', () => {
  test('a token over the size cap is malformed (default 1 MiB; a stricter cap can be set)', () => {
    const big = rsTok({}, claims({ pad: 'x'.repeat(1100 * 1024) }));
    const dir = tempDir();
    const file = writeTemp('big.jwt', big, dir);
    rejects(`@${file}`, 'malformed', undefined, /limit/);
    rejects(rsTok({}, claims({ pad: 'x'.repeat(70 * 1024) })), 'malformed', ['--jwks', JWKS, '--max-token-bytes', '65536'], /limit/);
    assert.equal(verify(rsTok({}, claims({ pad: 'x'.repeat(70 * 1024) }))).valid, true, 'within the default cap');
  });
  test('deeply nested arrays in the payload and in the header', () => {
    rejects(rsTok({}, `{"sub":"a","exp":${now() + 60},"x":${'['.repeat(100000)}${']'.repeat(100000)}}`), 'malformed', undefined, /nesting|deeper/);
    const deepHeader = `{"alg":"RS256","kid":"rsa-2048","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    rejects(token(deepHeader, claims(), rsa, { sigAlg: 'RS256' }), 'malformed', undefined, /deeper/);
  });
  test('a string of 100 000 periods', () => {
    const dir = tempDir();
    rejects(`@${writeTemp('dots.txt', '.'.repeat(100000), dir)}`, 'malformed', undefined, /segments/);
  });
});

describe('1.13 exp, nbf and iat', () => {
  const t0 = now();
  const withClaims = (c) => rsTok({}, { sub: 'a', ...c });
  test('expired, and the leeway', () => {
    rejects(withClaims({ exp: now() - 30 }), 'expired', undefined, /expired 3\ds ago at .*Z, leeway 0s/);
    assert.equal(verify(withClaims({ exp: now() - 30 }), ['--jwks', JWKS, '--leeway', '60']).valid, true);
    rejects(withClaims({ exp: now() - 90 }), 'expired', ['--jwks', JWKS, '--leeway', '60'], /leeway 1m/);
  });
  test('missing exp is refused unless --allow-missing-exp', () => {
    rejects(withClaims({}), 'claim_missing', undefined, /never expire/);
    assert.equal(verify(withClaims({}), ['--jwks', JWKS, '--allow-missing-exp']).valid, true);
  });
  for (const [name, value] of [['a string', `"${t0 + 60}"`], ['negative', '-1'], ['a boolean', 'true'], ['null', 'null'], ['an object', '{}']]) {
    test(`exp as ${name} is refused`, () => {
      const t = token({ alg: 'RS256', kid: 'rsa-2048' }, `{"sub":"a","exp":${value}}`, rsa);
      assert.equal(verify(t).valid, false);
      assert.ok(['malformed', 'claim_missing'].includes(verify(t).error.code));
    });
  }
  test('fractional exp: valid in the future, invalid in the past', () => {
    assert.equal(verify(token({ alg: 'RS256', kid: 'rsa-2048' }, `{"exp":${t0 + 60}.5}`, rsa)).valid, true);
    rejects(token({ alg: 'RS256', kid: 'rsa-2048' }, `{"exp":${t0 - 60}.5}`, rsa), 'expired');
  });
  test('exp beyond int64 and beyond a double are refused, never clamped', () => {
    for (const v of ['99999999999999999999', '1e400', '9223372036854775808']) {
      const doc = verify(token({ alg: 'RS256', kid: 'rsa-2048' }, `{"sub":"a","exp":${v}}`, rsa));
      assert.equal(doc.valid, false, v);
      assert.equal(doc.error.code, 'malformed', v);
    }
  });
  test('nbf in the future, within the leeway, and as a string', () => {
    rejects(withClaims({ exp: t0 + 600, nbf: t0 + 120 }), 'not_yet_valid', undefined, /not valid until/);
    assert.equal(verify(withClaims({ exp: t0 + 600, nbf: t0 + 30 }), ['--jwks', JWKS, '--leeway', '60']).valid, true);
    rejects(withClaims({ exp: t0 + 600, nbf: `${t0}` }), 'malformed');
  });
  test('iat in the future, and as a string', () => {
    rejects(withClaims({ exp: t0 + 600, iat: t0 + 120 }), 'issued_in_future');
    rejects(withClaims({ exp: t0 + 600, iat: 'yesterday' }), 'malformed');
  });
  test('--at verifies as of another instant', () => {
    const t = withClaims({ exp: 1700000000, iat: 1699999700 });
    assert.equal(verify(t, ['--jwks', JWKS, '--at', '1699999800']).valid, true);
    assert.equal(verify(t, ['--jwks', JWKS, '--at', '2023-11-14T22:10:00Z']).valid, true);
    rejects(t, 'expired', ['--jwks', JWKS, '--at', '2023-11-14T22:13:20Z']);
  });
});

describe('1.14 aud', () => {
  const t = (aud) => rsTok({}, claims(aud === undefined ? {} : { aud }));
  const args = ['--jwks', JWKS, '--aud', 'tollgate-api'];
  test('a string or an array containing the audience is accepted', () => {
    assert.equal(verify(t('tollgate-api'), args).valid, true);
    assert.equal(verify(t(['other', 'tollgate-api']), args).valid, true);
  });
  for (const [name, aud, code] of [
    ['an array without it', ['other'], 'claim_mismatch'],
    ['an empty array', [], 'claim_mismatch'],
    ['missing', undefined, 'claim_missing'],
    ['a superstring', 'tollgate-api-evil', 'claim_mismatch'],
    ['a substring', 'tollgate', 'claim_mismatch'],
    ['an object', { 'tollgate-api': true }, 'claim_mismatch'],
    ['an array with a non-string', ['tollgate-api', 7], 'claim_mismatch'],
  ]) {
    test(`aud as ${name} is refused`, () => rejects(t(aud), code, args));
  }
  test('without --aud the check is reported as not requested', () => {
    const doc = verify(t('anything'));
    assert.equal(doc.valid, true);
    assert.equal(doc.checks.find((c) => c.name === 'aud').status, 'not_requested');
  });
});

describe('1.15 iss', () => {
  const want = 'https://sso.example.com/realms/demo';
  const args = ['--jwks', JWKS, '--iss', want];
  for (const [name, iss, hint] of [
    ['another issuer', 'https://evil.example.com/realms/demo', null],
    ['a prefix', 'https://sso.example.com/realms', null],
    ['a trailing slash', `${want}/`, /trailing slash/],
    ['another case', want.toUpperCase(), /letter case/],
    ['http instead of https', want.replace('https', 'http'), /http and https/],
    ['the legacy /auth prefix', 'https://sso.example.com/auth/realms/demo', /\/auth prefix/],
    ['an array', [want], null],
  ]) {
    test(`iss as ${name} is refused`, () => rejects(rsTok({}, claims({ iss })), 'claim_mismatch', args, hint ?? undefined));
  }
  test('missing iss', () => rejects(rsTok({}, claims()), 'claim_missing', args));
  test('the exact issuer passes', () => assert.equal(verify(rsTok({}, claims({ iss: want })), args).valid, true));
});

describe('1.16 JWE is not verified', () => {
  test('a 5-segment token is refused by verify', () => {
    const jwe = `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM', kid: 'rsa-enc' })}.AAAA.AAAA.AAAA.AAAA`;
    rejects(jwe, 'malformed', undefined, /JWE/);
  });
});

describe('1.17 weak keys', () => {
  test('RS256 by a 1024-bit key in the configured set', () => {
    const weak = jwk('rsa-1024.jwk');
    const t = token({ alg: 'RS256' }, claims(), weak);
    rejects(t, 'weak_key', ['--key', keyFile('rsa-1024.jwk')], /1024-bit/);
    assert.equal(verify(t, ['--key', keyFile('rsa-1024.jwk'), '--allow-weak-keys']).valid, true);
  });
  test('HS256 with a 16-byte secret', () => {
    const secret = readFileSync(keyFile('hs-short.secret'));
    const input = `${enc({ alg: 'HS256' })}.${enc(claims())}`;
    const t = `${input}.${hmacWith(input, secret)}`;
    rejects(t, 'weak_key', ['--secret-file', keyFile('hs-short.secret')], /16-byte/);
    assert.equal(verify(t, ['--secret-file', keyFile('hs-short.secret'), '--allow-weak-keys']).valid, true);
  });
  test('an empty secret is refused, even with --allow-weak-keys', () => {
    const dir = tempDir();
    const set = writeTemp('empty.jwks', JSON.stringify({ keys: [{ kty: 'oct', kid: 'e', k: '' }] }), dir);
    const input = `${enc({ alg: 'HS256', kid: 'e' })}.${enc(claims())}`;
    rejects(`${input}.${hmacWith(input, Buffer.alloc(0))}`, 'weak_key', ['--jwks', set, '--allow-weak-keys']);
    const r = run(['verify', `${input}.x`, '--secret-file', writeTemp('empty.secret', '', dir)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /empty/);
  });
  test('RSA public exponent 1 and even exponents are refused at import', () => {
    const dir = tempDir();
    const bad = { ...jwk('rsa-2048.pub.jwk'), e: 'AQ' };
    rejects(rsTok(), 'weak_key', ['--jwks', writeTemp('e1.json', JSON.stringify({ keys: [bad] }), dir)], /exponent/);
  });
});

describe('1.18 alg, kty and crv must fit the key', () => {
  test('ES384 header naming a P-256 key', () => {
    rejects(token({ alg: 'ES384', kid: 'ec-256' }, claims(), jwk('ec-384.jwk')), 'key_mismatch', undefined, /P-384/);
  });
  test('RS256 naming an EC kid, ES256 naming an RSA kid', () => {
    rejects(token({ alg: 'RS256', kid: 'ec-256' }, claims(), rsa), 'key_mismatch');
    rejects(token({ alg: 'ES256', kid: 'rsa-2048' }, claims(), ec), 'key_mismatch');
  });
  test('PS256 and RS512 by a key whose JWK says alg RS256', () => {
    rejects(token({ alg: 'PS256', kid: 'rsa-2048' }, claims(), rsa), 'key_mismatch', undefined, /bound to alg "RS256"/);
    rejects(token({ alg: 'RS512', kid: 'rsa-2048' }, claims(), rsa), 'key_mismatch');
  });
  test('without a JWK alg, --alg decides', () => {
    const t = token({ alg: 'PS384' }, claims(), jwk('rsa-noalg.jwk'));
    assert.equal(verify(t, ['--key', keyFile('rsa-noalg.pub.jwk')]).valid, true);
    rejects(t, 'alg_not_allowed', ['--key', keyFile('rsa-noalg.pub.jwk'), '--alg', 'RS256']);
  });
});

describe('1.19 use and key_ops', () => {
  const dir = tempDir();
  const pub = jwk('rsa-2048.pub.jwk');
  test('a key published with use enc is not a signature key', () => {
    const set = writeTemp('enc.json', JSON.stringify({ keys: [{ ...pub, use: 'enc' }] }), dir);
    rejects(rsTok(), 'key_mismatch', ['--jwks', set], /use "enc"/);
  });
  test('the realm encryption key (RSA-OAEP) in jwks.json is never used to verify', () => {
    const t = token({ alg: 'RS256', kid: 'rsa-enc' }, claims(), jwk('rsa-enc.jwk'));
    rejects(t, 'key_mismatch');
  });
  test('key_ops without verify, and use/key_ops that disagree', () => {
    const noVerify = { ...pub, key_ops: ['sign'] };
    delete noVerify.use;
    rejects(rsTok(), 'key_mismatch', ['--jwks', writeTemp('ops.json', JSON.stringify({ keys: [noVerify] }), dir)], /key_ops/);
    const disagree = { ...pub, use: 'sig', key_ops: ['encrypt'] };
    rejects(rsTok(), 'key_mismatch', ['--jwks', writeTemp('ops2.json', JSON.stringify({ keys: [disagree] }), dir)], /disagree/);
    const ok = { ...pub, key_ops: ['verify'] };
    assert.equal(verify(rsTok(), ['--jwks', writeTemp('ops3.json', JSON.stringify({ keys: [ok] }), dir)]).valid, true);
  });
});

describe('1.20 duplicate kid in the key set', () => {
  test('a kid shared by two keys is ambiguous and neither is tried', () => {
    const dir = tempDir();
    const set = writeTemp('dup.json', JSON.stringify({ keys: [jwk('rsa-2048.pub.jwk'), { ...jwk('rsa-noalg.pub.jwk'), kid: 'rsa-2048' }] }), dir);
    rejects(rsTok(), 'key_not_found', ['--jwks', set], /ambiguous/);
  });
});

describe('1.21 explicit typing', () => {
  for (const typ of ['logout+jwt', 'secevent+jwt', 'dpop+jwt', 'application/logout+jwt', 'JOSE']) {
    test(`typ ${typ} is another kind of JWT and is refused`, () => rejects(rsTok({ typ }), 'claim_mismatch', undefined, /not accepted/));
  }
  for (const typ of ['JWT', 'jwt', 'at+jwt', 'application/at+jwt', 'application/AT+JWT', undefined]) {
    test(`typ ${typ ?? '(absent)'} is accepted by default`, () => {
      const header = { alg: 'RS256', kid: 'rsa-2048' };
      if (typ !== undefined) header.typ = typ;
      assert.equal(verify(token(header, claims(), rsa)).valid, true);
    });
  }
  test('--typ at+jwt (RFC 9068 mode) accepts only at+jwt, compared as a media type', () => {
    const args = ['--jwks', JWKS, '--typ', 'at+jwt'];
    rejects(rsTok({ typ: 'JWT' }), 'claim_mismatch', args);
    rejects(token({ alg: 'RS256', kid: 'rsa-2048' }, claims(), rsa), 'claim_mismatch', args, /absent/);
    assert.equal(verify(rsTok({ typ: 'application/AT+JWT' }), args).valid, true);
    assert.equal(verify(rsTok({ typ: 'at+jwt' }), ['--jwks', JWKS, '--typ', 'application/at+JWT']).valid, true);
  });
  test('nested JWTs (cty JWT) are refused', () => rejects(rsTok({ cty: 'JWT' }), 'claim_mismatch', undefined, /nested/));
});

describe('claim checks only after the signature', () => {
  test('a bad signature reports the claims as not checked and the payload as untrusted', () => {
    const [h, p] = rsTok().split('.');
    const forged = `${h}.${enc(claims({ sub: 'admin' }))}.${rsTok().split('.')[2]}`;
    const doc = rejects(forged, 'bad_signature', ['--jwks', JWKS, '--iss', 'x', '--aud', 'y']);
    assert.equal(doc.payload_trusted, false);
    assert.equal(doc.payload.sub, 'admin');
    for (const name of ['exp', 'iss', 'aud']) {
      const c = doc.checks.find((x) => x.name === name);
      assert.equal(c.status, 'not_checked', name);
      assert.match(c.detail, /signature invalid/);
    }
    void p;
  });
});
