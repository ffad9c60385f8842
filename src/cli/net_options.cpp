#include "cli/net_options.hpp"

#include "cli/input.hpp"
#include "cli/module_path.hpp"
#include "core/http/module.hpp"
#include "core/util/file.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace tollgate::cli {
namespace {

constexpr std::size_t kMaxSecretBytes = 64 * 1024;

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' ? v : nullptr;
}

} // namespace

void add_net_flags(CLI::App* sub, NetFlags& f, bool with_cache) {
  f.timeout_opt = sub->add_option("--timeout",
                                  f.timeout_ms,
                                  "give up on a request after MS milliseconds, redirects included "
                                  "(default 3000)")
                      ->type_name("MS")
                      ->check(CLI::Range(1L, 3600L * 1000L));
  f.cacert_opt =
      sub->add_option("--cacert",
                      f.cacert,
                      "trust the CA certificates in this PEM FILE instead of the system store")
          ->type_name("FILE");
  sub->add_flag("--insecure",
                f.insecure,
                "do not verify TLS certificates or host names (warns; for throw-away test setups)");
  sub->add_flag(
      "--allow-http",
      f.allow_http,
      "allow plain http:// to hosts other than loopback (keys and tokens travel unprotected)");
  sub->add_option("--max-response-bytes",
                  f.max_response_bytes,
                  "refuse responses larger than this (default 1048576)")
      ->type_name("BYTES")
      ->check(CLI::Range(static_cast<std::size_t>(1), static_cast<std::size_t>(1) << 32));
  sub->add_flag("-v,--verbose",
                f.verbose,
                "trace requests and responses on stderr (secrets and tokens redacted)");
  sub->add_option("--profile",
                  f.profile,
                  "use profile NAME from the config file (default: $TOLLGATE_PROFILE)")
      ->type_name("NAME");
  if (with_cache) {
    sub->add_flag("--no-cache", f.no_cache, "neither read nor write the on-disk cache");
    sub->add_option("--cache-ttl",
                    f.cache_ttl,
                    "treat cached documents as fresh for this long (seconds or 90s/15m/1h); "
                    "replaces the default 15m and the server's max-age")
        ->type_name("DURATION");
    sub->add_flag(
        "--offline", f.offline, "use only the cache, never the network (a miss is exit 3)");
  }
}

std::string config_path() {
  return core::oidc::default_config_path(env_or_null("XDG_CONFIG_HOME"), env_or_null("HOME"));
}

core::Result<std::optional<core::oidc::Profile>> selected_profile(const std::string& flag) {
  std::string name = flag;
  if (name.empty()) {
    if (const char* env = env_or_null("TOLLGATE_PROFILE")) {
      name = env;
    }
  }
  if (name.empty()) {
    return std::optional<core::oidc::Profile>();
  }
  TOLLGATE_TRY(auto file, core::oidc::load_profiles(config_path(), env_or_null("HOME")));
  TOLLGATE_TRY(const core::oidc::Profile* p, core::oidc::select_profile(file, name));
  return std::optional<core::oidc::Profile>(*p);
}

core::Result<std::unique_ptr<Net>>
Net::open(const NetFlags& f, const core::oidc::Profile* profile, Env& env) {
  core::http::ClientOptions o;
  o.timeout_ms = f.timeout_ms;
  if ((f.timeout_opt == nullptr || f.timeout_opt->count() == 0) && profile != nullptr
      && profile->timeout_ms) {
    o.timeout_ms = *profile->timeout_ms;
  }
  o.cacert = f.cacert;
  if (o.cacert.empty() && profile != nullptr && profile->cacert) {
    o.cacert = *profile->cacert;
  }
  if (!o.cacert.empty()) {
    // Decided here so that a typo is exit 2 with the path, not a TLS error later.
    const int fd = ::open(o.cacert.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return core::usage_error(
          "unreadable",
          fmt::format("cannot open CA file '{}' (--cacert): {}", o.cacert, std::strerror(errno)));
    }
    ::close(fd);
  }
  o.insecure = f.insecure;
  o.allow_http = f.allow_http;
  o.max_response_bytes = f.max_response_bytes;
  o.max_connections = f.max_connections;
  if (f.insecure) {
    warn(env,
         "--insecure: TLS certificates and host names are not verified; anyone on the path can "
         "impersonate the IdP");
  }
  core::cache::Policy policy;
  policy.enabled = !f.no_cache;
  policy.offline = f.offline;
  if (f.offline && f.no_cache) {
    return core::usage_error("bad_flags",
                             "--offline reads only the cache, and --no-cache turns it off: "
                             "use one of them");
  }
  if (!f.cache_ttl.empty()) {
    auto ttl = core::util::parse_duration_seconds(f.cache_ttl);
    if (!ttl || *ttl < 0) {
      return core::usage_error("bad_flags",
                               fmt::format("--cache-ttl '{}' is not a duration (900, 90s, "
                                           "15m, 1h)",
                                           core::util::excerpt(f.cache_ttl)));
    }
    policy.ttl = *ttl;
  }
  std::unique_ptr<Net> net(
      new Net(env, core::cache::default_dir(env_or_null("XDG_CACHE_HOME"), env_or_null("HOME"))));
  if (f.verbose) {
    Env* e = &env;
    o.trace = [e](std::string_view line) {
      fmt::print(e->err, "{}\n", line);
    };
  }
  net->m_http = core::http::make_client(
      std::move(o), core::http::module_transport_factory(http_module_candidates()));
  net->m_fetch.http = net->m_http.get();
  net->m_fetch.cache = net->m_cache.dir().empty() ? nullptr : &net->m_cache;
  net->m_fetch.policy = policy;
  net->m_fetch.clock = &net->m_clock;
  return net;
}

