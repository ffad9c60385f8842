// tollgate sign: mint a signed token for testing gateways.
#include "core/jose/sign.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "core/keys/pem.hpp"
#include "core/util/file.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace tollgate::cli {
namespace {

using core::util::Json;

struct SignOptions {
  std::string key_file;
  std::string secret_file;
  std::string secret_env;
  std::string alg;
  std::string kid;
  std::string claims;
  std::vector<std::string> sets;
  std::string exp;
  bool iat = false;
  std::string at;
  std::string header;
  bool allow_weak_keys = false;
  OutputOptions output;
};

// JSON given inline or as @FILE, which must be an object.
core::Result<Json> json_object_arg(const std::string& value, const std::string& flag) {
  std::string text = value;
  if (!value.empty() && value.front() == '@') {
    TOLLGATE_TRY(text, core::util::read_file(value.substr(1), 4 * 1024 * 1024, flag + " file"));
  }
  TOLLGATE_TRY(auto doc, core::util::parse_json_strict(text, flag));
  if (!doc.is_object()) {
    return core::usage_error("bad_json", fmt::format("{} must be a JSON object", flag));
  }
  return doc;
}

core::Result<core::keys::Key> signing_key(const SignOptions& o) {
  const int given = !o.key_file.empty() + !o.secret_file.empty() + !o.secret_env.empty();
  if (given != 1) {
    return core::usage_error("no_key",
                             "give exactly one of --key FILE (private PEM or JWK), --secret-file "
                             "FILE and --secret-env VAR");
  }
  if (!o.key_file.empty()) {
    TOLLGATE_TRY(auto set, core::keys::load_key_file(o.key_file, "--key", true));
    return std::move(set.keys.front());
  }
  std::string secret;
  if (!o.secret_file.empty()) {
    TOLLGATE_TRY(secret, core::util::read_file(o.secret_file, 64 * 1024, "--secret-file"));
    if (!secret.empty() && secret.back() == '\n') {
      secret.pop_back();
      if (!secret.empty() && secret.back() == '\r') {
        secret.pop_back();
      }
    }
  } else {
    const char* v = std::getenv(o.secret_env.c_str());
    if (v == nullptr || *v == '\0') {
      return core::usage_error(
          "bad_key",
          fmt::format("--secret-env: the environment variable {} is not set or empty",
                      o.secret_env));
    }
    secret = v;
  }
  TOLLGATE_CHECK(core::keys::refuse_key_material(
      secret,
      !o.secret_file.empty() ? fmt::format("--secret-file '{}'", o.secret_file)
                             : fmt::format("--secret-env {}", o.secret_env)));
  return core::keys::key_from_secret(std::move(secret), "the secret");
}

int run_sign(const SignOptions& o, Env& env) {
  auto key = signing_key(o);
  if (!key) {
    return report(env, key.error());
  }
  std::string alg = o.alg;
  if (alg.empty()) {
    if (key->alg.empty()) {
      return report(
          env,
          core::usage_error("no_alg", "--alg is required (the key does not name its algorithm)"));
    }
    alg = key->alg;
  }
  Json claims = Json::object();
  if (!o.claims.empty()) {
    auto c = json_object_arg(o.claims, "--claims");
    if (!c) {
      return report(env, c.error());
    }
    claims = *c;
  }
  for (const auto& s : o.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return report(env, core::usage_error("bad_set", fmt::format("--set {}: use NAME=VALUE", s)));
    }
    const std::string name = s.substr(0, eq), value = s.substr(eq + 1);
    // The value is JSON when it parses as JSON (numbers, booleans, arrays, objects), else a string.
    auto parsed = core::util::parse_json_strict(value, "--set value");
    claims[name] = parsed ? *parsed : Json(value);
  }
  double now = std::floor(core::util::SystemClock().now());
  if (!o.at.empty()) {
    auto at = core::util::parse_instant(o.at);
    if (!at) {
      return report(env, core::usage_error("bad_time", "--at: " + at.error().message));
    }
    now = std::floor(*at);
  }
  if (!o.exp.empty()) {
    auto d = core::util::parse_duration_seconds(o.exp);
    if (!d) {
      return report(env, core::usage_error("bad_duration", "--exp: " + d.error().message));
    }
    claims["exp"] = static_cast<std::int64_t>(now) + *d;
  }
  if (o.iat) {
    claims["iat"] = static_cast<std::int64_t>(now);
  }
  Json header = {{"alg", alg}, {"typ", "JWT"}};
  const std::string kid = !o.kid.empty() ? o.kid : key->has_kid ? key->kid : "";
  if (!kid.empty()) {
    header["kid"] = kid;
  }
  if (!o.header.empty()) {
    auto h = json_object_arg(o.header, "--header");
    if (!h) {
      return report(env, h.error());
    }
    for (auto it = h->begin(); it != h->end(); ++it) {
      if (it.key() == "alg" && it.value() != alg) {
        return report(env,
                      core::usage_error("bad_header", "--header may not change alg; use --alg"));
      }
      header[it.key()] = it.value();
    }
  }
  auto token = core::jose::sign_token(header, claims, *key, alg, o.allow_weak_keys);
  if (!token) {
    return report(env, token.error());
  }
  if (o.output.json) {
    print_json(env, Json{{"token", *token}, {"header", header}, {"payload", claims}});
  } else {
    fmt::print(env.out, "{}\n", *token);
  }
  return kExitOk;
}

