#pragma once

#include "core/util/error.hpp"
#include "core/util/json.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace tollgate::cli {

// What a subcommand may use of the process: streams and whether they are terminals. Passed in so
// that nothing below main() touches globals for these.
struct Env {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  bool stdin_tty = false;
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool color_out = false; // decided after parsing (--color, NO_COLOR, TERM)
  bool color_err = false;
};

// The function a subcommand's parse callback stores; main runs it after parsing succeeded and
// turns its return value into the exit status.
using Runner = std::function<int(Env&)>;

// A subcommand file registers itself with TOLLGATE_COMMAND; `order` sorts `tollgate --help`.
struct CommandSpec {
  const char* name;
  int order;
  void (*setup)(CLI::App& parent, Runner& runner);
};
std::vector<CommandSpec>& command_registry();
struct CommandRegistrar {
  explicit CommandRegistrar(CommandSpec spec) { command_registry().push_back(spec); }
};
#define TOLLGATE_COMMAND(name, order, setup_fn)                                                    \
  static const ::tollgate::cli::CommandRegistrar tollgate_command_registrar_##setup_fn {           \
    ::tollgate::cli::CommandSpec {                                                                 \
      name, order, setup_fn                                                                        \
    }                                                                                              \
  }

// Options every subcommand has: --json and --color.
struct OutputOptions {
  bool json = false;
  std::string color = "auto";
};
void add_output_options(CLI::App* sub, OutputOptions& opts, bool with_json = true);

// Decide colour for both streams from --color, NO_COLOR, CLICOLOR_FORCE and TERM.
void apply_color(Env& env, const std::string& mode);

// Restrict an option to a fixed set of values and record them for the shell completions.
CLI::Option* choices(CLI::Option* opt, std::initializer_list<const char*> values);
const std::vector<std::string>* choices_of(const CLI::Option* opt);

// One stderr line "tollgate: <message>" (colour on a terminal) and the exit status for `e`.
int report(Env& env, const core::Error& e);
void warn(Env& env, const std::string& message);
void note(Env& env, const std::string& message);

// Print a JSON document on stdout: 2-space indented (or one line), coloured only when asked
// (`--json` output never is).
void print_json(Env& env, const core::util::Json& doc, bool pretty = true, bool color = false);

} // namespace tollgate::cli
