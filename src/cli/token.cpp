// tollgate token: get a token from the IdP (client credentials, password, refresh, device code,
// authorization code with PKCE).
#include "core/oidc/token.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/interactive.hpp"
#include "cli/net_options.hpp"
#include "core/oidc/authcode.hpp"
#include "core/oidc/device.hpp"
#include "core/oidc/verify_remote.hpp"
#include "core/util/text.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace tollgate::cli {
namespace {

using namespace core;

struct TokenOptions {
  std::string issuer;
  std::string token_endpoint;
  ClientFlags client;
  std::string grant = "client_credentials";
  std::string scope;
  std::vector<std::string> resources;
  std::string audience;
  std::string username;
  std::string password_file;
  std::string refresh_token;
  bool open = false;
  int redirect_port = 0;
  std::string login_timeout = "5m";
  bool verify = false;
  NetFlags net;
  OutputOptions output;
};

const char* env_value(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' ? v : nullptr;
}

Result<std::string> password_for(const TokenOptions& o, Env& env) {
  if (!o.password_file.empty()) {
    return read_secret_file(o.password_file, "password file");
  }
  if (const char* p = env_value("TOLLGATE_PASSWORD")) {
    return std::string(p);
  }
  if (env.stdin_tty) {
    return prompt_hidden(fmt::format("password for {}: ", o.username),
                         "pass --password-file FILE or set TOLLGATE_PASSWORD");
  }
  return usage_error("no_password",
                     "the password grant needs a password: pass --password-file FILE, set "
                     "TOLLGATE_PASSWORD, or run on a terminal to be asked");
}

Result<std::string> refresh_token_for(const TokenOptions& o, Env& env) {
  std::string arg = o.refresh_token;
  if (arg.empty()) {
    if (const char* t = env_value("TOLLGATE_REFRESH_TOKEN")) {
      return std::string(t);
    }
    return usage_error("no_refresh_token",
                       "the refresh_token grant needs --refresh-token TOKEN|@FILE|- or "
                       "TOLLGATE_REFRESH_TOKEN");
  }
  if (arg != "-" && arg.front() != '@') {
    warn(env,
         "--refresh-token TOKEN is visible to other users in the process list; prefer "
         "--refresh-token @FILE, - (stdin) or TOLLGATE_REFRESH_TOKEN");
  }
  return read_token_argument(arg, env, 1024 * 1024);
}

// --open: only an http(s) URL goes to the browser. The IdP chose it, and $BROWSER or xdg-open
// would as well open a file: URL or take a leading '-' as an option.
void open_page(const std::string& url, Env& env) {
  if (!http::parse_url(url)) {
    warn(env,
         fmt::format("not opening '{}' in a browser: not an http(s) URL",
                     util::excerpt(util::terminal_safe(url), 120)));
  } else if (!open_browser(url)) {
    warn(env, "could not start a browser ($BROWSER or xdg-open); open the URL yourself");
  }
}

Result<oidc::TokenResponse> device_flow(const TokenOptions& o,
                                        Net& net,
                                        const std::string& issuer,
                                        const std::string& token_endpoint,
                                        const oidc::Client& client,
                                        const oidc::GrantExtras& x,
                                        Env& env) {
  TOLLGATE_TRY(std::string endpoint,
               net.endpoint("", issuer, "device_authorization_endpoint", "--issuer"));
  TOLLGATE_TRY(auto auth, oidc::start_device_authorization(net.http(), endpoint, client, x));
  // The IdP chose these strings: nothing in them may drive the terminal.
  fmt::print(env.err,
             "To sign in, open {} and enter the code {}\n",
             util::terminal_safe(auth.verification_uri),
             util::terminal_safe(auth.user_code));
  if (!auth.verification_uri_complete.empty()) {
    fmt::print(env.err, "  (or open {})\n", util::terminal_safe(auth.verification_uri_complete));
  }
  fmt::print(env.err,
             "Waiting for the sign-in (the code expires in {})...\n",
             util::format_duration(static_cast<double>(auth.expires_in)));
  std::fflush(env.err);
  if (o.open) {
    open_page(auth.verification_uri_complete.empty() ? auth.verification_uri
                                                     : auth.verification_uri_complete,
              env);
  }
  return oidc::poll_device_token(
      net.http(), token_endpoint, client, auth, oidc::system_poll_clock());
}

Result<oidc::TokenResponse> code_flow(const TokenOptions& o,
                                      Net& net,
                                      const std::string& issuer,
                                      const std::string& token_endpoint,
                                      const oidc::Client& client,
                                      const oidc::GrantExtras& x,
                                      Env& env) {
  TOLLGATE_TRY(auto timeout_s, util::parse_duration_seconds(o.login_timeout));
  TOLLGATE_TRY(std::string endpoint,
               net.endpoint("", issuer, "authorization_endpoint", "--issuer"));
  TOLLGATE_TRY(auto receiver, oidc::LoopbackReceiver::listen(o.redirect_port));
  const oidc::Pkce pkce = oidc::make_pkce();
  oidc::AuthorizationRequest req;
  req.endpoint = endpoint;
  req.client_id = client.id;
  req.redirect_uri = receiver.redirect_uri();
  req.scope = x.scope.empty() ? "openid" : x.scope;
  req.state = oidc::random_state();
  req.code_challenge = pkce.challenge;
  for (const auto& r : x.resources) {
    req.extra.emplace_back("resource", r);
  }
  const std::string url = oidc::authorization_url(req);
  fmt::print(env.err,
             "To sign in, open this URL in a browser:\n  {}\nWaiting for the redirect to {} ({} at "
             "most)...\n",
             url,
             req.redirect_uri,
             util::format_duration(static_cast<double>(timeout_s)));
  std::fflush(env.err);
  if (o.open) {
    open_page(url, env);
  }
  TOLLGATE_TRY(std::string code,
               receiver.wait_for_code(static_cast<long>(timeout_s) * 1000, req.state, issuer));
  auto params = oidc::authorization_code_params(code, req.redirect_uri, pkce.verifier);
  for (const auto& r : x.resources) {
    params.emplace_back("resource", r);
  }
  return oidc::request_token(net.http(), token_endpoint, client, std::move(params));
}

// --verify: check the received access token against the issuer's JWKS at once.
int verify_token(const std::string& token,
                 const std::string& issuer,
                 const std::string& audience,
                 Net& net,
                 Env& env) {
  if (issuer.empty()) {
    return report(
        env,
        usage_error("no_issuer", "--verify needs --issuer (or a profile issuer) for the JWKS"));
  }
  if (std::count(token.begin(), token.end(), '.') != 2) {
    return report(env,
                  usage_error("opaque_token",
                              "--verify: the access token is not a JWT (an opaque token); "
                              "check it with 'tollgate introspect'"));
  }
  TOLLGATE_TRY_EXIT(std::string jwks_uri, net.endpoint("", issuer, "jwks_uri", "--issuer"));
  oidc::JwksSource source(net.fetch(), jwks_uri, issuer);
  verify::Policy policy;
  if (!audience.empty()) {
    policy.claims.aud = {audience};
  }
  TOLLGATE_TRY_EXIT(auto outcome,
                    oidc::verify_with_source(source, token, policy, util::SystemClock().now()));
  net.print_warnings(source.take_warnings());
  if (!outcome.valid) {
    return report(env,
                  verdict_error(outcome.error_code,
                                fmt::format("the access token from the IdP does not verify: {}",
                                            outcome.error_message)));
  }
  return kExitOk;
}

int run_token(const TokenOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(auto profile, selected_profile(o.net.profile));
  const oidc::Profile* p = profile ? &*profile : nullptr;
  std::string issuer = !o.issuer.empty() ? o.issuer : (p && p->issuer ? *p->issuer : "");
  // A profile's token_endpoint goes with the profile's issuer: an --issuer given on the command
  // line is discovered instead, and only --token-endpoint beats both.
  std::string explicit_endpoint = o.token_endpoint;
  if (explicit_endpoint.empty() && o.issuer.empty() && p && p->token_endpoint) {
    explicit_endpoint = *p->token_endpoint;
  }
  const std::string audience =
      !o.audience.empty() ? o.audience : (p && p->audience ? *p->audience : "");
  TOLLGATE_TRY_EXIT(auto client, resolve_client(o.client, p, env));
  if (client.id.empty()) {
    return report(env,
                  usage_error("no_client_id",
                              "no client id: pass --client-id (or use a profile with client_id)"));
  }
  TOLLGATE_TRY_EXIT(auto net, Net::open(o.net, p, env));
  oidc::GrantExtras x;
  x.scope = o.scope;
  x.resources = o.resources;
  Result<oidc::TokenResponse> got = internal_error("no grant");
  if (o.grant == "password" || o.grant == "refresh_token" || o.grant == "client_credentials") {
    http::Params params;
    if (o.grant == "client_credentials") {
      params = oidc::client_credentials_params(x);
    } else if (o.grant == "password") {
      std::string user = o.username;
      if (user.empty()) {
        TOLLGATE_TRY_EXIT(user,
                          env.stdin_tty ? prompt_line("user name: ", "pass --username")
                                        : Result<std::string>(usage_error(
                                            "no_username", "the password grant needs --username")));
      }
      TokenOptions with_user = o;
      with_user.username = user;
      TOLLGATE_TRY_EXIT(std::string password, password_for(with_user, env));
      params = oidc::password_params(user, password, x);
    } else {
      TOLLGATE_TRY_EXIT(std::string rt, refresh_token_for(o, env));
      params = oidc::refresh_params(rt, x);
    }
    TOLLGATE_TRY_EXIT(
        std::string endpoint,
        net->endpoint(explicit_endpoint, issuer, "token_endpoint", "--token-endpoint"));
    got = oidc::request_token(net->http(), endpoint, client, std::move(params));
  } else {
    if (issuer.empty()) {
      return report(
          env,
          usage_error(
              "no_issuer",
              fmt::format("the {} grant needs --issuer (discovery gives its endpoints)", o.grant)));
    }
    TOLLGATE_TRY_EXIT(
        std::string endpoint,
        net->endpoint(explicit_endpoint, issuer, "token_endpoint", "--token-endpoint"));
    got = o.grant == "device_code" ? device_flow(o, *net, issuer, endpoint, client, x, env)
                                   : code_flow(o, *net, issuer, endpoint, client, x, env);
  }
  if (!got) {
    return report(env, got.error());
  }
  if (o.verify) {
    if (const int rc = verify_token(got->access_token, issuer, audience, *net, env);
        rc != kExitOk) {
      return rc;
    }
  }
  if (o.output.json) {
    print_json(env, got->raw);
  } else {
    fmt::print(env.out, "{}\n", got->access_token);
  }
  return kExitOk;
}

void setup_token(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<TokenOptions>();
  auto* sub = app.add_subcommand("token", "get an access token from the IdP");
  sub->add_option(
         "--issuer", opts->issuer, "the issuer; its discovery document gives the endpoints")
      ->type_name("ISSUER");
  sub->add_option("--token-endpoint", opts->token_endpoint, "the token endpoint, without discovery")
      ->type_name("URL");
  add_client_flags(sub, opts->client);
  choices(sub->add_option("--grant",
                          opts->grant,
                          "client_credentials (default), password, refresh_token, device_code or "
                          "authorization_code")
              ->type_name("GRANT")
              ->default_str("client_credentials"),
          {"client_credentials", "password", "refresh_token", "device_code", "authorization_code"});
  sub->add_option("--scope", opts->scope, "the scope to ask for (space-separated)")
      ->type_name("SCOPE");
  sub->add_option("--resource", opts->resources, "an RFC 8707 resource indicator (repeatable)")
      ->type_name("URI");
  sub->add_option("--audience", opts->audience, "with --verify: the audience the token must carry")
      ->type_name("AUD");
  sub->add_option("--username",
                  opts->username,
                  "password grant: the user name (asked on a terminal when missing)")
      ->type_name("USER");
  sub->add_option("--password-file",
                  opts->password_file,
                  "password grant: read the password from FILE (or set TOLLGATE_PASSWORD)")
      ->type_name("FILE");
  sub->add_option("--refresh-token",
                  opts->refresh_token,
                  "refresh_token grant: TOKEN, @FILE or - (or set TOLLGATE_REFRESH_TOKEN)")
      ->type_name("TOKEN");
  sub->add_flag(
      "--open",
      opts->open,
      "device_code and authorization_code: open the sign-in page with $BROWSER or xdg-open");
  sub->add_option("--redirect-port",
                  opts->redirect_port,
                  "authorization_code: the loopback port for the redirect (default: any free port)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--login-timeout",
                  opts->login_timeout,
                  "authorization_code: how long to wait for the redirect (default 5m)")
      ->type_name("DURATION");
  sub->add_flag("--verify",
                opts->verify,
                "verify the access token against the issuer's JWKS at once (iss implied)");
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate token --issuer https://sso.example.com/realms/demo --client-id ci --client-secret-file ci.secret
  TOKEN=$(tollgate token --profile dev)
  tollgate token --profile dev --grant device_code --scope openid --json
  tollgate token --issuer https://sso.example.com/realms/demo --client-id cli --client-auth none \
      --grant authorization_code --open
  tollgate token --profile dev --grant refresh_token --refresh-token @rt.txt

Prints only the access token on stdout (one line) unless --json. Prompts and sign-in URLs go to
stderr. IdP errors (invalid_client, invalid_grant, ...) exit 3; --verify failures exit 1.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_token(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("token", 50, setup_token);

} // namespace tollgate::cli
