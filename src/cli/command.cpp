#include "cli/command.hpp"

#include "cli/exit.hpp"
#include "cli/render.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <map>

namespace tollgate::cli {

std::vector<CommandSpec>& command_registry() {
  static std::vector<CommandSpec> registry;
  return registry;
}

namespace {
std::map<const CLI::Option*, std::vector<std::string>>& choice_table() {
  static std::map<const CLI::Option*, std::vector<std::string>> table;
  return table;
}

const char* kReset = "\x1b[0m";
const char* kRed = "\x1b[1;31m";
const char* kYellow = "\x1b[1;33m";

} // namespace

void add_output_options(CLI::App* sub, OutputOptions& opts, bool with_json) {
  if (with_json) {
    sub->add_flag("--json", opts.json, "print one JSON document on stdout");
  }
  choices(sub->add_option("--color", opts.color, "colour: auto (terminals only), always, never")
              ->type_name("WHEN")
              ->default_str("auto"),
          {"auto", "always", "never"});
}

void apply_color(Env& env, const std::string& mode) {
  if (mode == "always") {
    env.color_out = env.color_err = true;
    return;
  }
  if (mode == "never") {
    env.color_out = env.color_err = false;
    return;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') {
    env.color_out = env.color_err = false;
    return;
  }
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && *force != '\0' && std::strcmp(force, "0") != 0) {
    env.color_out = env.color_err = true;
    return;
  }
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  env.color_out = env.stdout_tty && !dumb;
  env.color_err = env.stderr_tty && !dumb;
}

CLI::Option* choices(CLI::Option* opt, std::initializer_list<const char*> values) {
  std::vector<std::string> v(values.begin(), values.end());
  opt->check(CLI::IsMember(v));
  choice_table()[opt] = std::move(v);
  return opt;
}

const std::vector<std::string>* choices_of(const CLI::Option* opt) {
  auto it = choice_table().find(opt);
  return it == choice_table().end() ? nullptr : &it->second;
}

int report(Env& env, const core::Error& e) {
  if (env.color_err) {
    fmt::print(env.err, "{}tollgate:{} {}\n", kRed, kReset, e.message);
  } else {
    fmt::print(env.err, "tollgate: {}\n", e.message);
  }
  return exit_code_for(e.cls);
}

void warn(Env& env, const std::string& message) {
  if (env.color_err) {
    fmt::print(env.err, "{}warning:{} {}\n", kYellow, kReset, message);
  } else {
    fmt::print(env.err, "warning: {}\n", message);
  }
}

void note(Env& env, const std::string& message) {
  fmt::print(env.err, "note: {}\n", message);
}

void print_json(Env& env, const core::util::Json& doc, bool pretty, bool color) {
  std::string out = pretty ? render_json(doc, color)
                           : doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), env.out);
}

} // namespace tollgate::cli
