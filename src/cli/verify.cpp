// tollgate verify: check a token's signature and claims against configured keys.
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/key_source.hpp"
#include "cli/net_options.hpp"
#include "cli/verify_output.hpp"
#include "core/batch/pipeline.hpp"
#include "core/jose/token.hpp"
#include "core/util/interrupt.hpp"
#include "core/util/time.hpp"
#include "core/verify/verifier.hpp"

#include <fmt/format.h>

#include <atomic>

namespace tollgate::cli {
namespace {

struct VerifyOptions {
  std::string token;
  KeySourceOptions keys;
  NetFlags net;
  std::vector<std::string> algs;
  double leeway = 0;
  std::string at;
  std::string iss;
  std::vector<std::string> aud;
  std::vector<std::string> require;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  std::vector<std::string> typ;
  bool allow_missing_exp = false;
  bool allow_weak_keys = false;
  std::size_t max_token_bytes = core::verify::kDefaultMaxTokenBytes;
  bool batch = false;
  unsigned jobs = 1;
  OutputOptions output;
};

core::Result<core::verify::Policy> make_policy(const VerifyOptions& o) {
  core::verify::Policy p;
  for (const auto& a : o.algs) {
    if (core::jose::find_alg(a) == nullptr) {
      return core::usage_error("bad_alg",
                               fmt::format("--alg {}: not a supported algorithm (HS256/384/512, "
                                           "RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)",
                                           a));
    }
  }
  if (o.leeway < 0 || o.leeway > 86400 * 365) {
    return core::usage_error(
        "bad_leeway", fmt::format("--leeway {}: use 0 or a positive number of seconds", o.leeway));
  }
  p.algs = o.algs;
  p.allow_weak_keys = o.allow_weak_keys;
  p.max_token_bytes = o.max_token_bytes;
  p.claims.leeway = o.leeway;
  p.claims.allow_missing_exp = o.allow_missing_exp;
  if (!o.iss.empty()) {
    p.claims.iss = o.iss;
  }
  p.claims.aud = o.aud;
  p.claims.required = o.require;
  p.claims.roles = o.roles;
  p.claims.scopes = o.scopes;
  p.claims.typ = o.typ;
  return p;
}

int run_batch(const VerifyOptions& o,
              KeyProvider& provider,
              const core::verify::Policy& policy,
              double now,
              Env& env) {
  if (!o.token.empty()) {
    return report(env,
                  core::usage_error(
                      "usage", "--batch reads tokens from stdin, one per line; do not pass TOKEN"));
  }
  if (env.stdin_tty) {
    return report(
        env,
        core::usage_error("usage",
                          "--batch reads tokens from stdin, one per line: pipe or redirect them"));
  }
  if (o.jobs > 1024) {
    return report(
        env,
        core::usage_error("usage", fmt::format("--jobs {}: use 0 (every CPU) to 1024", o.jobs)));
  }
  core::batch::Options bo;
  bo.jobs = o.jobs == 0 ? core::batch::available_cpus() : o.jobs;
  bo.max_line_bytes = o.max_token_bytes + 4096;
  std::atomic<std::uint64_t> invalid{0}, valid{0};
  core::util::set_cooperative(true);
  // Each worker has its own Verifier over the shared key set; when a token names an unknown kid,
  // the worker first adopts a set another worker already refetched, else asks the provider for
  // one refetch (rate-limited to one per 10 s per URL inside this process).
  struct Worker {
    std::shared_ptr<const core::keys::KeySet> keys;
    std::unique_ptr<core::verify::Verifier> verifier;
    core::verify::Outcome outcome;
  };
  auto make_worker = [&](unsigned) -> core::batch::ChunkFn {
    auto w = std::make_shared<Worker>();
    w->keys = provider.keys();
    w->verifier = std::make_unique<core::verify::Verifier>(*w->keys, policy);
    return [w, &provider, &policy, &env, now, &invalid, &valid](
               std::span<const core::batch::Line> lines, std::string& out) {
      std::uint64_t bad = 0, good = 0;
      for (const auto& line : lines) {
        core::verify::Outcome& r = w->outcome;
        if (line.too_long) {
          r = core::verify::Outcome{};
          r.error_code = "malformed";
          r.error_message = "the line is longer than the token size limit (--max-token-bytes)";
          append_batch_line(out, line.number, r);
          ++bad;
          continue;
        }
        const std::string_view token = core::jose::normalize_token_text(line.text);
        if (token.empty()) {
          continue; // empty lines are skipped
        }
        w->verifier->verify(token, now, false, r);
        if (!r.valid && r.error_code == "key_not_found") {
          auto latest = provider.keys();
          if (latest == w->keys) {
            auto fresh = provider.refresh_for_unknown_kid();
            if (!fresh) {
              warn(env, "cannot refetch the JWKS: " + fresh.error().message);
              latest = nullptr;
            } else {
              latest = *fresh;
            }
          }
          if (latest && latest != w->keys) {
            w->keys = latest;
            w->verifier = std::make_unique<core::verify::Verifier>(*w->keys, policy);
            w->verifier->verify(token, now, false, r);
          }
        }
        append_batch_line(out, line.number, r);
        r.valid ? ++good : ++bad;
      }
      invalid += bad;
      valid += good;
    };
  };
  auto write = [&env](std::string_view text) {
    return std::fwrite(text.data(), 1, text.size(), env.out) == text.size();
  };
  auto stats = core::batch::run_lines(0, write, bo, make_worker);
  std::fflush(env.out);
  if (!stats) {
    return report(env, stats.error());
  }
  if (stats->interrupted) {
    fmt::print(env.err,
               "tollgate: interrupted after {} tokens ({} valid, {} invalid)\n",
               valid + invalid,
               valid.load(),
               invalid.load());
    return kExitInterrupted;
  }
  return invalid > 0 ? kExitNegative : kExitOk;
}

int run_verify(const VerifyOptions& o, Env& env) {
  auto policy = make_policy(o);
  if (!policy) {
    return report(env, policy.error());
  }
  double now = core::util::SystemClock().now();
  if (!o.at.empty()) {
    auto at = core::util::parse_instant(o.at);
    if (!at) {
      return report(env, core::usage_error("bad_time", "--at: " + at.error().message));
    }
    now = *at;
  }
  auto provider = KeyProvider::open(o.keys, o.net, env);
  if (!provider) {
    return report(env, provider.error());
  }
  KeyProvider& keys = **provider;
  if (!policy->claims.iss && !keys.implied_issuer().empty()) {
    policy->claims.iss = keys.implied_issuer(); // keys from discovery belong to that issuer
  }
  if (o.batch) {
    return run_batch(o, keys, *policy, now, env);
  }
  core::verify::Outcome outcome;
  auto set = keys.keys();
  auto token = read_token_argument(o.token, env, o.max_token_bytes);
  if (!token) {
    if (token.error().code != "too_large" && token.error().code != "bad_token_chars") {
      return report(env, token.error());
    }
    // An oversized or garbled token is a verdict (malformed), not a usage error.
    outcome.error_code = "malformed";
    outcome.error_message = token.error().message;
    outcome.checks.push_back(
        {"format", core::claims::CheckStatus::fail, outcome.error_message, "malformed"});
  } else {
    core::verify::Verifier verifier(*set, *policy);
    verifier.verify(*token, now, true, outcome);
    if (!outcome.valid && outcome.error_code == "key_not_found") {
      // Key rotation: one refetch of a remote JWKS, even when the cached copy is fresh.
      auto fresh = keys.refresh_for_unknown_kid();
      if (!fresh) {
        return report(env, fresh.error());
      }
      if (*fresh) {
        set = *fresh;
        core::verify::Verifier again(*set, *policy);
        again.verify(*token, now, true, outcome);
      }
    }
  }
  if (o.output.json) {
    print_json(env, verdict_json(outcome, *set));
  } else {
    const std::string text = verdict_text(outcome, *set, env.color_out);
    std::fwrite(text.data(), 1, text.size(), env.out);
  }
  return outcome.valid ? kExitOk : kExitNegative;
}

void setup_verify(CLI::App& app, Runner& runner) {
  auto o = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand("verify",
                                 "verify a token's signature and claims, and explain every check");
  sub->add_option("token",
                  o->token,
                  "the token, @FILE, or - for stdin (default: stdin when it is not a terminal)")
      ->type_name("TOKEN");
  add_key_source_options(sub, o->keys);
  add_net_flags(sub, o->net);
  sub->add_option("--alg", o->algs, "allowed algorithm (repeatable); default: what the key permits")
      ->type_name("ALG");
  sub->add_option(
         "--leeway", o->leeway, "clock skew allowed for exp, nbf and iat, in seconds (default 0)")
      ->type_name("SECONDS");
  sub->add_option("--at", o->at, "verify as of this instant: RFC 3339 or unix seconds")
      ->type_name("TIME");
  sub->add_option("--iss", o->iss, "required issuer (exact match)")->type_name("ISSUER");
  sub->add_option(
         "--aud", o->aud, "accepted audience (repeatable; the token's aud must contain one)")
      ->type_name("AUDIENCE");
  sub->add_option("--require", o->require, "claim that must be present (repeatable)")
      ->type_name("CLAIM");
  sub->add_option(
         "--require-role", o->roles, "realm role ROLE, or client role CLIENT:ROLE (repeatable)")
      ->type_name("ROLE");
  sub->add_option(
         "--require-scope", o->scopes, "scope that must be in the token's scope claim (repeatable)")
      ->type_name("SCOPE");
  sub->add_option(
         "--typ", o->typ, "accepted header typ (repeatable); default: absent, JWT or at+jwt")
      ->type_name("TYPE");
  sub->add_flag(
      "--allow-missing-exp", o->allow_missing_exp, "accept tokens without exp (they never expire)");
  sub->add_flag("--allow-weak-keys",
                o->allow_weak_keys,
                "accept RSA keys under 2048 bits and short HMAC secrets");
  sub->add_option("--max-token-bytes",
                  o->max_token_bytes,
                  "refuse tokens larger than this (default 1048576)")
      ->type_name("BYTES");
  sub->add_flag(
      "--batch", o->batch, "read one token per line from stdin, print one JSON line per token");
  sub->add_option("--jobs",
                  o->jobs,
                  "with --batch: worker threads (default 1; 0 = every CPU this process may use)")
      ->type_name("N");
  add_output_options(sub, o->output);
  sub->footer(R"(EXAMPLES
  tollgate verify @token.txt --jwks jwks.json --iss https://sso.example.com/realms/demo --aud reports-api
  tollgate verify "$TOKEN" --key pub.pem --leeway 30 --require-role reports-api:viewer
  tollgate verify @token.txt --secret-file hs.secret --alg HS256 --json | jq .error
  tollgate verify @old.jwt --jwks jwks.json --at 2026-11-22T10:14:00Z
  tollgate verify "$TOKEN" --issuer https://sso.example.com/realms/demo --aud reports-api
  tollgate verify --jwks jwks.json --batch --jobs 0 < tokens.txt > results.ndjson

Exit: 0 valid, 1 invalid (including malformed tokens), 2 usage or unreadable key/input,
3 the JWKS or discovery document could not be fetched.)");
  sub->callback([o, &runner] {
    runner = [o](Env& env) {
      apply_color(env, o->output.color);
      return run_verify(*o, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("verify", 20, setup_verify);

} // namespace tollgate::cli
