// tollgate jwks: show and check the keys of a JWKS file, URL or issuer.
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/net_options.hpp"
#include "cli/render.hpp"
#include "cli/table.hpp"
#include "core/keys/jwk.hpp"
#include "core/keys/jwks_report.hpp"
#include "core/oidc/jwks_source.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

using core::util::Json;

constexpr std::size_t kMaxJwksFileBytes = 16 * 1024 * 1024;

struct JwksOptions {
  std::string source;
  std::string issuer;
  std::string at;
  bool strict = false;
  NetFlags net;
  OutputOptions output;
};

bool is_url(const std::string& s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

struct Loaded {
  Json doc;
  core::keys::KeySet set;
  std::string label;
  std::string provenance; // "" for files
};

core::Result<Loaded> load(const JwksOptions& o, const core::oidc::Profile* profile, Env& env) {
  Loaded l;
  std::string issuer = o.issuer;
  if (o.source.empty() && issuer.empty() && profile != nullptr && profile->issuer) {
    issuer = *profile->issuer;
  }
  if (!o.source.empty() && !o.issuer.empty()) {
    return core::usage_error("bad_flags", "give either a FILE or URL, or --issuer, not both");
  }
  if (o.source.empty() && issuer.empty()) {
    return core::usage_error("no_jwks", "no JWKS: pass FILE, URL, - (stdin) or --issuer ISSUER");
  }
  if (!o.source.empty() && !is_url(o.source)) {
    TOLLGATE_TRY(std::string text, read_file_or_stdin(o.source, kMaxJwksFileBytes, "JWKS file"));
    l.label = o.source == "-" ? "JWKS on stdin" : fmt::format("JWKS file {}", o.source);
    TOLLGATE_TRY(l.doc, core::util::parse_json_strict(text, l.label));
    TOLLGATE_TRY(l.set, core::keys::keyset_from_json(l.doc, l.label));
    return l;
  }
  TOLLGATE_TRY(auto net, Net::open(o.net, profile, env));
  std::string url = o.source;
  if (url.empty()) {
    TOLLGATE_TRY(url, net->endpoint("", issuer, "jwks_uri", "URL"));
  }
  TOLLGATE_TRY(auto fetched, core::cache::fetch_json(net->fetch(), url));
  net->print_warnings(fetched.warnings);
  TOLLGATE_TRY(l.set, core::oidc::keyset_from_jwks_document(fetched.doc, url));
  l.doc = std::move(fetched.doc);
  l.label = fmt::format("JWKS {}", url);
  l.provenance = describe_fetch(fetched, !o.net.no_cache);
  return l;
}

int run_jwks(const JwksOptions& o, Env& env) {
  double now = core::util::SystemClock().now();
  if (!o.at.empty()) {
    TOLLGATE_TRY_EXIT(now, core::util::parse_instant(o.at));
  }
  TOLLGATE_TRY_EXIT(auto profile, selected_profile(o.net.profile));
  TOLLGATE_TRY_EXIT(auto loaded, load(o, profile ? &*profile : nullptr, env));
  const core::keys::JwksReport report = core::keys::inspect_jwks(loaded.doc, loaded.set, now);
  const bool fail = o.strict && !report.warnings.empty();
  if (o.output.json) {
    Json doc = Json::object();
    doc["source"] = loaded.label;
    Json keys = Json::array();
    for (const auto& r : report.rows) {
      Json k = Json::object();
      k["index"] = r.index;
      k["kid"] = r.has_kid ? Json(r.kid) : Json(nullptr);
      k["kty"] = r.kty;
      k["alg"] = r.alg.empty() ? Json(nullptr) : Json(r.alg);
      k["use"] = r.use.empty() ? Json(nullptr) : Json(r.use);
      k["size"] = r.size;
      k["thumbprint"] = r.thumbprint;
      k["x5c_subject"] = r.x5c_subject.empty() ? Json(nullptr) : Json(r.x5c_subject);
      k["x5c_not_before"] =
          r.x5c_not_before ? Json(core::util::format_instant(*r.x5c_not_before)) : Json(nullptr);
      k["x5c_not_after"] =
          r.x5c_not_after ? Json(core::util::format_instant(*r.x5c_not_after)) : Json(nullptr);
      k["usable"] = r.problem.empty();
      keys.push_back(std::move(k));
    }
    doc["keys"] = std::move(keys);
    Json warnings = Json::array();
    for (const auto& w : report.warnings) {
      warnings.push_back({{"key", w.index == 0 ? Json(nullptr) : Json(w.index)},
                          {"code", w.code},
                          {"message", w.message}});
    }
    doc["warnings"] = std::move(warnings);
    print_json(env, doc);
    return fail ? kExitNegative : kExitOk;
  }
  const Style s(env.color_out);
  std::string out;
  out += s.bold(loaded.label) + (loaded.provenance.empty() ? "" : "  " + loaded.provenance) + "\n";
  bool any_x5c = false;
  for (const auto& r : report.rows) {
    any_x5c = any_x5c || !r.x5c_subject.empty();
  }
  std::vector<std::string> header = {
      "#", "KID", "KTY", "ALG", "USE", "SIZE", "THUMBPRINT (SHA-256)"};
  if (any_x5c) {
    header.push_back("X5C SUBJECT");
    header.push_back("NOT AFTER");
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : report.rows) {
    std::vector<std::string> row = {std::to_string(r.index),
                                    r.has_kid ? r.kid : "-",
                                    r.kty,
                                    r.alg.empty() ? "-" : r.alg,
                                    r.use.empty() ? "-" : r.use,
                                    r.size.empty() ? "-" : r.size,
                                    r.thumbprint.empty() ? "-" : r.thumbprint};
    if (any_x5c) {
      row.push_back(r.x5c_subject.empty() ? "-" : r.x5c_subject);
      row.push_back(r.x5c_not_after ? core::util::format_instant(*r.x5c_not_after) : "-");
    }
    rows.push_back(std::move(row));
  }
  out += render_table(header, rows, s);
  for (const auto& w : report.warnings) {
    out += s.yellow("warning") + ": " + w.message + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), env.out);
  return fail ? kExitNegative : kExitOk;
}

void setup_jwks(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<JwksOptions>();
  auto* sub = app.add_subcommand("jwks", "show and check the keys of a JWKS file, URL or issuer");
  sub->add_option("source", opts->source, "a JWKS FILE, - for stdin, or an https:// URL")
      ->type_name("FILE|URL");
  sub->add_option("--issuer", opts->issuer, "discover the issuer's jwks_uri and show its keys")
      ->type_name("ISSUER");
  sub->add_flag("--strict", opts->strict, "exit 1 when there is any warning");
  sub->add_option("--at",
                  opts->at,
                  "check certificate validity as of TIME (unix seconds or RFC 3339) instead of now")
      ->type_name("TIME");
  add_net_flags(sub, opts->net);
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate jwks https://sso.example.com/realms/demo/protocol/openid-connect/certs
  tollgate jwks --issuer https://sso.example.com/realms/demo
  tollgate jwks keys.json --strict
  tollgate jwks --issuer https://sso.example.com/realms/demo --json | jq -r '.keys[].kid'

Warnings: duplicate or missing kid, weak or unusable keys, symmetric keys, private key material,
x5c certificates that are expired, not yet valid, or hold another key than n/e. They do not
change the exit status unless --strict.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_jwks(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("jwks", 45, setup_jwks);

} // namespace tollgate::cli
