#pragma once

// What the `uma` subcommands share: the endpoint, identity and network flags, and the per-run
// context built from them (profile, HTTP client, UMA2 discovery, identity, PAT).

#include "cli/command.hpp"
#include "cli/net_options.hpp"
#include "core/uma/client.hpp"
#include "core/uma/permission.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::cli {

struct UmaFlags {
  std::string issuer;
  std::string token_endpoint;
  std::string resource_endpoint;
  std::string audience;
  std::string token;         // --token T|@FILE|-
  std::string subject_token; // --subject-token T|@FILE|-
  std::vector<std::string> claims;
  ClientFlags client;
  NetFlags net;
  OutputOptions output;
};

// --issuer --token-endpoint --resource-registration-endpoint --audience, the client flags and
// the network flags; with `identity`: --token --subject-token --claim as well.
void add_uma_flags(CLI::App* sub, UmaFlags& f, bool identity, bool audience = true);

// One run's context.
class UmaContext {
public:
  // Reads the profile, the token(s) and the client; opens the network. Usage errors (exit 2) for
  // bad combinations are decided here, before anything connects.
  static core::Result<std::unique_ptr<UmaContext>> open(const UmaFlags& f, Env& env);

  Net& net() { return *m_net; }
  const std::string& audience() const { return m_audience; }
  const std::string& claim_token() const { return m_claim_token; }
  const std::string& subject_token() const { return m_subject_token; }
  const std::string& user_token() const { return m_user_token; }
  bool has_client() const { return m_client.has_value(); }
  const core::oidc::Client* client() const { return m_client ? &*m_client : nullptr; }

  // The token endpoint (--token-endpoint, the profile's, or UMA2 discovery of the issuer).
  core::Result<std::string> token_endpoint();
  // The resource registration endpoint (the flag, or UMA2 discovery).
  core::Result<std::string> resource_endpoint();
  // The identity of uma-ticket requests: `bearer` when given (a batch line's token), else
  // --token, else the client credentials.
  core::Result<core::uma::Identity> identity(const std::string& bearer = "");
  // The uma-ticket transport of `uma permissions` and `uma rpt`: --audience checked when
  // permissions are given (usage error otherwise), the identity, the token endpoint.
  core::Result<core::uma::Transport> ticket_transport(bool with_permissions);
  // The PAT source (client credentials of the resource server's client).
  core::Result<core::uma::PatSource*> pat();

private:
  UmaContext() = default;
  core::Result<const core::oidc::Discovery*> uma_discovery();

  const UmaFlags* m_flags = nullptr;
  Env* m_env = nullptr;
  std::optional<core::oidc::Profile> m_profile;
  std::unique_ptr<Net> m_net;
  std::string m_issuer;
  std::string m_token_endpoint;
  std::string m_audience;
  std::string m_user_token;
  std::string m_subject_token;
  std::string m_claim_token;
  std::optional<core::oidc::Client> m_client;
  std::optional<core::oidc::Discovery> m_discovery;
  std::unique_ptr<core::uma::PatSource> m_pat;
  core::util::SystemClock m_clock;
};

// At most one of the inputs may be "-" (stdin): --token, --subject-token, --client-secret-file
// and the command's own `extra` ones ({flag, value}). A usage error names the two.
core::Result<void> stdin_once(const UmaFlags& f,
                              std::vector<std::pair<std::string, std::string>> extra = {});

// Parse PERMISSION arguments (usage error naming the bad one).
core::Result<std::vector<core::uma::Permission>>
parse_permissions(const std::vector<std::string>& args);

// Setup functions of the subcommands (one file each).
void setup_uma_check(CLI::App& uma, Runner& runner);
void setup_uma_permissions(CLI::App& uma, Runner& runner);
void setup_uma_rpt(CLI::App& uma, Runner& runner);
void setup_uma_resources(CLI::App& uma, Runner& runner);

// The exit status and stderr line of an IdP answer that could not be judged.
int report_undecided(Env& env, const std::string& message);

} // namespace tollgate::cli
