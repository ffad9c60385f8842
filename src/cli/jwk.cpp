// tollgate jwk: generate keys, thumbprints, PEM <-> JWK, strip private parts.
#include "core/keys/jwk.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "core/keys/generate.hpp"
#include "core/keys/pem.hpp"
#include "core/util/file.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::cli {
namespace {

using core::util::Json;
constexpr std::size_t kMaxKeyInput = 4 * 1024 * 1024;

struct JwkOptions {
  core::keys::GenerateSpec gen;
  std::string public_out;
  std::string out;
  std::string input;
  std::string to;
  bool public_only = false;
  OutputOptions output;
};

core::Result<std::string> read_input(const std::string& path, Env& env) {
  if (path.empty() && env.stdin_tty) {
    return core::usage_error("no_input", "no key given: pass FILE or -, or pipe the key on stdin");
  }
  return read_file_or_stdin(path.empty() ? "-" : path,
                            kMaxKeyInput,
                            path.empty() || path == "-" ? "the key" : "key file '" + path + "'");
}

// Write to FILE (atomically; 0600 when private) or print on stdout.
int emit(Env& env, const std::string& path, const std::string& text, bool is_private) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), env.out);
    return kExitOk;
  }
  auto w = core::util::write_file_atomic(path, text, is_private ? 0600 : 0644);
  return w ? kExitOk : report(env, w.error());
}

core::Result<Json> parse_jwk_text(std::string_view text, const std::string& what) {
  return core::util::parse_json_strict(core::util::trim(text), what);
}

int run_gen(const JwkOptions& o, Env& env) {
  auto jwk = core::keys::generate_jwk(o.gen);
  if (!jwk) {
    return report(env, jwk.error());
  }
  if (!o.public_out.empty()) {
    if (o.gen.kty == "oct") {
      return report(
          env,
          core::usage_error("usage",
                            "--public-out: an oct key is a shared secret and has no public part"));
    }
    const int rc = emit(env, o.public_out, core::keys::public_part(*jwk).dump(2) + "\n", false);
    if (rc != kExitOk) {
      return rc;
    }
  }
  if (o.out.empty() && env.stdout_tty) {
    warn(env, "printing a private key on the terminal; use --out FILE to write it with mode 0600");
  }
  return emit(env, o.out, jwk->dump(2) + "\n", true);
}

int run_thumbprint(const JwkOptions& o, Env& env) {
  auto text = read_input(o.input, env);
  if (!text) {
    return report(env, text.error());
  }
  const std::string_view body = core::util::trim(*text);
  Json rows = Json::array();
  if (!body.empty() && body.front() == '{') {
    auto doc = parse_jwk_text(body, "the JWK");
    if (!doc) {
      return report(env, doc.error());
    }
    const Json keys = doc->contains("keys") ? (*doc)["keys"] : Json::array({*doc});
    if (!keys.is_array()) {
      return report(env, core::usage_error("bad_key", "\"keys\" is not an array"));
    }
    for (const auto& k : keys) {
      const std::string tp = core::keys::thumbprint(k);
      if (tp.empty()) {
        return report(
            env,
            core::usage_error("bad_key",
                              "a JWK lacks the members its thumbprint needs (RFC 7638 3.2)"));
      }
      rows.push_back({{"kid", k.contains("kid") ? k["kid"] : Json(nullptr)}, {"thumbprint", tp}});
    }
  } else {
    auto key = core::keys::key_from_pem(body, "the PEM input");
    if (!key) {
      return report(env, key.error());
    }
    rows.push_back({{"kid", nullptr}, {"thumbprint", key->thumbprint}});
  }
  if (o.output.json) {
    print_json(env, rows.size() == 1 ? rows[0] : Json{{"keys", rows}});
    return kExitOk;
  }
  for (const auto& r : rows) {
    if (rows.size() > 1) {
      fmt::print(env.out,
                 "{}  {}\n",
                 r["thumbprint"].get<std::string>(),
                 r["kid"].is_string() ? r["kid"].get<std::string>() : "(no kid)");
    } else {
      fmt::print(env.out, "{}\n", r["thumbprint"].get<std::string>());
    }
  }
  return kExitOk;
}

int run_convert(const JwkOptions& o, Env& env) {
  auto text = read_input(o.input, env);
  if (!text) {
    return report(env, text.error());
  }
  const std::string_view body = core::util::trim(*text);
  const bool from_jwk = !body.empty() && body.front() == '{';
  const std::string to = o.to.empty() ? (from_jwk ? "pem" : "jwk") : o.to;
  core::util::PkeyPtr pkey;
  Json source_jwk;
  if (from_jwk) {
    auto doc = parse_jwk_text(body, "the JWK");
    if (!doc) {
      return report(env, doc.error());
    }
    if (doc->contains("keys")) {
      return report(env, core::usage_error("usage", "convert takes one JWK, not a JWKS"));
    }
    source_jwk = *doc;
    if (to == "jwk") {
      Json out = o.public_only ? core::keys::public_part(source_jwk) : source_jwk;
      return emit(env, o.out, out.dump(2) + "\n", core::keys::has_private_members(out));
    }
    if (source_jwk.value("kty", "") == "oct") {
      return report(env, core::usage_error("usage", "an oct key (shared secret) has no PEM form"));
    }
    auto key = core::keys::key_from_jwk(source_jwk, "the JWK");
    if (!key.problem.empty()) {
      return report(env, core::usage_error("bad_key", "the JWK cannot be used: " + key.problem));
    }
    pkey = key.pkey;
  } else {
    auto key = core::keys::key_from_pem(body, "the PEM input");
    if (!key) {
      return report(env, key.error());
    }
    pkey = key->pkey;
  }
  auto full = core::keys::jwk_from_pkey(pkey.get(), !o.public_only);
  if (!full) {
    return report(env, full.error());
  }
  const bool is_private = core::keys::has_private_members(*full);
  if (to == "jwk") {
    Json out = *full;
    return emit(env, o.out, out.dump(2) + "\n", is_private);
  }
  auto pem = is_private ? core::keys::pem_private(pkey.get()) : core::keys::pem_public(pkey.get());
  if (!pem) {
    return report(env, pem.error());
  }
  return emit(env, o.out, *pem, is_private);
}

