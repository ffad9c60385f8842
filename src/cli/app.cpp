#include "cli/app.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "core/util/interrupt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unistd.h>

namespace tollgate::cli {
namespace {

// The hidden --dump-cli-spec output: the whole option tree as JSON, from which
// scripts/gen-completions writes completions/ (so completions cannot drift from the parser).
core::util::Json describe(const CLI::App& app) {
  using core::util::Json;
  Json j = Json::object();
  j["name"] = app.get_name();
  j["description"] = app.get_description();
  Json options = Json::array();
  Json positionals = Json::array();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) {
      continue; // hidden
    }
    Json o = Json::object();
    o["names"] = Json::array();
    for (const auto& s : opt->get_snames()) {
      o["names"].push_back("-" + s);
    }
    for (const auto& l : opt->get_lnames()) {
      o["names"].push_back("--" + l);
    }
    o["description"] = opt->get_description();
    o["takes_value"] = opt->get_expected_max() != 0;
    o["type"] = opt->get_type_name();
    if (const auto* c = choices_of(opt)) {
      o["choices"] = *c;
    }
    if (opt->get_positional() && o["names"].empty()) {
      o["names"].push_back(opt->get_name());
      positionals.push_back(o);
    } else {
      options.push_back(o);
    }
  }
  j["options"] = options;
  j["positionals"] = positionals;
  Json subs = Json::array();
  for (const CLI::App* sub : app.get_subcommands({})) {
    subs.push_back(describe(*sub));
  }
  j["subcommands"] = subs;
  return j;
}

} // namespace

int run(int argc, char** argv) {
  core::util::install_interrupt_handlers();
  Env env;
  env.stdin_tty = ::isatty(0) == 1;
  env.stdout_tty = ::isatty(1) == 1;
  env.stderr_tty = ::isatty(2) == 1;
  apply_color(env, "auto");

  CLI::App app{"tokens, keys, gateway configs and UMA permissions for OAuth 2 / OpenID Connect",
               "tollgate"};
  app.set_version_flag("--version", "tollgate " TOLLGATE_VERSION, "print the version and exit");
  app.footer("Run 'tollgate SUBCOMMAND --help' for the options of one subcommand, and see\n"
             "tollgate(1) for exit statuses. Exit: 0 ok, 1 negative verdict, 2 usage or input,\n"
             "3 network or IdP, 4 internal error, 130 interrupted.");
  bool dump_spec = false;
  app.add_flag("--dump-cli-spec", dump_spec)->group("");
  app.require_subcommand(0, 1);

  auto& registry = command_registry();
  std::stable_sort(registry.begin(),
                   registry.end(),
                   [](const CommandSpec& a, const CommandSpec& b) { return a.order < b.order; });
  // Only the subcommand named on the command line is built: the options of all the others would
  // cost about a millisecond of start-up. (The top level has no options taking values, so the
  // first argument not starting with '-' names it.) Help, --dump-cli-spec and unknown names see
  // every subcommand.
  std::string_view named;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      break;
    }
    if (!a.empty() && a[0] != '-') {
      named = a;
      break;
    }
  }
  const bool known = std::any_of(
      registry.begin(), registry.end(), [&](const CommandSpec& c) { return named == c.name; });
  Runner runner;
  for (const auto& spec : registry) {
    if (!known || named == spec.name) {
      spec.setup(app, runner);
    }
  }
  // Every (nested) subcommand names its own --help; an unexpected argument that starts with '-'
  // is often an opaque token, which gets a hint.
  std::function<void(CLI::App*)> set_failure = [&](CLI::App* parent) {
    for (CLI::App* sub : parent->get_subcommands({})) {
      sub->failure_message([sub](const CLI::App*, const CLI::Error& e) {
        std::string what = e.what();
        std::string hint;
        if (what.find("not expected: -") != std::string::npos) {
          hint = "A value starting with '-' (an opaque token?) can be given as @FILE, on stdin "
                 "with -, or after --.\n";
        }
        std::string path;
        for (const CLI::App* a = sub; a != nullptr && a->get_parent() != nullptr;
             a = a->get_parent()) {
          path = a->get_name() + (path.empty() ? "" : " " + path);
        }
        return fmt::format(
            "tollgate: {}\n{}Run 'tollgate {} --help' for usage.\n", what, hint, path);
      });
      // A repeatable option takes one value per occurrence: `--aud x TOKEN` must leave TOKEN
      // to the positional, not make it a second audience.
      for (CLI::Option* opt : sub->get_options()) {
        if (opt->get_positional()) {
          continue;
        }
        opt->allow_extra_args(false);
      }
      set_failure(sub);
    }
  };
  set_failure(&app);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("tollgate: {}\nRun 'tollgate --help' for usage.\n", e.what());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Report through the deepest subcommand given, so the hint names its --help.
    CLI::App* target = &app;
    while (!target->get_subcommands().empty()) {
      target = target->get_subcommands().front();
    }
    const int code = target->exit(e, std::cout, std::cerr);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (dump_spec) {
    print_json(env, describe(app));
    return kExitOk;
  }
  if (!runner) {
    std::fputs(app.help().c_str(), stderr);
    return kExitUsage;
  }
  try {
    return runner(env);
  } catch (const std::bad_alloc&) {
    return report(env, core::Error{core::ErrorClass::internal, "internal", "out of memory"});
  } catch (const std::exception& e) {
    return report(env,
                  core::internal_error(
                      fmt::format("internal error: {} (please report this as a bug)", e.what())));
  }
}

} // namespace tollgate::cli
