// tollgate uma rpt: obtain (or upgrade) a requesting party token.
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/table.hpp"
#include "cli/uma_common.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

namespace uma = core::uma;
using core::util::Json;

struct RptOptions {
  UmaFlags uma;
  std::vector<std::string> permissions;
  std::string rpt;
};

int run_rpt(const RptOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(auto perms, parse_permissions(o.permissions));
  if (auto ok = stdin_once(o.uma, {{"--rpt", o.rpt}}); !ok) {
    return report(env, ok.error());
  }
  std::string old;
  if (!o.rpt.empty()) {
    TOLLGATE_TRY_EXIT(old, read_token_argument(o.rpt, env, 1024 * 1024));
  }
  TOLLGATE_TRY_EXIT(auto ctx, UmaContext::open(o.uma, env));
  TOLLGATE_TRY_EXIT(auto transport, ctx->ticket_transport(!perms.empty()));
  TOLLGATE_TRY_EXIT(
      auto r,
      uma::request_rpt(
          transport, ctx->audience(), perms, ctx->claim_token(), ctx->subject_token(), old));
  if (!r.granted) {
    const bool denied =
        r.idp_error && r.idp_error->status == 403 && r.idp_error->error == "access_denied";
    if (denied) {
      note(env, r.message);
      return kExitNegative;
    }
    return report_undecided(env, r.message);
  }
  if (o.uma.output.json) {
    print_json(env, Json{{"response", r.response}, {"permissions", r.permissions}});
    return kExitOk;
  }
  const std::string token = r.response["access_token"].get<std::string>();
  std::fwrite(token.data(), 1, token.size(), env.out);
  std::fputc('\n', env.out);
  if (env.stderr_tty) {
    std::vector<std::string> granted;
    for (const auto& p : r.permissions) {
      std::string name =
          p.contains("rsname") && p["rsname"].is_string()
              ? p["rsname"].get<std::string>()
              : (p.contains("rsid") && p["rsid"].is_string() ? p["rsid"].get<std::string>()
                                                             : std::string());
      std::vector<std::string> scopes;
      if (p.contains("scopes") && p["scopes"].is_array()) {
        for (const auto& s : p["scopes"]) {
          if (s.is_string()) {
            scopes.push_back(s.get<std::string>());
          }
        }
      }
      granted.push_back(scopes.empty() ? name : name + "#" + core::util::join(scopes, ","));
    }
    note(env,
         fmt::format("RPT with {} permission{}: {}",
                     granted.size(),
                     granted.size() == 1 ? "" : "s",
                     core::util::join(granted, " ")));
  }
  return kExitOk;
}

} // namespace

void setup_uma_rpt(CLI::App& uma, Runner& runner) {
  auto opts = std::make_shared<RptOptions>();
  auto* sub = uma.add_subcommand(
      "rpt", "obtain a requesting party token (RPT) holding the granted permissions");
  sub->add_option("permission",
                  opts->permissions,
                  "RESOURCE#SCOPE1,SCOPE2, RESOURCE or #SCOPE (default: all the caller can get)")
      ->type_name("PERMISSION");
  sub->add_option("--rpt",
                  opts->rpt,
                  "upgrade this earlier RPT (@FILE, - for stdin): its permissions are kept")
      ->type_name("RPT");
  add_uma_flags(sub, opts->uma, true);
  sub->footer(R"(EXAMPLES
  RPT=$(tollgate uma rpt 'Report#view' --audience reports-api --profile dev --token @user.jwt)
  tollgate uma rpt 'Report#edit' --rpt "$RPT" --audience reports-api --token @user.jwt --json

Prints the RPT on stdout (--json: {"response":{...},"permissions":[...]}, the permissions decoded
from the RPT's authorization claim, not verified). Exit 0 issued, 1 denied, 2 usage, 3 when the
IdP could not decide.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->uma.output.color);
      return run_rpt(*opts, env);
    };
  });
}

} // namespace tollgate::cli