int run_pub(const JwkOptions& o, Env& env) {
  auto text = read_input(o.input, env);
  if (!text) {
    return report(env, text.error());
  }
  auto doc = parse_jwk_text(*text, "the JWK");
  if (!doc) {
    return report(env, doc.error());
  }
  if (doc->contains("keys") && (*doc)["keys"].is_array()) {
    Json out = *doc;
    Json keys = Json::array();
    for (const auto& k : (*doc)["keys"]) {
      if (k.value("kty", "") == "oct") {
        warn(env,
             fmt::format("dropping oct key {}: a shared secret has no public part",
                         k.contains("kid") ? k["kid"].dump() : "(no kid)"));
        continue;
      }
      keys.push_back(core::keys::public_part(k));
    }
    out["keys"] = keys;
    return emit(env, o.out, out.dump(2) + "\n", false);
  }
  if (doc->value("kty", "") == "oct") {
    return report(
        env, core::usage_error("usage", "an oct key is a shared secret and has no public part"));
  }
  return emit(env, o.out, core::keys::public_part(*doc).dump(2) + "\n", false);
}

void setup_jwk(CLI::App& app, Runner& runner) {
  auto o = std::make_shared<JwkOptions>();
  auto* jwk =
      app.add_subcommand("jwk", "generate keys, RFC 7638 thumbprints, PEM <-> JWK, public parts");
  jwk->require_subcommand(1);

  auto* gen = jwk->add_subcommand("gen", "generate a private JWK (kid defaults to its thumbprint)");
  choices(gen->add_option("--kty", o->gen.kty, "key type")->type_name("KTY")->required(),
          {"RSA", "EC", "OKP", "oct"});
  gen->add_option(
         "--size", o->gen.size, "RSA modulus bits (default 2048) or oct secret bytes (default 32)")
      ->type_name("N");
  choices(gen->add_option("--crv",
                          o->gen.crv,
                          "EC: P-256 (default), P-384, P-521; OKP: Ed25519 (default), Ed448")
              ->type_name("CRV"),
          {"P-256", "P-384", "P-521", "Ed25519", "Ed448"});
  gen->add_option("--kid", o->gen.kid, "key id (default: the RFC 7638 thumbprint)")
      ->type_name("KID");
  gen->add_option("--alg", o->gen.alg, "bind the key to this algorithm (JWK alg)")
      ->type_name("ALG");
  gen->add_option("--use", o->gen.use, "JWK use (default sig; empty to omit)")->type_name("USE");
  gen->add_option("--public-out", o->public_out, "also write the public JWK to FILE")
      ->type_name("FILE");
  gen->add_option("--out", o->out, "write the private JWK to FILE (mode 0600) instead of stdout")
      ->type_name("FILE");
  add_output_options(gen, o->output, false);
  gen->footer(
      "EXAMPLES\n  tollgate jwk gen --kty RSA --alg RS256 --out rs.jwk --public-out rs.pub.jwk\n"
      "  tollgate jwk gen --kty EC --crv P-384 --kid k2\n  tollgate jwk gen --kty oct --size 64 "
      "--alg HS512 --out hs.jwk");

  auto* tp = jwk->add_subcommand(
      "thumbprint", "RFC 7638 SHA-256 thumbprint of a JWK, each key of a JWKS, or a PEM key");
  tp->add_option("file", o->input, "JWK, JWKS or PEM file, or - for stdin")->type_name("FILE");
  add_output_options(tp, o->output);

  auto* conv = jwk->add_subcommand("convert", "convert between PEM and JWK (public or private)");
  conv->add_option("file", o->input, "PEM or JWK file, or - for stdin")->type_name("FILE");
  choices(conv->add_option("--to", o->to, "output format (default: the other one)")
              ->type_name("FORMAT"),
          {"pem", "jwk"});
  conv->add_flag("--public", o->public_only, "output only the public key");
  conv->add_option("--out", o->out, "write to FILE (mode 0600 for private keys) instead of stdout")
      ->type_name("FILE");
  add_output_options(conv, o->output, false);

  auto* pub = jwk->add_subcommand("pub", "strip the private parts of a JWK or JWKS");
  pub->add_option("file", o->input, "JWK or JWKS file, or - for stdin")->type_name("FILE");
  pub->add_option("--out", o->out, "write to FILE instead of stdout")->type_name("FILE");
  add_output_options(pub, o->output, false);

  auto bind = [o, &runner](int (*fn)(const JwkOptions&, Env&)) {
    return [o, &runner, fn] {
      runner = [o, fn](Env& env) {
        apply_color(env, o->output.color);
        return fn(*o, env);
      };
    };
  };
  gen->callback(bind(run_gen));
  tp->callback(bind(run_thumbprint));
  conv->callback(bind(run_convert));
  pub->callback(bind(run_pub));
}

} // namespace

TOLLGATE_COMMAND("jwk", 40, setup_jwk);

} // namespace tollgate::cli