void Net::print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    warn(*m_env, w);
  }
}

core::Result<core::oidc::Discovery> Net::discover(const std::string& issuer) {
  if (m_discovery && m_discovery->issuer == issuer) {
    return *m_discovery;
  }
  TOLLGATE_TRY(auto d, core::oidc::discover(m_fetch, issuer, core::oidc::DocumentKind::openid));
  print_warnings(d.fetched.warnings);
  d.fetched.warnings.clear();
  m_discovery = d;
  return d;
}

core::Result<std::string> Net::endpoint(const std::string& explicit_url,
                                        const std::string& issuer,
                                        const std::string& name,
                                        const std::string& flag) {
  if (!explicit_url.empty()) {
    return explicit_url;
  }
  if (issuer.empty()) {
    return core::usage_error("no_endpoint",
                             fmt::format("no {}: pass --issuer ISSUER (discovery) or {} URL, "
                                         "or use a profile with an issuer",
                                         name,
                                         flag));
  }
  TOLLGATE_TRY(auto d, discover(issuer));
  return core::oidc::require_endpoint(d, name);
}

void add_client_flags(CLI::App* sub, ClientFlags& f) {
  sub->add_option("--client-id", f.id, "the OAuth client id")->type_name("ID");
  sub->add_option("--client-secret-file",
                  f.secret_file,
                  "read the client secret from FILE (- for stdin); or set TOLLGATE_CLIENT_SECRET")
      ->type_name("FILE");
  sub->add_option(
         "--client-secret",
         f.secret,
         "the client secret itself (visible in the process list: prefer --client-secret-file)")
      ->type_name("SECRET");
  choices(sub->add_option("--client-auth",
                          f.auth,
                          "client authentication: basic (client_secret_basic, the default), post "
                          "(client_secret_post) or none (public client)")
              ->type_name("METHOD"),
          {"basic", "post", "none"});
}

core::Result<std::string> read_secret_file(const std::string& path, const std::string& what) {
  TOLLGATE_TRY(std::string text, read_file_or_stdin(path, kMaxSecretBytes, what));
  std::string secret(core::util::trim(text));
  if (secret.empty()) {
    return core::usage_error("no_client_secret",
                             path == "-" ? fmt::format("{} on stdin is empty", what)
                                         : fmt::format("{} '{}' is empty", what, path));
  }
  return secret;
}

core::Result<core::oidc::Client>
resolve_client(const ClientFlags& f, const core::oidc::Profile* profile, Env& env) {
  core::oidc::Client c;
  c.id = f.id;
  std::string id_source = "--client-id";
  if (c.id.empty() && profile != nullptr && profile->client_id) {
    c.id = *profile->client_id;
    id_source = fmt::format("client_id of profile '{}'", profile->name);
  }
  TOLLGATE_CHECK(core::oidc::check_client_chars(c.id, id_source));
  std::string auth = f.auth;
  if (auth.empty() && profile != nullptr && profile->client_auth) {
    auth = *profile->client_auth;
  }
  if (auth.empty()) {
    auth = "basic";
  }
  TOLLGATE_TRY(c.auth, core::oidc::parse_client_auth(auth));
  if (c.auth == core::oidc::ClientAuth::none) {
    return c; // a public client sends no secret even when one is configured
  }
  std::string secret_source;
  if (!f.secret_file.empty()) {
    TOLLGATE_TRY(c.secret, read_secret_file(f.secret_file, "client secret file"));
    secret_source = fmt::format("client secret file '{}'", f.secret_file);
  } else if (!f.secret.empty()) {
    warn(env,
         "--client-secret is visible to other users in the process list; prefer "
         "--client-secret-file FILE or TOLLGATE_CLIENT_SECRET");
    c.secret = f.secret;
    secret_source = "--client-secret";
  } else if (const char* env_secret = env_or_null("TOLLGATE_CLIENT_SECRET")) {
    c.secret = core::util::trim(env_secret);
    secret_source = "TOLLGATE_CLIENT_SECRET";
  } else if (profile != nullptr && profile->client_secret_file) {
    TOLLGATE_TRY(
        c.secret,
        read_secret_file(*profile->client_secret_file,
                         fmt::format("client secret file of profile '{}'", profile->name)));
    secret_source = fmt::format("client secret file of profile '{}'", profile->name);
  }
  TOLLGATE_CHECK(core::oidc::check_client_chars(
      c.secret, fmt::format("the client secret ({})", secret_source)));
  return c;
}

} // namespace tollgate::cli

namespace tollgate::cli {

std::string describe_fetch(const core::cache::Fetched& f, bool cache_enabled) {
  const double now = core::util::SystemClock().now();
  if (!f.from_cache) {
    if (!cache_enabled) {
      return "network (not cached: --no-cache)";
    }
    if (!f.not_cached.empty()) {
      return fmt::format("network (not cached: {})", f.not_cached);
    }
    return fmt::format("network (cached for {})",
                       core::util::format_duration(static_cast<double>(f.ttl)));
  }
  const double age = now - f.fetched_at;
  if (f.stale) {
    return fmt::format("cache (fetched {} ago, stale by {}; --offline)",
                       core::util::format_duration(age),
                       core::util::format_duration(age - static_cast<double>(f.ttl)));
  }
  return fmt::format("cache (fetched {} ago, fresh for {})",
                     core::util::format_duration(age),
                     core::util::format_duration(static_cast<double>(f.ttl) - age));
}

} // namespace tollgate::cli
