// tollgate profile list|show: the named profiles of $XDG_CONFIG_HOME/tollgate/config.yaml.
#include "core/oidc/profile.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "cli/table.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace tollgate::cli {
namespace {

using core::oidc::Profile;
using core::util::Json;

std::vector<std::pair<std::string, std::string>> settings(const Profile& p) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* k, const std::optional<std::string>& v) {
    if (v) {
      out.emplace_back(k, *v);
    }
  };
  add("issuer", p.issuer);
  add("token_endpoint", p.token_endpoint);
  add("client_id", p.client_id);
  add("client_secret_file", p.client_secret_file);
  add("client_auth", p.client_auth);
  add("audience", p.audience);
  if (p.timeout_ms) {
    out.emplace_back("timeout_ms", std::to_string(*p.timeout_ms));
  }
  add("cacert", p.cacert);
  return out;
}

Json to_json(const Profile& p) {
  Json j = Json::object();
  j["name"] = p.name;
  for (const auto& [k, v] : settings(p)) {
    j[k] = k == "timeout_ms" ? Json(std::stol(v)) : Json(v);
  }
  return j;
}

core::Result<core::oidc::ProfileFile> load() {
  return core::oidc::load_profiles(config_path(), std::getenv("HOME"));
}

std::string active_name() {
  const char* v = std::getenv("TOLLGATE_PROFILE");
  return v != nullptr ? v : "";
}

int run_list(const OutputOptions& o, Env& env) {
  TOLLGATE_TRY_EXIT(auto file, load());
  const std::string active = active_name();
  if (o.json) {
    Json doc = Json::object();
    doc["file"] = file.path;
    doc["exists"] = file.exists;
    doc["active"] = active.empty() ? Json(nullptr) : Json(active);
    Json list = Json::array();
    for (const auto& p : file.profiles) {
      list.push_back(to_json(p));
    }
    doc["profiles"] = std::move(list);
    print_json(env, doc);
    return kExitOk;
  }
  const Style s(env.color_out);
  std::string out =
      fmt::format("{} {}{}\n",
                  s.bold("config file"),
                  file.path.empty() ? "(none: set HOME or XDG_CONFIG_HOME)" : file.path,
                  file.exists ? "" : " (does not exist)");
  if (file.profiles.empty()) {
    out += "no profiles\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : file.profiles) {
      rows.push_back({p.name == active ? "*" : "",
                      p.name,
                      p.issuer.value_or(p.token_endpoint.value_or("-")),
                      p.client_id.value_or("-")});
    }
    out += render_table({"", "NAME", "ISSUER", "CLIENT_ID"}, rows, s);
  }
  std::fwrite(out.data(), 1, out.size(), env.out);
  return kExitOk;
}

int run_show(const std::string& name_arg, const OutputOptions& o, Env& env) {
  const std::string name = name_arg.empty() ? active_name() : name_arg;
  if (name.empty()) {
    return report(
        env, core::usage_error("no_profile", "which profile? pass NAME or set TOLLGATE_PROFILE"));
  }
  TOLLGATE_TRY_EXIT(auto file, load());
  TOLLGATE_TRY_EXIT(const Profile* p, core::oidc::select_profile(file, name));
  if (o.json) {
    print_json(env, to_json(*p));
    return kExitOk;
  }
  const Style s(env.color_out);
  auto pairs = settings(*p);
  pairs.insert(pairs.begin(), {"profile", fmt::format("{} ({}:{})", p->name, file.path, p->line)});
  const std::string out = render_pairs(pairs, s);
  std::fwrite(out.data(), 1, out.size(), env.out);
  return kExitOk;
}

void setup_profile(CLI::App& app, Runner& runner) {
  auto* sub = app.add_subcommand("profile", "list or show the named profiles of the config file");
  sub->require_subcommand(1);
  sub->footer(
      R"(Profiles live in $XDG_CONFIG_HOME/tollgate/config.yaml (default ~/.config/tollgate/config.yaml).

EXAMPLES
  tollgate profile list
  tollgate profile show dev
  TOLLGATE_PROFILE=dev tollgate token)");
  auto list_opts = std::make_shared<OutputOptions>();
  auto* list = sub->add_subcommand("list", "list the profiles (* marks $TOLLGATE_PROFILE)");
  add_output_options(list, *list_opts);
  list->callback([list_opts, &runner] {
    runner = [list_opts](Env& env) {
      apply_color(env, list_opts->color);
      return run_list(*list_opts, env);
    };
  });
  struct ShowOptions {
    std::string name;
    OutputOptions output;
  };
  auto show_opts = std::make_shared<ShowOptions>();
  auto* show = sub->add_subcommand("show", "show one profile's settings (never the secret itself)");
  show->add_option("name", show_opts->name, "the profile (default: $TOLLGATE_PROFILE)")
      ->type_name("NAME");
  add_output_options(show, show_opts->output);
  show->callback([show_opts, &runner] {
    runner = [show_opts](Env& env) {
      apply_color(env, show_opts->output.color);
      return run_show(show_opts->name, show_opts->output, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("profile", 65, setup_profile);

} // namespace tollgate::cli
