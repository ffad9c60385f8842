// tollgate userinfo: the claims the IdP's userinfo endpoint returns for an access token.
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "core/oidc/introspection.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

struct UserinfoOptions {
  std::string token;
  std::string issuer;
  std::string endpoint;
  NetFlags net;
  OutputOptions output;
};

int run_userinfo(const UserinfoOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(std::string token, read_token_argument(o.token, env, 1024 * 1024));
  TOLLGATE_TRY_EXIT(auto profile, selected_profile(o.net.profile));
  const core::oidc::Profile* p = profile ? &*profile : nullptr;
  const std::string issuer = !o.issuer.empty() ? o.issuer : (p && p->issuer ? *p->issuer : "");
  TOLLGATE_TRY_EXIT(auto net, Net::open(o.net, p, env));
  TOLLGATE_TRY_EXIT(std::string endpoint,
                    net->endpoint(o.endpoint, issuer, "userinfo_endpoint", "--userinfo-endpoint"));
  TOLLGATE_TRY_EXIT(auto claims, core::oidc::userinfo(net->http(), endpoint, token));
  if (o.output.json) {
    print_json(env, claims);
  } else {
    print_json(env, claims, true, env.color_out);
  }
  return kExitOk;
}

void setup_userinfo(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<UserinfoOptions>();
  auto* sub = app.add_subcommand("userinfo", "show the IdP's userinfo claims for an access token");
  sub->add_option(
         "token",
         opts->token,
         "the access token, @FILE, or - for stdin (default: stdin when it is not a terminal)")
      ->type_name("TOKEN");
  sub->add_option("--issuer", opts->issuer, "the issuer; discovery gives the userinfo endpoint")
      ->type_name("ISSUER");
  sub->add_option("--userinfo-endpoint", opts->endpoint, "the userinfo endpoint, without discovery")
      ->type_name("URL");
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate userinfo @token.txt --issuer https://sso.example.com/realms/demo
  tollgate token --profile dev --grant device_code --scope openid | tollgate userinfo --profile dev

Exit 0 with the claims, 1 when the IdP rejects the token (401 invalid_token), 3 on other failures.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_userinfo(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("userinfo", 56, setup_userinfo);

} // namespace tollgate::cli
