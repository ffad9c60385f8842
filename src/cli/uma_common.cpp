#include "cli/uma_common.hpp"

#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "core/oidc/discovery.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

constexpr std::size_t kMaxTokenBytes = 1024 * 1024;

} // namespace

void add_uma_flags(CLI::App* sub, UmaFlags& f, bool identity, bool audience) {
  sub->add_option("--issuer",
                  f.issuer,
                  "the issuer; UMA2 discovery (.well-known/uma2-configuration) gives the endpoints")
      ->type_name("ISSUER");
  sub->add_option("--token-endpoint", f.token_endpoint, "the token endpoint, without discovery")
      ->type_name("URL");
  sub->add_option("--resource-registration-endpoint",
                  f.resource_endpoint,
                  "the protection API's resource_set endpoint, without discovery")
      ->type_name("URL");
  if (audience) {
    sub->add_option("--audience",
                    f.audience,
                    "the resource server's client id (Keycloak's audience parameter)")
        ->type_name("CLIENT_ID");
  }
  if (identity) {
    sub->add_option(
           "--token", f.token, "the user's access token (sent as Bearer), @FILE, or - for stdin")
        ->type_name("TOKEN");
    sub->add_option("--subject-token",
                    f.subject_token,
                    "with client credentials: decide for this token's subject (@FILE, -)")
        ->type_name("TOKEN");
    sub->add_option(
           "--claim", f.claims, "push a claim NAME=VALUE to the policies (repeatable; claim_token)")
        ->type_name("NAME=VALUE");
  }
  add_client_flags(sub, f.client);
  add_net_flags(sub, f.net);
  add_output_options(sub, f.output);
}

core::Result<void> stdin_once(const UmaFlags& f,
                              std::vector<std::pair<std::string, std::string>> extra) {
  extra.emplace_back("--token", f.token);
  extra.emplace_back("--subject-token", f.subject_token);
  extra.emplace_back("--client-secret-file", f.client.secret_file);
  std::vector<std::string> readers;
  for (const auto& [flag, value] : extra) {
    if (value == "-") {
      readers.push_back(flag + " -");
    }
  }
  if (readers.size() > 1) {
    return core::usage_error("bad_flags",
                             fmt::format("{} and {} both read stdin: give one of them as a file",
                                         readers[0],
                                         readers[1]));
  }
  return {};
}

core::Result<std::unique_ptr<UmaContext>> UmaContext::open(const UmaFlags& f, Env& env) {
  TOLLGATE_CHECK(stdin_once(f));
  std::unique_ptr<UmaContext> c(new UmaContext());
  c->m_flags = &f;
  c->m_env = &env;
  TOLLGATE_TRY(c->m_profile, selected_profile(f.net.profile));
  const core::oidc::Profile* p = c->m_profile ? &*c->m_profile : nullptr;
  c->m_issuer = !f.issuer.empty() ? f.issuer : (p && p->issuer ? *p->issuer : "");
  // An explicit --issuer wins over a profile's token endpoint.
  c->m_token_endpoint =
      !f.token_endpoint.empty()
          ? f.token_endpoint
          : (f.issuer.empty() && p && p->token_endpoint ? *p->token_endpoint : "");
  c->m_audience = !f.audience.empty() ? f.audience : (p && p->audience ? *p->audience : "");
  if (!f.token.empty()) {
    TOLLGATE_TRY(c->m_user_token, read_token_argument(f.token, env, kMaxTokenBytes));
  }
  if (!f.subject_token.empty()) {
    if (!f.token.empty()) {
      return core::usage_error(
          "bad_flags",
          "--subject-token goes with client credentials, not with --token: the user's token is "
          "already the identity of the decision");
    }
    TOLLGATE_TRY(c->m_subject_token, read_token_argument(f.subject_token, env, kMaxTokenBytes));
  }
  TOLLGATE_TRY(c->m_claim_token, core::uma::claim_token(f.claims));
  const bool client_given = !f.client.id.empty() || (p && p->client_id);
  if (client_given) {
    TOLLGATE_TRY(auto client, resolve_client(f.client, p, env));
    c->m_client = std::move(client);
  } else if (!f.client.secret_file.empty() || !f.client.secret.empty()) {
    return core::usage_error("no_client_id", "a client secret was given without --client-id");
  }
  TOLLGATE_TRY(c->m_net, Net::open(f.net, p, env));
  return c;
}

