#include "cli/key_source.hpp"

#include "core/keys/pem.hpp"
#include "core/util/file.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace tollgate::cli {
namespace {

bool is_url(const std::string& s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

core::Result<core::keys::KeySet> local_keys(const KeySourceOptions& o) {
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
    TOLLGATE_CHECK(core::keys::refuse_key_material(secret, set.source));
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
    TOLLGATE_CHECK(core::keys::refuse_key_material(value, set.source));
    set.keys.push_back(core::keys::key_from_secret(value, set.source));
    set.pinned = true;
    return set;
  }
  if (!o.key_file.empty()) {
    return core::keys::load_key_file(o.key_file, "--key", true);
  }
  return core::keys::load_key_file(o.jwks, "--jwks", false);
}

} // namespace

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
  sub->add_option("--jwks",
                  opts.jwks,
                  "a JWKS file, or a JWKS URL (cached); the token's kid selects the key")
      ->type_name("FILE|URL");
  sub->add_option("--issuer",
                  opts.issuer,
                  "keys from this issuer's discovery document (jwks_uri); implies --iss ISSUER")
      ->type_name("ISSUER");
}

core::Result<std::unique_ptr<KeyProvider>>
KeyProvider::open(const KeySourceOptions& o, const NetFlags& net, Env& env) {
  std::unique_ptr<KeyProvider> p(new KeyProvider());
  p->m_env = &env;
  int given = !o.secret_file.empty() + !o.secret_env.empty() + !o.key_file.empty() + !o.jwks.empty()
              + !o.issuer.empty();
  TOLLGATE_TRY(auto profile, selected_profile(net.profile));
  std::string issuer = o.issuer;
  if (given == 0 && profile && profile->issuer) {
    issuer = *profile->issuer; // a profile's issuer is a key source too
    given = 1;
  }
  if (given == 0) {
    return core::usage_error("no_key",
                             "no key given: use --jwks FILE|URL, --issuer ISSUER, --key FILE, "
                             "--secret-file FILE or --secret-env VAR");
  }
  if (given > 1) {
    return core::usage_error(
        "no_key", "give exactly one of --jwks, --issuer, --key, --secret-file and --secret-env");
  }
  if (issuer.empty() && !is_url(o.jwks)) {
    TOLLGATE_TRY(auto set, local_keys(o));
    p->m_keys = std::make_shared<const core::keys::KeySet>(std::move(set));
    return p;
  }
  TOLLGATE_TRY(p->m_net, Net::open(net, profile ? &*profile : nullptr, env));
  if (!issuer.empty()) {
    TOLLGATE_TRY(auto src, core::oidc::JwksSource::for_issuer(p->m_net->fetch(), issuer));
    p->m_source.emplace(std::move(src));
    p->m_issuer = p->m_source->issuer();
  } else {
    p->m_source.emplace(p->m_net->fetch(), o.jwks);
  }
  TOLLGATE_TRY(p->m_keys, p->m_source->keys());
  p->m_net->print_warnings(p->m_source->take_warnings());
  return p;
}

std::shared_ptr<const core::keys::KeySet> KeyProvider::keys() const {
  std::lock_guard lock(m_mutex);
  return m_keys;
}

core::Result<std::shared_ptr<const core::keys::KeySet>> KeyProvider::refresh_for_unknown_kid() {
  std::lock_guard lock(m_mutex);
  if (!m_source) {
    return std::shared_ptr<const core::keys::KeySet>();
  }
  TOLLGATE_TRY(bool refetched, m_source->refresh_for_unknown_kid());
  if (!refetched) {
    return std::shared_ptr<const core::keys::KeySet>();
  }
  TOLLGATE_TRY(m_keys, m_source->keys());
  m_net->print_warnings(m_source->take_warnings());
  return m_keys;
}

} // namespace tollgate::cli
