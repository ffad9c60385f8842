#pragma once

// The network, cache, profile and client flags, defined once and added to every subcommand that
// can touch the network, and the per-run network context built from them.

#include "cli/command.hpp"
#include "cli/try_exit.hpp"
#include "core/cache/fetch.hpp"
#include "core/http/client.hpp"
#include "core/oidc/discovery.hpp"
#include "core/oidc/profile.hpp"
#include "core/oidc/token.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::cli {

struct NetFlags {
  long timeout_ms = core::http::kDefaultTimeoutMs;
  std::string cacert;
  bool insecure = false;
  bool allow_http = false;
  std::size_t max_response_bytes = core::http::kDefaultMaxResponseBytes;
  bool verbose = false;
  bool no_cache = false;
  std::string cache_ttl; // a duration ("900", "15m"); "" = not given
  bool offline = false;
  std::string profile;
  long max_connections = 8; // kept-alive connections per host (batch modes set it from --jobs)
  CLI::Option* timeout_opt = nullptr;
  CLI::Option* cacert_opt = nullptr;
};

// --timeout --cacert --insecure --allow-http --max-response-bytes -v/--verbose --profile, plus
// --no-cache --cache-ttl --offline when `with_cache`.
void add_net_flags(CLI::App* sub, NetFlags& flags, bool with_cache = true);

// The profile chosen with --profile or TOLLGATE_PROFILE (nullopt when neither is set).
core::Result<std::optional<core::oidc::Profile>> selected_profile(const std::string& flag);

// The config file path (for messages and `tollgate profile`).
std::string config_path();

// Everything one run needs to talk to the network: the HTTP client (its module is loaded on the
// first request only), the cache and the fetch context.
class Net {
public:
  static core::Result<std::unique_ptr<Net>>
  open(const NetFlags& flags, const core::oidc::Profile* profile, Env& env);

  core::http::HttpClient& http() { return *m_http; }
  core::cache::FetchContext& fetch() { return m_fetch; }
  const core::cache::DiskCache& cache() const { return m_cache; }
  const core::http::ClientOptions& options() const { return m_http->options(); }

  // Discovery of `issuer` (OpenID configuration), with its warnings printed.
  core::Result<core::oidc::Discovery> discover(const std::string& issuer);

  // The URL of endpoint `name`: `explicit_url` when given, else from `issuer`'s discovery
  // document. Without either, a usage error naming `flag` and --issuer.
  core::Result<std::string> endpoint(const std::string& explicit_url,
                                     const std::string& issuer,
                                     const std::string& name,
                                     const std::string& flag);

  void print_warnings(const std::vector<std::string>& warnings);

private:
  Net(Env& env, std::string cache_dir) : m_env(&env), m_cache(std::move(cache_dir)) {}
  Env* m_env;
  core::cache::DiskCache m_cache;
  std::unique_ptr<core::http::HttpClient> m_http;
  core::util::SystemClock m_clock;
  core::cache::FetchContext m_fetch;
  std::optional<core::oidc::Discovery> m_discovery; // the last one, reused for several endpoints
};

// --client-id --client-secret-file --client-secret --client-auth
struct ClientFlags {
  std::string id;
  std::string secret_file;
  std::string secret;
  std::string auth;
};
void add_client_flags(CLI::App* sub, ClientFlags& flags);

// The client from the flags, TOLLGATE_CLIENT_SECRET and the profile (in that order of
// precedence). A plain --client-secret works but warns that it is visible in the process list.
core::Result<core::oidc::Client>
resolve_client(const ClientFlags& flags, const core::oidc::Profile* profile, Env& env);

// A secret from a file ("-" for stdin): trailing newlines and surrounding whitespace stripped;
// an empty secret is a usage error.
core::Result<std::string> read_secret_file(const std::string& path, const std::string& what);

} // namespace tollgate::cli

namespace tollgate::cli {
// Where a document came from, for human output: "network (cached for 15m)",
// "cache (fetched 3m 10s ago, fresh for 11m 50s)", "cache (stale by 2m, --offline)".
std::string describe_fetch(const core::cache::Fetched& f, bool cache_enabled);
} // namespace tollgate::cli
