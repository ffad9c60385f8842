// tollgate decode: show a token's header and claims without verifying anything.
#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/render.hpp"
#include "core/claims/keycloak.hpp"
#include "core/jose/token.hpp"
#include "core/util/time.hpp"
#include "core/verify/verifier.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

struct DecodeOptions {
  std::string token;
  std::string date = "utc";
  std::size_t max_token_bytes = core::verify::kDefaultMaxTokenBytes;
  OutputOptions output;
};

int run_decode(const DecodeOptions& o, Env& env) {
  auto text = read_token_argument(o.token, env, o.max_token_bytes);
  if (!text) {
    return report(env, text.error());
  }
  auto decoded = core::jose::decode_token(*text, o.max_token_bytes);
  if (!decoded) {
    return report(env, decoded.error());
  }
  const auto& t = *decoded;
  if (env.stderr_tty && !o.output.json) {
    note(env, "decode does not verify the signature or any claim; use 'tollgate verify' for that");
  }
  if (o.output.json) {
    core::util::Json doc = core::util::Json::object();
    doc["kind"] = t.jwe ? "JWE" : "JWS";
    doc["header"] = t.header;
    doc["payload"] = t.payload;
    doc["signature"] = t.jwe ? core::util::Json(nullptr) : core::util::Json(t.signature_b64);
    print_json(env, doc);
    return kExitOk;
  }
  const Style s(env.color_out);
  const bool local = o.date == "local";
  const double now = core::util::SystemClock().now();
  std::string out;
  if (t.jwe) {
    out += s.bold("JWE protected header") + s.dim(" (not verified)") + "\n";
    out += render_json(t.header, env.color_out) + "\n";
    out += s.bold("payload") + ": encrypted; decode shows only the protected header\n";
  } else {
    out += s.bold("header") + s.dim(" (not verified)") + "\n";
    out += render_json(t.header, env.color_out) + "\n";
    out += s.bold("payload") + s.dim(" (not verified)") + "\n";
    out += render_json(t.payload, env.color_out) + "\n";
    out += render_times(t.payload, now, local, s);
    out += render_keycloak(core::claims::keycloak_view(t.payload), s);
    const std::string alg = t.header.value("alg", std::string("?"));
    if (t.signature_bytes == 0) {
      out += s.bold("signature") + ": none (an unsigned token; never valid)\n";
    } else {
      out += fmt::format(
          "{}: {} bytes ({}), not verified\n", s.bold("signature"), t.signature_bytes, alg);
    }
  }
  std::fwrite(out.data(), 1, out.size(), env.out);
  return kExitOk;
}

void setup_decode(CLI::App& app, Runner& runner) {
  auto opts = std::make_shared<DecodeOptions>();
  auto* sub = app.add_subcommand("decode", "show a token's header and claims (no verification)");
  sub->add_option("token",
                  opts->token,
                  "the token, @FILE, or - for stdin (default: stdin when it is not a terminal)")
      ->type_name("TOKEN");
  choices(sub->add_option("--date", opts->date, "show times in utc or local time")
              ->type_name("ZONE")
              ->default_str("utc"),
          {"utc", "local"});
  sub->add_option("--max-token-bytes",
                  opts->max_token_bytes,
                  "refuse tokens larger than this (default 1048576)")
      ->type_name("BYTES");
  add_output_options(sub, opts->output);
  sub->footer(R"(EXAMPLES
  tollgate decode eyJhbGciOi...
  tollgate decode @token.txt --json | jq .payload.realm_access
  pbpaste | tollgate decode
  tollgate decode "Authorization: Bearer eyJhbGciOi..."

Decoding never verifies: use 'tollgate verify' to check the signature and the claims.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->output.color);
      return run_decode(*opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("decode", 10, setup_decode);

} // namespace tollgate::cli
