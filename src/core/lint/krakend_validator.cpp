// auth/validator and auth/signer: the schema, then the run-time traps krakend-jose has that the
// schema misses (gateway-configs.md A.2, A.3 and traps K1-K9). Every fault in a block is reported
// at once, not only the first one krakend-jose would hit (K3).
#include "core/lint/krakend_schema.hpp"
#include "core/lint/values.hpp"
#include "core/util/base64url.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint::krakend {

namespace {

constexpr std::string_view kUnmarshalEffect =
    "the validator block fails to unmarshal and the endpoint answers 401 to every request";

bool non_empty_array(Value v) {
  return v.is_array() && v.size() > 0;
}
bool judged_string(Value v) {
  return v.is_string() && !has_placeholder(v.str());
}

void check_key_source(Context& cx, const std::string& ptr, Value block) {
  const Member* url = block.member("jwk_url");
  const Member* path = block.member("jwk_local_path");
  if (url && path) {
    cx.at_key(Rule::krakend_validator_key_source,
              ptr,
              *path,
              "both jwk_url and jwk_local_path are set: the schema's oneOf allows exactly one",
              "remove one of them");
  } else if (!url && !path && !block.member("jwk-url")) {
    cx.at(Rule::krakend_validator_key_source,
          ptr,
          block,
          "auth/validator has neither jwk_url nor jwk_local_path: it has no keys, and every "
          "request is answered 401",
          "add \"jwk_url\": \"https://<idp>/realms/<realm>/protocol/openid-connect/certs\"");
  }
  if (!block.member("alg")) {
    cx.at(Rule::krakend_schema_required,
          ptr,
          block,
          "auth/validator is missing \"alg\": KrakenD stops at start-up (\"JOSE: unknown "
          "algorithm\")",
          "add \"alg\": \"RS256\" (Keycloak's default)");
  }
}

void check_transport(Context& cx, const std::string& ptr, Value block) {
  const Value url = block.get("jwk_url");
  const Value path = block.get("jwk_local_path");
  const bool insecure_ok = block.get("disable_jwk_security").is_true();
  if (judged_string(url) && !is_https(url.str()) && !insecure_ok) {
    std::string msg =
        fmt::format("jwk_url {} is not https:// and disable_jwk_security is not true: "
                    "krakend-jose refuses it and the endpoint answers 401 to every request",
                    util::quote(url.str(), 80));
    if (util::istarts_with(url.str(), "https://")) {
      msg = fmt::format(
          "jwk_url {} must start with lower-case \"https://\" (the check is case-sensitive): "
          "the endpoint answers 401 to every request",
          util::quote(url.str(), 80));
    }
    cx.at(Rule::krakend_validator_insecure_jwk_url,
          pointer_join(ptr, "jwk_url"),
          url,
          msg,
          "use the IdP's https URL, or set \"disable_jwk_security\": true for a development IdP");
  }
  if (path && !url && !insecure_ok) {
    cx.at(Rule::krakend_validator_local_path_insecure,
          pointer_join(ptr, "jwk_local_path"),
          path,
          "jwk_local_path without \"disable_jwk_security\": true: the https check sees an empty "
          "jwk_url and "
          "every request is answered 401",
          "add \"disable_jwk_security\": true");
  }
  if (path && block.get("cache").is_true()) {
    cx.at(Rule::krakend_validator_local_path_cache,
          pointer_join(ptr, "cache"),
          block.get("cache"),
          "cache: true with jwk_local_path: KrakenD stops at start-up (\"cache could not be used "
          "with jwk_local_path\")",
          "remove \"cache\"; local keys are read once");
  }
  if (insecure_ok && judged_string(url)) {
    cx.at(Rule::krakend_validator_jwk_security_disabled,
          pointer_join(ptr, "disable_jwk_security"),
          block.get("disable_jwk_security"),
          is_https(url.str()) ? "disable_jwk_security also turns off TLS certificate verification "
                                "for this https jwk_url"
                              : "disable_jwk_security: keys are fetched over plain HTTP, so anyone "
                                "on the path can replace them",
          "remove it and serve the JWKS over https with a trusted certificate (jwk_local_ca for a "
          "private CA)");
  }
  const Value pins = block.get("jwk_fingerprints");
  if (non_empty_array(pins) && judged_string(url) && !is_https(url.str()) && insecure_ok) {
    cx.at(Rule::krakend_validator_fingerprints_unused,
          pointer_join(ptr, "jwk_fingerprints"),
          pins,
          "jwk_fingerprints pin nothing: pins are checked only when dialling TLS, and jwk_url is "
          "plain HTTP");
  }
}

void check_fingerprints(Context& cx, const std::string& ptr, Value pins) {
  for (std::size_t i = 0; i < pins.size(); ++i) {
    const Value p = pins.at(i);
    if (!judged_string(p)) {
      continue;
    }
    const std::string_view s = p.str();
    const std::string item_ptr = pointer_join(pointer_join(ptr, "jwk_fingerprints"), i);
    if (s.find_first_of("+/") != std::string_view::npos) {
      std::string fixed(s);
      for (auto& c : fixed) {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
      }
      cx.at(Rule::krakend_validator_fingerprint_encoding,
            item_ptr,
            p,
            fmt::format("fingerprint #{} uses the standard base64 alphabet ('+' or '/'): "
                        "krakend-jose decodes pins as "
                        "base64url and stops at start-up (\"decoding fingerprint #{}\")",
                        i,
                        i),
            fmt::format("write {}", util::quote(fixed, 60)));
      continue;
    }
    std::string std_form(s);
    for (auto& c : std_form) {
      c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    std::string bytes;
    if (s.size() % 4 != 0 || !util::b64_decode(std_form, bytes)) {
      cx.at(Rule::krakend_validator_fingerprint_encoding,
            item_ptr,
            p,
            fmt::format("fingerprint #{} is not padded base64url: KrakenD stops at start-up "
                        "(\"decoding fingerprint #{}\")",
                        i,
                        i),
            s.size() % 4 != 0 ? "add '=' padding to a multiple of 4 characters" : "");
      continue;
    }
    if (bytes.size() != 32) {
      cx.at(Rule::krakend_validator_fingerprint_encoding,
            item_ptr,
            p,
            fmt::format("fingerprint #{} decodes to {} bytes, not a SHA-256 digest (32): it never "
                        "matches, so keys "
                        "are never fetched and every request is answered 401",
                        i,
                        bytes.size()),
            "use the base64url SHA-256 of the certificate's SubjectPublicKeyInfo");
    }
  }
}

void check_claim_rules(Context& cx, const std::string& ptr, Value block) {
  const Value roles = block.get("roles");
  const Value roles_key = block.get("roles_key");
  const bool nested = block.get("roles_key_is_nested").is_true();
  if (judged_string(roles_key)) {
    const std::string_view k = roles_key.str();
    const bool dotted = k.find('.') != std::string_view::npos;
    if (dotted && !nested && !k.starts_with("http") && non_empty_array(roles)) {
      cx.at(Rule::krakend_validator_roles_key_not_nested,
            pointer_join(ptr, "roles_key"),
            roles_key,
            fmt::format("roles_key {} has dots but roles_key_is_nested is not true: it is looked "
                        "up as one literal "
                        "claim name, which tokens do not have, so every request gets 403",
                        util::quote(k)),
            "add \"roles_key_is_nested\": true");
    }
    if (dotted && nested && k.size() < 4) {
      cx.at(Rule::krakend_validator_roles_key_too_short,
            pointer_join(ptr, "roles_key"),
            roles_key,
            fmt::format("nested roles_key {} is shorter than 4 characters: krakend-jose slices "
                        "RolesKey[:4] and "
                        "panics when the endpoint is built",
                        util::quote(k)));
    }
  }
  if (non_empty_array(roles)
      && (!roles_key || (roles_key.is_string() && roles_key.str() == "roles"))) {
    const bool keycloak = looks_like_keycloak(block.get("jwk_url").str());
    cx.at(Rule::krakend_validator_roles_without_key,
          pointer_join(ptr, "roles"),
          roles,
          keycloak ? "roles are checked in a top-level \"roles\" claim, which Keycloak access "
                     "tokens do not have: "
                     "every user gets 403"
                   : "roles are checked in the default top-level \"roles\" claim; many IdPs "
                     "(Keycloak) put roles "
                     "elsewhere and every user then gets 403",
          "for Keycloak realm roles: \"roles_key\": \"realm_access.roles\", "
          "\"roles_key_is_nested\": true");
  }
  const Value scopes = block.get("scopes");
  const Value scopes_key = block.get("scopes_key");
  const bool key_set = scopes_key.is_string() && !scopes_key.str().empty();
  if (non_empty_array(scopes) && !key_set) {
    cx.at(Rule::krakend_validator_scopes_without_key,
          pointer_join(ptr, "scopes"),
          scopes,
          "scopes without scopes_key: krakend-jose runs the scope check only when scopes_key is "
          "set, so it is "
          "silently skipped",
          "add \"scopes_key\": \"scope\" (Keycloak's claim)");
  }
  if (non_empty_array(scopes) && judged_string(scopes_key)
      && scopes_key.str().find("://") != std::string_view::npos
      && scopes_key.str().find('.') != std::string_view::npos) {
    cx.at(
        Rule::krakend_validator_scopes_key_url,
        pointer_join(ptr, "scopes_key"),
        scopes_key,
        fmt::format(
            "scopes_key {} is split at every '.', with no exception for URL-style claim names: the "
            "claim is never found and every request gets 403",
            util::quote(scopes_key.str())));
  }
  if (key_set && !non_empty_array(scopes)) {
    cx.at(Rule::krakend_validator_scopes_key_without_scopes,
          pointer_join(ptr, "scopes_key"),
          scopes_key,
          "scopes_key without scopes checks nothing: the scope check runs only when scopes is "
          "non-empty");
  }
}

void check_cache(Context& cx, const std::string& ptr, Value block) {
  const Value cache = block.get("cache");
  const Value duration = block.get("cache_duration");
  const bool remote = block.get("jwk_url") && !block.get("jwk_local_path");
  if (duration.is_number() && (duration.number() < 0 || duration.number() > 4294967295.0)) {
    cx.at(Rule::krakend_validator_cache_duration,
          pointer_join(ptr, "cache_duration"),
          duration,
          fmt::format("cache_duration {} does not fit the uint32 krakend-jose reads it into: {}",
                      duration.str(),
                      kUnmarshalEffect));
  }
  if (remote && !cache.is_true()) {
    cx.at(Rule::krakend_validator_no_cache,
          cache ? pointer_join(ptr, "cache") : ptr,
          cache ? cache : block,
          "no \"cache\": true: the keys are fetched from the IdP on every request",
          "add \"cache\": true");
  }
  if (cache.is_true() && duration.is_number() && duration.number() > 0 && duration.number() < 60) {
    cx.at(Rule::krakend_validator_short_cache_duration,
          pointer_join(ptr, "cache_duration"),
          duration,
          fmt::format("cache_duration {} s refetches the keys very often (the default is 900 s)",
                      duration.str()));
  }
  const Value cooldown = block.get("failed_jwk_key_cooldown");
  if (judged_string(cooldown)) {
    const auto secs = duration_seconds(cooldown.str());
    if (secs && *secs < 1) {
      cx.at(Rule::krakend_validator_cooldown_ignored,
            pointer_join(ptr, "failed_jwk_key_cooldown"),
            cooldown,
            fmt::format("failed_jwk_key_cooldown {} is under 1 s, which krakend-jose ignores",
                        util::quote(cooldown.str())),
            "use at least \"1s\" (e.g. \"10s\")");
    }
  }
  if (cache.is_true() && block.get("jwk_local_ca")) {
    cx.at(Rule::krakend_validator_cache_with_local_ca,
          pointer_join(ptr, "jwk_local_ca"),
          block.get("jwk_local_ca"),
          "cache together with jwk_local_ca: the schema says not to combine them");
  }
  if (remote && cache.is_true() && !cooldown) {
    cx.at(Rule::krakend_validator_cache_without_cooldown,
          pointer_join(ptr, "cache"),
          cache,
          "cache: true without failed_jwk_key_cooldown: tokens with unknown kids reach the IdP "
          "every time",
          "add \"failed_jwk_key_cooldown\": \"10s\"");
  }
  const Value leeway = block.get("leeway");
  if (judged_string(leeway)) {
    const auto secs = duration_seconds(leeway.str());
    if (secs && *secs < 1) {
      cx.at(Rule::krakend_validator_leeway_raised,
            pointer_join(ptr, "leeway"),
            leeway,
            fmt::format("leeway {} is raised to 1s: krakend-jose always allows at least one second "
                        "of clock skew",
                        util::quote(leeway.str())));
    }
  }
}

void check_propagation(Context& cx, const std::string& ptr, Value block, Value endpoint) {
  const Value claims = block.get("propagate_claims");
  if (!claims.is_array()) {
    return;
  }
  const Value headers = endpoint.get("input_headers");
  auto forwarded = [&](std::string_view h) {
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const Value v = headers.at(i);
      if (v.is_string() && (v.str() == "*" || util::iequals(v.str(), h))) {
        return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const Value pair = claims.at(i);
    const Value header = pair.at(1);
    if (pair.size() != 2 || !judged_string(header) || forwarded(header.str())) {
      continue;
    }
    cx.at(Rule::krakend_validator_propagated_header_not_forwarded,
          pointer_join(pointer_join(pointer_join(ptr, "propagate_claims"), i), 1),
          header,
          fmt::format("claim {} is copied into header {}, but the endpoint's input_headers does "
                      "not list it, so "
                      "the backend never sees it",
                      util::quote(pair.at(0).str()),
                      util::quote(header.str())),
          fmt::format("add {} to the endpoint's \"input_headers\"", util::quote(header.str())));
  }
}

} // namespace

void check_validator(Context& cx, const std::string& ptr, Value block, Value endpoint) {
  if (!block.is_object()) {
    cx.at(Rule::krakend_schema_type,
          ptr,
          block,
          fmt::format("auth/validator must be an object, not {}", value_type_name(block)));
    return;
  }
  check_object(cx, ptr, block, ObjectSpec{validator_fields(), "auth/validator", kUnmarshalEffect});
  check_key_source(cx, ptr, block);
  check_transport(cx, ptr, block);
  check_fingerprints(cx, ptr, block.get("jwk_fingerprints"));
  const Value cypher = block.get("cypher_key");
  std::string bytes;
  if (judged_string(cypher)
      && (cypher.str().size() % 4 != 0 || !util::b64_decode(cypher.str(), bytes))) {
    cx.at(Rule::krakend_validator_cypher_key,
          pointer_join(ptr, "cypher_key"),
          cypher,
          fmt::format(
              "cypher_key is not padded standard base64, the only form Go decodes into []byte: {}",
              kUnmarshalEffect));
  }
  check_claim_rules(cx, ptr, block);
  check_cache(cx, ptr, block);
  check_propagation(cx, ptr, block, endpoint);
  if (!block.get("issuer")) {
    cx.at(Rule::krakend_validator_no_issuer,
          ptr,
          block,
          "no issuer: tokens from any issuer signed by these keys are accepted",
          "add \"issuer\": \"https://<idp>/realms/<realm>\"");
  }
  if (!block.get("audience")) {
    cx.at(Rule::krakend_validator_no_audience,
          ptr,
          block,
          "no audience: tokens issued for any client are accepted",
          "add \"audience\": [\"<client id>\"]");
  }
}

void check_signer(Context& cx, const std::string& ptr, Value block) {
  if (!block.is_object()) {
    cx.at(Rule::krakend_schema_type,
          ptr,
          block,
          fmt::format("auth/signer must be an object, not {}", value_type_name(block)));
    return;
  }
  check_object(cx, ptr, block, ObjectSpec{signer_fields(), "auth/signer", ""});
  for (std::string_view req : {"alg", "kid", "keys_to_sign"}) {
    if (!block.get(req)) {
      cx.at(Rule::krakend_schema_required,
            ptr,
            block,
            fmt::format("auth/signer is missing \"{}\"", req));
    }
  }
  const Value url = block.get("jwk_url");
  const Value path = block.get("jwk_local_path");
  const Value insecure = block.get("disable_jwk_security");
  const bool local_ok = path && insecure;
  if ((url && local_ok) || (!url && !local_ok)) {
    cx.at(
        Rule::krakend_signer_key_source,
        ptr,
        block,
        url ? "auth/signer has both jwk_url and jwk_local_path with disable_jwk_security: the "
              "schema's oneOf allows one"
        : path
            ? "auth/signer's jwk_local_path needs \"disable_jwk_security\" (the schema requires it)"
            : "auth/signer has neither jwk_url nor jwk_local_path");
  }
  if (judged_string(url) && !is_https(url.str()) && !insecure.is_true()) {
    cx.at(
        Rule::krakend_signer_insecure_jwk_url,
        pointer_join(ptr, "jwk_url"),
        url,
        fmt::format(
            "signer jwk_url {} is not https:// and disable_jwk_security is not true: the endpoint "
            "answers 401 to every request",
            util::quote(url.str(), 80)));
  } else if (path && !url && insecure && !insecure.is_true()) {
    cx.at(Rule::krakend_signer_insecure_jwk_url,
          pointer_join(ptr, "disable_jwk_security"),
          insecure,
          "jwk_local_path with disable_jwk_security false: the https check sees an empty jwk_url "
          "and the endpoint "
          "answers 401 to every request",
          "set \"disable_jwk_security\": true");
  }
}

} // namespace tollgate::core::lint::krakend