void setup_sign(CLI::App& app, Runner& runner) {
  auto o = std::make_shared<SignOptions>();
  auto* sub = app.add_subcommand("sign", "mint a signed token (for testing gateways)");
  sub->add_option("--key",
                  o->key_file,
                  "private key: PEM (PKCS#8 or traditional) or a private JWK (oct for HS*)")
      ->type_name("FILE");
  sub->add_option("--secret-file",
                  o->secret_file,
                  "HMAC secret read from FILE (one trailing newline removed)")
      ->type_name("FILE");
  sub->add_option(
         "--secret-env", o->secret_env, "HMAC secret read from the environment variable VAR")
      ->type_name("VAR");
  sub->add_option("--alg", o->alg, "algorithm (default: the JWK's alg)")->type_name("ALG");
  sub->add_option("--kid", o->kid, "header kid (default: the JWK's kid)")->type_name("KID");
  sub->add_option("--claims", o->claims, "claims as a JSON object, or @FILE")->type_name("JSON");
  sub->add_option("--set",
                  o->sets,
                  "set a claim: NAME=VALUE, VALUE parsed as JSON when it is JSON (repeatable)")
      ->type_name("NAME=VALUE");
  sub->add_option("--exp", o->exp, "expire after DURATION (90, 15m, 1h, 2d)")
      ->type_name("DURATION");
  sub->add_flag("--iat", o->iat, "add iat (now)");
  sub->add_option(
         "--at", o->at, "use this instant as now for --exp and --iat (RFC 3339 or unix seconds)")
      ->type_name("TIME");
  sub->add_option("--header", o->header, "extra header members as a JSON object, or @FILE")
      ->type_name("JSON");
  sub->add_flag("--allow-weak-keys",
                o->allow_weak_keys,
                "sign with RSA keys under 2048 bits or short HMAC secrets");
  add_output_options(sub, o->output);
  sub->footer(R"(EXAMPLES
  tollgate sign --key rs256.jwk --set sub=alice --set 'roles=["admin"]' --exp 15m --iat
  tollgate sign --key ec.pem --alg ES256 --kid k1 --claims @claims.json
  tollgate sign --secret-file hs.secret --alg HS256 --set iss=https://sso.example.com/realms/demo --exp 5m)");
  sub->callback([o, &runner] {
    runner = [o](Env& env) {
      apply_color(env, o->output.color);
      return run_sign(*o, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("sign", 30, setup_sign);

} // namespace tollgate::cli
