#pragma once

#include "cli/command.hpp"
#include "cli/net_options.hpp"
#include "core/keys/key.hpp"
#include "core/oidc/jwks_source.hpp"
#include "core/util/result.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tollgate::cli {

// Where verify takes trusted keys from. Exactly one must be given (or a profile's issuer).
struct KeySourceOptions {
  std::string secret_file; // --secret-file: HMAC secret bytes (one trailing newline removed)
  std::string secret_env;  // --secret-env: name of an environment variable holding the secret
  std::string key_file;    // --key: PEM public key/certificate/private key, or one JWK
  std::string jwks;        // --jwks: a JWKS (or JWK) file, or an https URL
  std::string issuer;      // --issuer: discovery, then its jwks_uri (the iss check is implied)
};

void add_key_source_options(CLI::App* sub, KeySourceOptions& opts);

// The configured keys, local or from the network. Remote key sets come through the cache and
// may be refetched once when a token names an unknown kid (key rotation); that call is
// thread-safe, so batch workers can share one provider.
class KeyProvider {
public:
  static core::Result<std::unique_ptr<KeyProvider>>
  open(const KeySourceOptions& opts, const NetFlags& net, Env& env);

  std::shared_ptr<const core::keys::KeySet> keys() const;
  // The issuer the keys belong to (discovery): verify checks "iss" against it unless --iss is
  // given.
  const std::string& implied_issuer() const { return m_issuer; }
  // A token named a kid the current set lacks: the new set after one refetch, or null when there
  // was none (the limiter said no, --offline, or a local key source).
  core::Result<std::shared_ptr<const core::keys::KeySet>> refresh_for_unknown_kid();

private:
  KeyProvider() = default;
  mutable std::mutex m_mutex;
  std::shared_ptr<const core::keys::KeySet> m_keys;
  std::unique_ptr<Net> m_net;
  std::optional<core::oidc::JwksSource> m_source;
  std::string m_issuer;
  Env* m_env = nullptr;
};

} // namespace tollgate::cli
