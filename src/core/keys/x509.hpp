#pragma once

#include "core/util/openssl.hpp"
#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace tollgate::core::keys {

// What `jwks` shows and checks about the first certificate of a JWK's x5c chain.
struct CertInfo {
  std::string subject; // RFC 2253 one-line form: "CN=sso.example.com,O=Example"
  std::string issuer;
  double not_before = 0; // unix seconds
  double not_after = 0;
  util::PkeyPtr public_key;
  std::string x5t;      // base64url SHA-1 of the DER (RFC 7517 4.8)
  std::string x5t_s256; // base64url SHA-256 of the DER (RFC 7517 4.9)
};

// Parse one DER certificate.
Result<CertInfo> parse_certificate_der(std::string_view der);

// Parse one x5c entry: standard base64 (not base64url) of a DER certificate, RFC 7517 4.7.
// Errors are usage errors naming `what` ("key #2 x5c[0]").
Result<CertInfo> parse_x5c_entry(std::string_view b64, std::string_view what);

// Do two keys hold the same public key (EVP_PKEY_eq)?
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b);

} // namespace tollgate::core::keys