core::Result<const core::oidc::Discovery*> UmaContext::uma_discovery() {
  if (!m_discovery) {
    if (m_issuer.empty()) {
      return core::usage_error("no_endpoint",
                               "no token endpoint: pass --issuer ISSUER (UMA2 discovery) or "
                               "--token-endpoint URL, or use a profile with an issuer");
    }
    TOLLGATE_TRY(auto d,
                 core::oidc::discover(m_net->fetch(), m_issuer, core::oidc::DocumentKind::uma2));
    m_net->print_warnings(d.fetched.warnings);
    m_discovery = std::move(d);
  }
  return &*m_discovery;
}

core::Result<std::string> UmaContext::token_endpoint() {
  if (!m_token_endpoint.empty()) {
    return m_token_endpoint;
  }
  TOLLGATE_TRY(const core::oidc::Discovery* d, uma_discovery());
  TOLLGATE_TRY(m_token_endpoint, core::oidc::require_endpoint(*d, "token_endpoint"));
  return m_token_endpoint;
}

core::Result<std::string> UmaContext::resource_endpoint() {
  if (!m_flags->resource_endpoint.empty()) {
    return m_flags->resource_endpoint;
  }
  if (m_issuer.empty()) {
    return core::usage_error("no_endpoint",
                             "no resource registration endpoint: pass --issuer ISSUER (UMA2 "
                             "discovery) or --resource-registration-endpoint URL");
  }
  TOLLGATE_TRY(const core::oidc::Discovery* d, uma_discovery());
  return core::oidc::require_endpoint(*d, "resource_registration_endpoint");
}

core::Result<core::uma::Identity> UmaContext::identity(const std::string& bearer) {
  core::uma::Identity id;
  id.bearer = !bearer.empty() ? bearer : m_user_token;
  if (id.bearer.empty()) {
    if (!m_client) {
      return core::usage_error("no_identity",
                               "no identity: pass --token (the user's access token) or "
                               "--client-id with a client secret (the client's service account)");
    }
    id.client = m_client;
  }
  return id;
}

core::Result<core::uma::Transport> UmaContext::ticket_transport(bool with_permissions) {
  if (with_permissions && m_audience.empty()) {
    return core::usage_error("no_audience",
                             "permissions need --audience (the resource server's client id), or "
                             "a profile with audience");
  }
  TOLLGATE_TRY(auto id, identity());
  TOLLGATE_TRY(std::string endpoint, token_endpoint());
  return core::uma::http_transport(m_net->http(), std::move(endpoint), std::move(id));
}

core::Result<core::uma::PatSource*> UmaContext::pat() {
  if (!m_pat) {
    if (!m_client) {
      return core::usage_error("no_client_id",
                               "the protection API needs a PAT: pass --client-id and the secret "
                               "of the resource server's client");
    }
    TOLLGATE_TRY(std::string endpoint, token_endpoint());
    m_pat = std::make_unique<core::uma::PatSource>(endpoint, *m_client, m_clock);
  }
  return m_pat.get();
}

core::Result<std::vector<core::uma::Permission>>
parse_permissions(const std::vector<std::string>& args) {
  std::vector<core::uma::Permission> out;
  for (const auto& a : args) {
    TOLLGATE_TRY(auto p, core::uma::parse_permission(a));
    out.push_back(std::move(p));
  }
  return out;
}

int report_undecided(Env& env, const std::string& message) {
  return report(env, core::network_error("idp_undecided", message));
}

void setup_uma(CLI::App& app, Runner& runner) {
  auto* uma = app.add_subcommand(
      "uma", "UMA permission checks against a Keycloak-style token endpoint (resource#scope)");
  uma->require_subcommand(1);
  setup_uma_check(*uma, runner);
  setup_uma_permissions(*uma, runner);
  setup_uma_rpt(*uma, runner);
  setup_uma_resources(*uma, runner);
}

TOLLGATE_COMMAND("uma", 60, setup_uma);

} // namespace tollgate::cli
