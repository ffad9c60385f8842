// tollgate lint: check KrakenD and APISIX gateway configs the way the gateways behave.
#include "core/lint/lint.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/lint_text.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "core/cache/fetch.hpp"
#include "core/lint/online.hpp"
#include "core/lint/report.hpp"
#include "core/util/file.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

// Configs of 10 000 endpoints are ~10 MB; this leaves room while refusing runaway inputs.
constexpr std::size_t kMaxConfigBytes = 256u * 1024 * 1024;

struct LintCliOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string gateway;
  bool strict = false;
  bool list_rules = false;
  std::vector<std::string> disable;
  std::vector<std::string> enable;
  bool online = false;
  NetFlags net;
  OutputOptions output;
};

// The online rules' view of the network: JSON documents through the cache and the HTTP policy
// (https only, except loopback or --allow-http; timeouts; size caps).
class NetProbe final : public core::lint::LintOnlineProbe {
public:
  explicit NetProbe(Net& net) : m_net(net) {}
  core::Result<core::util::Json> fetch_json(const std::string& url) override {
    auto got = core::cache::fetch_json(m_net.fetch(), url);
    if (!got) {
      return std::move(got).error();
    }
    m_net.print_warnings(got->warnings);
    return std::move(got->doc);
  }

private:
  Net& m_net;
};

int list_rules(const LintCliOptions& o, Env& env) {
  if (o.format == "json" || o.output.json) {
    print_json(env, core::lint::rules_json());
  } else {
    const std::string text = render_rule_list(Style(env.color_out));
    std::fwrite(text.data(), 1, text.size(), env.out);
  }
  return kExitOk;
}

core::lint::FileReport read_and_lint(const std::string& path, const core::lint::LintOptions& opts) {
  auto text = path == "-" ? core::util::read_stream(0, kMaxConfigBytes, "stdin")
                          : core::util::read_file(path, kMaxConfigBytes, "config file");
  if (!text) {
    core::lint::FileReport rep;
    rep.path = path;
    rep.io_error = text.error().message;
    return rep;
  }
  return core::lint::lint_text(path, std::move(*text), opts);
}

int run_lint(const LintCliOptions& o, Env& env) {
  if (o.list_rules) {
    return list_rules(o, env);
  }
  if (o.files.empty()) {
    return report(
        env,
        core::usage_error("no_input", "no config file given: tollgate lint FILE... (- for stdin)"));
  }
  if (std::count(o.files.begin(), o.files.end(), "-") > 1) {
    return report(env, core::usage_error("stdin_twice", "'-' (stdin) can be given only once"));
  }
  auto rules = core::lint::RuleSet::from_flags(o.disable, o.enable);
  if (!rules) {
    return report(env, rules.error());
  }
  core::lint::LintOptions opts;
  opts.rules = *rules;
  if (!o.gateway.empty()) {
    opts.gateway = o.gateway == "krakend"  ? core::lint::Gateway::krakend
                   : o.gateway == "apisix" ? core::lint::Gateway::apisix
                                           : core::lint::Gateway::adc;
  }
  std::unique_ptr<Net> net;
  std::unique_ptr<NetProbe> probe;
  if (o.online) {
    auto profile = selected_profile(o.net.profile);
    if (!profile) {
      return report(env, profile.error());
    }
    auto opened = Net::open(o.net, *profile ? &**profile : nullptr, env);
    if (!opened) {
      return report(env, opened.error());
    }
    net = std::move(*opened);
    probe = std::make_unique<NetProbe>(*net);
    opts.probe = probe.get();
  }
  std::vector<core::lint::FileReport> reports;
  reports.reserve(o.files.size());
  for (const auto& path : o.files) {
    reports.push_back(read_and_lint(path, opts));
    if (!reports.back().io_error.empty()) {
      report(env, core::usage_error("unreadable", reports.back().io_error));
    }
  }
  core::lint::cross_check(reports, opts);

  const std::string format = o.output.json ? "json" : o.format;
  if (format == "json") {
    print_json(env, core::lint::report_json(reports));
  } else if (format == "sarif") {
    print_json(env, core::lint::report_sarif(reports, TOLLGATE_VERSION));
  } else if (format == "github") {
    const std::string text = core::lint::report_github(reports);
    std::fwrite(text.data(), 1, text.size(), env.out);
  } else {
    const std::string text = render_lint_text(reports, Style(env.color_out), env.stdout_tty);
    std::fwrite(text.data(), 1, text.size(), env.out);
  }
  // "Could not reach the IdP" is not "the config is wrong": when the only errors are the
  // unreachable-document findings of --online, the answer is exit 3 (could not decide).
  std::size_t online_failures = 0;
  bool other_errors = false;
  for (const auto& r : reports) {
    online_failures += r.online_failures;
    for (const auto& f : r.findings) {
      const bool unreachable = f.rule == core::lint::Rule::online_jwks_unreachable
                               || f.rule == core::lint::Rule::online_discovery_unreachable;
      if (!unreachable
          && (f.severity == core::lint::Severity::error
              || (o.strict && f.severity == core::lint::Severity::warning))) {
        other_errors = true;
      }
    }
  }
  const auto v = core::lint::verdict(reports, o.strict);
  if (v != core::lint::Verdict::unreadable && online_failures > 0 && !other_errors) {
    return kExitNetwork;
  }
  switch (v) {
  case core::lint::Verdict::ok:
    return kExitOk;
  case core::lint::Verdict::negative:
    return kExitNegative;
  case core::lint::Verdict::unreadable:
    return kExitUsage;
  }
  return kExitInternal;
}

