#include "cli/key_source.hpp"

#include "core/keys/pem.hpp"
#include "core/util/file.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace tollgate::cli {

void add_key_source_options(CLI::App* sub, KeySourceOptions& opts) {
  sub->add_option("--secret-file",
                  opts.secret_file,
                  "HMAC secret (HS*) read from FILE; one trailing newline is removed")
      ->type_name("FILE");
  sub->add_option("--secret-env",
                  opts.secret_env,
                  "HMAC secret (HS*) read from the environment variable VAR")
      ->type_name("VAR");
  sub->add_option("--key",
                  opts.key_file,
                  "one key: PEM public key, PEM certificate, or a JWK (oct JWKs for HS*)")
      ->type_name("FILE");
  sub->add_option("--jwks", opts.jwks, "a JWKS file; the token's kid selects the key")
      ->type_name("FILE");
}

core::Result<core::keys::KeySet> load_key_source(const KeySourceOptions& o) {
  const int given =
      !o.secret_file.empty() + !o.secret_env.empty() + !o.key_file.empty() + !o.jwks.empty();
  if (given == 0) {
    return core::usage_error(
        "no_key",
        "no key given: use --jwks FILE, --key FILE, --secret-file FILE or --secret-env VAR");
  }
  if (given > 1) {
    return core::usage_error("no_key",
                             "give exactly one of --jwks, --key, --secret-file and --secret-env");
  }
  core::keys::KeySet set;
  if (!o.secret_file.empty()) {
    TOLLGATE_TRY(auto secret, core::util::read_file(o.secret_file, 64 * 1024, "--secret-file"));
    if (secret.size() >= 2 && secret.compare(secret.size() - 2, 2, "\r\n") == 0) {
      secret.resize(secret.size() - 2);
    } else if (!secret.empty() && secret.back() == '\n') {
      secret.pop_back();
    }
    if (secret.empty()) {
      return core::usage_error("bad_key",
                               fmt::format("--secret-file '{}' is empty", o.secret_file));
    }
    set.source = fmt::format("--secret-file '{}'", o.secret_file);
    set.keys.push_back(core::keys::key_from_secret(std::move(secret), set.source));
    set.pinned = true;
    return set;
  }
  if (!o.secret_env.empty()) {
    const char* value = std::getenv(o.secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return core::usage_error(
          "bad_key",
          fmt::format("--secret-env: the environment variable {} is not set or empty",
                      o.secret_env));
    }
    set.source = fmt::format("--secret-env {}", o.secret_env);
    set.keys.push_back(core::keys::key_from_secret(value, set.source));
    set.pinned = true;
    return set;
  }
  if (!o.key_file.empty()) {
    return core::keys::load_key_file(o.key_file, "--key", true);
  }
  return core::keys::load_key_file(o.jwks, "--jwks", false);
}

} // namespace tollgate::cli
