// tollgate discover: fetch and check an issuer's OpenID Connect (and UMA 2.0) discovery document.
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "cli/table.hpp"
#include "core/oidc/discovery.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

using core::oidc::DocumentKind;
using core::util::Json;

struct DiscoverOptions {
  std::string issuer;
  bool uma = false;
  NetFlags net;
  OutputOptions output;
};

constexpr const char* kOpenidEndpoints[] = {"authorization_endpoint",
                                            "token_endpoint",
                                            "introspection_endpoint",
                                            "token_introspection_endpoint",
                                            "userinfo_endpoint",
                                            "jwks_uri",
                                            "end_session_endpoint",
                                            "revocation_endpoint",
                                            "device_authorization_endpoint",
                                            "registration_endpoint",
                                            "pushed_authorization_request_endpoint"};
constexpr const char* kOpenidLists[] = {"grant_types_supported",
                                        "token_endpoint_auth_methods_supported",
                                        "id_token_signing_alg_values_supported",
                                        "code_challenge_methods_supported"};
constexpr const char* kUmaEndpoints[] = {
    "resource_registration_endpoint", "permission_endpoint", "policy_endpoint"};

std::string list_text(const Json& v) {
  std::vector<std::string> parts;
  for (const auto& e : v) {
    parts.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  }
  return core::util::join(parts, ", ");
}

void add_findings(std::string& out, const core::oidc::Discovery& d, const Style& s) {
  for (const auto& f : d.findings) {
    out += (f.error ? s.red("error") : s.yellow("warning")) + ": " + f.message + "\n";
  }
}

int run_discover(const DiscoverOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(auto profile, selected_profile(o.net.profile));
  std::string issuer = o.issuer;
  if (issuer.empty() && profile && profile->issuer) {
    issuer = *profile->issuer;
  }
  if (issuer.empty()) {
    return report(env,
                  core::usage_error("no_issuer",
                                    "no issuer: pass ISSUER (or a .well-known URL), or use a "
                                    "profile with an issuer"));
  }
  TOLLGATE_TRY_EXIT(auto net, Net::open(o.net, profile ? &*profile : nullptr, env));
  std::vector<core::oidc::Discovery> docs;
  auto oidc = core::oidc::discover(net->fetch(), issuer, DocumentKind::openid);
  if (!oidc) {
    return report(env, oidc.error());
  }
  net->print_warnings(oidc->fetched.warnings);
  docs.push_back(std::move(*oidc));
  if (o.uma) {
    auto uma = core::oidc::discover(net->fetch(), issuer, DocumentKind::uma2);
    if (!uma) {
      return report(env, uma.error());
    }
    net->print_warnings(uma->fetched.warnings);
    docs.push_back(std::move(*uma));
  }
  bool errors = false;
  for (const auto& d : docs) {
    errors = errors || d.has_errors();
  }
  if (o.output.json) {
    if (o.uma) {
      Json both = Json::object();
      both["openid-configuration"] = docs[0].doc();
      both["uma2-configuration"] = docs[1].doc();
      print_json(env, both);
    } else {
      print_json(env, docs[0].doc());
    }
    for (const auto& d : docs) {
      for (const auto& f : d.findings) {
        if (f.error) {
          report(env, core::verdict_error(f.code, f.message));
        } else {
          warn(env, f.message);
        }
      }
    }
    return errors ? kExitNegative : kExitOk;
  }
  const Style s(env.color_out);
  const bool cache_on = !o.net.no_cache;
  std::vector<std::pair<std::string, std::string>> pairs;
  const auto& od = docs[0];
  pairs.emplace_back("issuer", od.field("issuer").empty() ? "(missing)" : od.field("issuer"));
  pairs.emplace_back("document",
                     fmt::format("{}  {}", od.fetched.url, describe_fetch(od.fetched, cache_on)));
  for (const char* name : kOpenidEndpoints) {
    if (std::string v = od.field(name); !v.empty()) {
      pairs.emplace_back(std::string(name) == "token_introspection_endpoint"
                             ? "token_introspection_endpoint (legacy)"
                             : name,
                         v);
    }
  }
  for (const char* name : kOpenidLists) {
    if (od.doc().contains(name) && od.doc()[name].is_array()) {
      pairs.emplace_back(name, list_text(od.doc()[name]));
    }
  }
  if (o.uma) {
    const auto& ud = docs[1];
    pairs.emplace_back("uma2 document",
                       fmt::format("{}  {}", ud.fetched.url, describe_fetch(ud.fetched, cache_on)));
    for (const char* name : kUmaEndpoints) {
      if (std::string v = ud.field(name); !v.empty()) {
        pairs.emplace_back(name, v);
      }
    }
  }
  std::string out = render_pairs(pairs, s);
  for (const auto& d : docs) {
    add_findings(out, d, s);
  }
  std::fwrite(out.data(), 1, out.size(), env.out);
  return errors ? kExitNegative : kExitOk;
}

void setup_discover(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<DiscoverOptions>();
  auto* sub = app.add_subcommand("discover", "fetch and check an issuer's discovery document");
  sub->add_option("issuer",
                  opts->issuer,
                  "the issuer (https://sso.example.com/realms/demo) or its .well-known URL")
      ->type_name("ISSUER");
  sub->add_flag("--uma", opts->uma, "also fetch and check /.well-known/uma2-configuration");
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate discover https://sso.example.com/realms/demo
  tollgate discover https://sso.example.com/realms/demo --uma --json | jq .
  tollgate discover https://sso.example.com/realms/demo/.well-known/openid-configuration

Checks: the issuer equals the one asked for exactly (OpenID Connect Discovery 4.3), the required
fields are present, and every endpoint uses https (plain http is accepted on loopback hosts or
with --allow-http). Exit 1 when a check fails, 3 when the document cannot be fetched.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_discover(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("discover", 40, setup_discover);

} // namespace tollgate::cli
