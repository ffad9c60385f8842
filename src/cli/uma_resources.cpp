// tollgate uma resources: look resources up through the protection API (resource_set).
#include "cli/exit.hpp"
#include "cli/table.hpp"
#include "cli/uma_common.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

namespace uma = core::uma;
using core::util::Json;

struct ResourcesOptions {
  UmaFlags uma;
  uma::ResourceQuery query;
  long max = -1;
};

// Names of a list of scopes, strings or {"name": ...} objects, under `scopes` (admin form) or
// `resource_scopes` (UMA form).
std::string scope_names(const Json& r) {
  std::vector<std::string> names;
  for (const char* key : {"resource_scopes", "scopes"}) {
    if (!r.contains(key) || !r[key].is_array()) {
      continue;
    }
    for (const auto& s : r[key]) {
      if (s.is_string()) {
        names.push_back(s.get<std::string>());
      } else if (s.is_object() && s.contains("name") && s["name"].is_string()) {
        names.push_back(s["name"].get<std::string>());
      }
    }
    break;
  }
  return core::util::join(names, ",");
}

std::string uris(const Json& r) {
  std::vector<std::string> out;
  if (r.contains("uris") && r["uris"].is_array()) {
    for (const auto& u : r["uris"]) {
      if (u.is_string()) {
        out.push_back(u.get<std::string>());
      }
    }
  } else if (!string_member(r, "uri").empty()) {
    out.push_back(string_member(r, "uri"));
  }
  return core::util::join(out, " ");
}

int run_resources(const ResourcesOptions& o, Env& env) {
  if (o.query.matching_uri && o.query.uri.empty()) {
    return report(env,
                  core::usage_error("bad_flags",
                                    "--match goes with --uri PATH (match PATH against the "
                                    "resources' URI patterns, as Keycloak's PathMatcher does)"));
  }
  TOLLGATE_TRY_EXIT(auto ctx, UmaContext::open(o.uma, env));
  if (!ctx->has_client()) {
    return report(env,
                  core::usage_error("no_client_id",
                                    "the protection API needs a PAT: pass --client-id and the "
                                    "secret of the resource server's client"));
  }
  TOLLGATE_TRY_EXIT(const std::string endpoint, ctx->resource_endpoint());
  TOLLGATE_TRY_EXIT(uma::PatSource * pat_source, ctx->pat());
  TOLLGATE_TRY_EXIT(const std::string pat, pat_source->get(ctx->net().http()));
  uma::ResourceQuery q = o.query;
  if (o.max >= 0) {
    q.max = o.max;
  }
  TOLLGATE_TRY_EXIT(auto found, uma::query_resources(ctx->net().http(), endpoint, pat, q));
  if (o.uma.output.json) {
    print_json(env, found);
    return found.empty() ? kExitNegative : kExitOk;
  }
  if (found.empty()) {
    note(env, "no resource matches");
    return kExitNegative;
  }
  std::vector<Json> resources;
  if (q.deep) {
    resources.assign(found.begin(), found.end());
  } else {
    std::vector<std::string> ids;
    for (const auto& e : found) {
      if (e.is_string()) {
        ids.push_back(e.get<std::string>());
      }
    }
    TOLLGATE_TRY_EXIT(resources, uma::fetch_resources(ctx->net().http(), endpoint, pat, ids));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : resources) {
    rows.push_back({string_member(r, "name"),
                    string_member(r, "_id"),
                    string_member(r, "type"),
                    uris(r),
                    scope_names(r)});
  }
  const std::string out =
      render_table({"NAME", "ID", "TYPE", "URIS", "SCOPES"}, rows, Style(env.color_out));
  std::fwrite(out.data(), 1, out.size(), env.out);
  return kExitOk;
}

} // namespace

void setup_uma_resources(CLI::App& uma, Runner& runner) {
  auto opts = std::make_shared<ResourcesOptions>();
  auto* sub = uma.add_subcommand(
      "resources", "look up resources of the resource server (protection API, with a PAT)");
  sub->add_option("--uri", opts->query.uri, "resources with this URI (case-insensitive)")
      ->type_name("PATH");
  sub->add_flag("--match",
                opts->query.matching_uri,
                "with --uri: when no URI is equal, match PATH against the URI patterns "
                "(wildcards, {templates}) as Keycloak's PathMatcher does; at most one result");
  sub->add_option("--name", opts->query.name, "resources whose name contains NAME (any case)")
      ->type_name("NAME");
  sub->add_flag("--exact-name", opts->query.exact_name, "with --name: the whole name must match");
  sub->add_option("--type", opts->query.type, "resources whose type contains TYPE (any case)")
      ->type_name("TYPE");
  sub->add_option("--scope", opts->query.scope, "resources that have this scope")
      ->type_name("SCOPE");
  sub->add_flag("--deep", opts->query.deep, "ask for whole resource objects in one request");
  sub->add_option("--max", opts->max, "at most N results (Keycloak's default is 100)")
      ->type_name("N")
      ->check(CLI::Range(0L, 1000000L));
  add_uma_flags(sub, opts->uma, false, false);
  sub->footer(R"(EXAMPLES
  tollgate uma resources --profile rs
  tollgate uma resources --uri /api/orders/17 --match --issuer https://sso.example.com/realms/demo \
      --client-id orders-api --client-secret-file rs.secret
  tollgate uma resources --name report --deep --json --profile rs

The PAT is a client_credentials token of --client-id, which must be the resource server's own
client. Exit 0 when something matched, 1 when nothing did, 2 usage, 3 network or IdP failure.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->uma.output.color);
      return run_resources(*opts, env);
    };
  });
}

} // namespace tollgate::cli
