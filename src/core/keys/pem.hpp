#pragma once

#include "core/keys/key.hpp"
#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace tollgate::core::keys {

// A Key from an OpenSSL key (its JWK facts, thumbprint and size filled in).
Result<Key> key_from_pkey(util::PkeyPtr pkey, std::string label);

// A Key from PEM text: a public key (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY"), an X.509
// certificate (its public key), or an unencrypted private key (PKCS#8 or traditional).
Result<Key> key_from_pem(std::string_view pem, std::string label);

// An HMAC secret as a key.
Key key_from_secret(std::string secret, std::string label);

// Refuse an "HMAC secret" that is really key material: PEM text (public or private key,
// certificate), an OpenSSH public key line, a JWK or JWKS, or DER SubjectPublicKeyInfo or
// certificate bytes. Keyed with such bytes, HS256 is the classic key-confusion forgery
// (security.md 1.3): anyone holding the public key can sign. A usage error naming `source`.
Result<void> refuse_key_material(std::string_view secret, std::string_view source);

// Read a key file: a JWK, a JWKS, or PEM. `what` names the flag in messages ("--key", "--jwks").
// `single` demands exactly one key (a JWKS with several keys is refused for --key).
Result<KeySet> load_key_file(const std::string& path, std::string_view what, bool single);

// PEM encodings of a key: SubjectPublicKeyInfo, or unencrypted PKCS#8.
Result<std::string> pem_public(EVP_PKEY* pkey);
Result<std::string> pem_private(EVP_PKEY* pkey);

} // namespace tollgate::core::keys