void setup_lint(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<LintCliOptions>();
  auto* sub = app.add_subcommand(
      "lint", "check KrakenD and APISIX gateway configs the way the gateways behave");
  sub->add_option("files", opts->files, "config files (JSON or YAML), - for stdin")
      ->type_name("FILE...");
  choices(sub->add_option("--format",
                          opts->format,
                          "output: text (default), json, sarif (SARIF 2.1.0) or github")
              ->type_name("FORMAT")
              ->default_str("text"),
          {"text", "json", "sarif", "github"});
  sub->add_flag("--strict", opts->strict, "exit 1 on warnings too, not only on errors");
  choices(sub->add_option("--gateway", opts->gateway, "skip detection: krakend, apisix or adc")
              ->type_name("GATEWAY"),
          {"krakend", "apisix", "adc"});
  sub->add_flag("--list-rules",
                opts->list_rules,
                "print every rule with its severity, gateway and why, and exit");
  sub->add_option("--disable", opts->disable, "do not run RULE (an id, prefix/* or *); repeatable")
      ->type_name("RULE")
      ->allow_extra_args(false);
  sub->add_option("--enable", opts->enable, "run RULE even if --disable matched it; repeatable")
      ->type_name("RULE")
      ->allow_extra_args(false);
  sub->add_flag("--online",
                opts->online,
                "also check against the live IdP: jwk_url, issuer, discovery, endpoints");
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate lint krakend.json
  tollgate lint krakend.json --online --timeout 2000
  tollgate lint conf/apisix.yaml routes/*.json --strict
  tollgate lint krakend.json --format sarif > lint.sarif
  tollgate lint --format github krakend.json apisix.yaml
  kubectl get cm gw -o jsonpath='{.data.krakend\.json}' | tollgate lint -
  tollgate lint adc.yaml --gateway adc --disable 'apisix/plaintext-client-secret'
  tollgate lint --list-rules

Silence one finding in YAML with a comment on its line (or alone on the line above):
  # tollgate-lint: disable RULE[,RULE...]
and in KrakenD JSON with a key in the object: "@tollgate-lint": "disable RULE".
Exit: 0 no errors, 1 errors (or warnings with --strict), 2 unreadable or unrecognised input,
3 (--online) no errors found but the IdP could not be reached.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_lint(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("lint", 60, setup_lint);

} // namespace tollgate::cli
