// tollgate uma permissions: what the caller is granted (Keycloak's response_mode=permissions).
#include "cli/exit.hpp"
#include "cli/table.hpp"
#include "cli/uma_common.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

namespace uma = core::uma;
using core::util::Json;

struct PermissionsOptions {
  UmaFlags uma;
  std::vector<std::string> permissions;
};

// The scopes of a permission entry as one cell; "(whole resource)" when it has none.
std::string scopes_cell(const Json& o) {
  std::vector<std::string> scopes;
  if (o.is_object() && o.contains("scopes") && o["scopes"].is_array()) {
    for (const auto& s : o["scopes"]) {
      if (s.is_string()) {
        scopes.push_back(s.get<std::string>());
      }
    }
  }
  return scopes.empty() ? "(all scopes)" : core::util::join(scopes, ",");
}

int run_permissions(const PermissionsOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(auto perms, parse_permissions(o.permissions));
  TOLLGATE_TRY_EXIT(auto ctx, UmaContext::open(o.uma, env));
  TOLLGATE_TRY_EXIT(auto transport, ctx->ticket_transport(!perms.empty()));
  TOLLGATE_TRY_EXIT(
      auto r,
      uma::request_permissions(
          transport, ctx->audience(), perms, ctx->claim_token(), ctx->subject_token()));
  if (!r.decided) {
    if (o.uma.output.json) {
      print_json(env, Json::array());
    }
    return report_undecided(env, r.message);
  }
  const int rc = r.granted.empty() ? kExitNegative : kExitOk;
  if (o.uma.output.json) {
    print_json(env, r.granted);
  } else if (r.granted.empty()) {
    note(env, r.message.empty() ? "no permission granted" : r.message);
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : r.granted) {
      const std::string name = string_member(g, "rsname");
      const std::string id = string_member(g, "rsid");
      rows.push_back({name.empty() && id.empty() ? "(scope only)" : name, id, scopes_cell(g)});
    }
    const std::string out = render_table({"RESOURCE", "ID", "SCOPES"}, rows, Style(env.color_out));
    std::fwrite(out.data(), 1, out.size(), env.out);
  }
  return rc;
}

} // namespace

void setup_uma_permissions(CLI::App& uma, Runner& runner) {
  auto opts = std::make_shared<PermissionsOptions>();
  auto* sub = uma.add_subcommand(
      "permissions",
      "list the permissions the IdP grants (all the caller can get when none is given)");
  sub->add_option("permission",
                  opts->permissions,
                  "RESOURCE#SCOPE1,SCOPE2, RESOURCE or #SCOPE to ask about (default: every "
                  "resource of the resource server)")
      ->type_name("PERMISSION");
  add_uma_flags(sub, opts->uma, true);
  sub->footer(R"(EXAMPLES
  tollgate uma permissions --audience reports-api --profile dev --token @user.jwt
  tollgate uma permissions 'Report#view,edit' --audience reports-api --token "$T" --json

Exit 0 when at least one permission is granted, 1 when none is, 2 usage, 3 when the IdP could
not decide.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->uma.output.color);
      return run_permissions(*opts, env);
    };
  });
}

} // namespace tollgate::cli
