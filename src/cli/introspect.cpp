// tollgate introspect: ask the IdP whether a token is active (RFC 7662).
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "cli/table.hpp"
#include "core/oidc/introspection.hpp"
#include "core/util/text.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

constexpr const char* kRptHint = "requesting_party_token";

// The permissions of an RPT introspection (Keycloak sends both rsid/scopes and the UMA names
// resource_id/resource_scopes) as a table.
std::string render_permissions(const core::util::Json& raw, const Style& s) {
  if (!raw.is_object() || !raw.contains("permissions") || !raw["permissions"].is_array()) {
    return "";
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : raw["permissions"]) {
    std::string id = string_member(p, "rsid");
    if (id.empty()) {
      id = string_member(p, "resource_id");
    }
    std::vector<std::string> scopes;
    for (const char* key : {"scopes", "resource_scopes"}) {
      if (p.contains(key) && p[key].is_array() && !p[key].empty()) {
        for (const auto& sc : p[key]) {
          if (sc.is_string()) {
            scopes.push_back(sc.get<std::string>());
          }
        }
        break;
      }
    }
    rows.push_back({string_member(p, "rsname"),
                    id,
                    scopes.empty() ? "(all scopes)" : core::util::join(scopes, ",")});
  }
  if (rows.empty()) {
    return s.bold("permissions") + ": none\n";
  }
  return s.bold("permissions") + ":\n" + render_table({"RESOURCE", "ID", "SCOPES"}, rows, s);
}

struct IntrospectOptions {
  std::string token;
  std::string issuer;
  std::string endpoint;
  std::string hint;
  bool rpt = false;
  ClientFlags client;
  NetFlags net;
  OutputOptions output;
};

int run_introspect(const IntrospectOptions& o, Env& env) {
  if (o.rpt && !o.hint.empty() && o.hint != kRptHint) {
    return report(env,
                  core::usage_error("bad_flags",
                                    fmt::format("--rpt means --token-type-hint {}; drop one of "
                                                "them",
                                                kRptHint)));
  }
  const std::string hint = o.rpt ? kRptHint : o.hint;
  TOLLGATE_TRY_EXIT(std::string token, read_token_argument(o.token, env, 1024 * 1024));
  TOLLGATE_TRY_EXIT(auto profile, selected_profile(o.net.profile));
  const core::oidc::Profile* p = profile ? &*profile : nullptr;
  const std::string issuer = !o.issuer.empty() ? o.issuer : (p && p->issuer ? *p->issuer : "");
  TOLLGATE_TRY_EXIT(auto client, resolve_client(o.client, p, env));
  TOLLGATE_TRY_EXIT(auto net, Net::open(o.net, p, env));
  TOLLGATE_TRY_EXIT(
      std::string endpoint,
      net->endpoint(o.endpoint, issuer, "introspection_endpoint", "--introspection-endpoint"));
  TOLLGATE_TRY_EXIT(auto result,
                    core::oidc::introspect(net->http(), endpoint, client, token, hint));
  const int rc = result.active ? kExitOk : kExitNegative;
  if (o.output.json) {
    print_json(env, result.raw);
    return rc;
  }
  const Style s(env.color_out);
  std::string out =
      s.bold("active") + ": " + (result.active ? s.green("true") : s.red("false")) + "\n";
  if (result.raw.size() > 1) {
    out += render_json(result.raw, env.color_out) + "\n";
    out += render_times(result.raw, core::util::SystemClock().now(), false, s);
  }
  out += render_permissions(result.raw, s);
  std::fwrite(out.data(), 1, out.size(), env.out);
  return rc;
}

void setup_introspect(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<IntrospectOptions>();
  auto* sub = app.add_subcommand("introspect", "ask the IdP whether a token is active (RFC 7662)");
  sub->add_option("token",
                  opts->token,
                  "the token, @FILE, or - for stdin (default: stdin when it is not a terminal)")
      ->type_name("TOKEN");
  sub->add_option(
         "--issuer", opts->issuer, "the issuer; discovery gives the introspection endpoint")
      ->type_name("ISSUER");
  sub->add_option("--introspection-endpoint",
                  opts->endpoint,
                  "the introspection endpoint, without discovery")
      ->type_name("URL");
  sub->add_option("--token-type-hint",
                  opts->hint,
                  "access_token, refresh_token, or Keycloak's requesting_party_token")
      ->type_name("HINT");
  sub->add_flag("--rpt",
                opts->rpt,
                "the token is an RPT: same as --token-type-hint requesting_party_token, and the "
                "permissions are shown");
  add_client_flags(sub, opts->client);
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate introspect @token.txt --issuer https://sso.example.com/realms/demo \
      --client-id my-api --client-secret-file api.secret
  tollgate introspect "$TOKEN" --profile api --json | jq .active

Exit 0 when the IdP says the token is active, 1 when it is not, 3 when the IdP cannot be asked
(introspection needs a confidential client).)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_introspect(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("introspect", 55, setup_introspect);

} // namespace tollgate::cli
