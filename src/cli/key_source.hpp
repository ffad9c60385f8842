#pragma once

#include "cli/command.hpp"
#include "core/keys/key.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::cli {

// Where verify (and later subcommands) take trusted keys from. Exactly one must be given.
struct KeySourceOptions {
  std::string secret_file; // --secret-file: HMAC secret bytes (one trailing newline removed)
  std::string secret_env;  // --secret-env: name of an environment variable holding the secret
  std::string key_file;    // --key: PEM public key/certificate/private key, or one JWK
  std::string jwks;        // --jwks: a JWKS (or JWK) file
};

void add_key_source_options(CLI::App* sub, KeySourceOptions& opts);

// Load the configured keys; usage errors name the flag and the file.
core::Result<core::keys::KeySet> load_key_source(const KeySourceOptions& opts);

} // namespace tollgate::cli
