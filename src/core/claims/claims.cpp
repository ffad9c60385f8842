#include "core/claims/claims.hpp"

#include "core/util/json.hpp"
#include "core/util/text.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tollgate::core::claims {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view type_word(element_type t) {
  switch (t) {
  case element_type::STRING:
    return "a string";
  case element_type::BOOL:
    return "a boolean";
  case element_type::NULL_VALUE:
    return "null";
  case element_type::ARRAY:
    return "an array";
  case element_type::OBJECT:
    return "an object";
  default:
    return "a number";
  }
}

bool lookup(element obj, std::string_view key, element& out) {
  return util::object_of(obj).at_key(key).get(out) == simdjson::SUCCESS;
}

// A NumericDate (RFC 7519 2): a JSON number, finite, within [0, 2^63) seconds; never clamped
// (security.md 1.13: libjwt once saturated an out-of-range exp into "never expires").
bool numeric_date(element v, std::string_view name, double& out, Recorder& rec) {
  switch (v.type()) {
  case element_type::INT64:
    out = static_cast<double>(v.get_int64().value_unsafe());
    break;
  case element_type::UINT64:
    out = static_cast<double>(v.get_uint64().value_unsafe());
    break;
  case element_type::DOUBLE:
    out = v.get_double().value_unsafe();
    break;
  default:
    rec.fail(name,
             "malformed",
             fmt::format("{} is {}, not a NumericDate (a JSON number of seconds)",
                         name,
                         type_word(v.type())));
    return false;
  }
  if (!std::isfinite(out) || out < 0 || out >= 9223372036854775808.0) {
    rec.fail(name, "malformed", fmt::format("{} is out of range ({})", name, out));
    return false;
  }
  return true;
}

std::string at_text(double t) {
  return util::format_instant(t);
}

std::string leeway_text(double leeway) {
  return fmt::format("leeway {}", util::format_duration(leeway));
}

void check_exp(element payload, const ClaimPolicy& p, double now, Recorder& rec) {
  element v;
  if (!lookup(payload, "exp", v)) {
    if (p.allow_missing_exp) {
      rec.pass("exp", "absent: the token never expires (allowed by --allow-missing-exp)");
    } else {
      rec.fail("exp",
               "claim_missing",
               "exp is missing: the token would never expire (--allow-missing-exp accepts that)");
    }
    return;
  }
  double exp = 0;
  if (!numeric_date(v, "exp", exp, rec)) {
    return;
  }
  // RFC 7519 4.1.4: the token must not be accepted on or after exp (plus leeway).
  if (now >= exp + p.leeway) {
    rec.fail("exp",
             "expired",
             fmt::format("expired {} ago at {}, {}",
                         util::format_duration(now - exp),
                         at_text(exp),
                         leeway_text(p.leeway)));
  } else if (rec.detail()) {
    if (now >= exp) {
      rec.pass("exp",
               fmt::format("expired {} ago at {}, within the {}",
                           util::format_duration(now - exp),
                           at_text(exp),
                           leeway_text(p.leeway)));
    } else {
      rec.pass("exp",
               fmt::format("expires in {} at {}", util::format_duration(exp - now), at_text(exp)));
    }
  }
}

void check_nbf(element payload, const ClaimPolicy& p, double now, Recorder& rec) {
  element v;
  if (!lookup(payload, "nbf", v)) {
    rec.pass("nbf", "absent");
    return;
  }
  double nbf = 0;
  if (!numeric_date(v, "nbf", nbf, rec)) {
    return;
  }
  if (now < nbf - p.leeway) {
    rec.fail("nbf",
             "not_yet_valid",
             fmt::format("not valid until {} (in {}), {}",
                         at_text(nbf),
                         util::format_duration(nbf - now),
                         leeway_text(p.leeway)));
  } else if (rec.detail()) {
    rec.pass("nbf", fmt::format("valid since {}", at_text(nbf)));
  }
}

void check_iat(element payload, const ClaimPolicy& p, double now, Recorder& rec) {
  element v;
  if (!lookup(payload, "iat", v)) {
    rec.pass("iat", "absent");
    return;
  }
  double iat = 0;
  if (!numeric_date(v, "iat", iat, rec)) {
    return;
  }
  if (iat > now + p.leeway) {
    rec.fail("iat",
             "issued_in_future",
             fmt::format("issued in the future, at {} (in {}), {}",
                         at_text(iat),
                         util::format_duration(iat - now),
                         leeway_text(p.leeway)));
  } else if (rec.detail()) {
    rec.pass("iat",
             fmt::format("issued {} ago at {}", util::format_duration(now - iat), at_text(iat)));
  }
}

std::string issuer_hint(std::string_view want, std::string_view got) {
  auto strip_slash = [](std::string_view s) {
    while (!s.empty() && s.back() == '/') {
      s.remove_suffix(1);
    }
    return s;
  };
  if (strip_slash(want) == strip_slash(got)) {
    return " (they differ only in a trailing slash; issuers are compared exactly)";
  }
  if (util::iequals(want, got)) {
    return " (they differ only in letter case; issuers are compared exactly)";
  }
  auto scheme_less = [](std::string_view s) {
    const auto pos = s.find("://");
    return pos == std::string_view::npos ? s : s.substr(pos + 3);
  };
  if (scheme_less(want) == scheme_less(got)) {
    return " (http and https differ; check the IdP's frontend URL)";
  }
  std::string w(want), g(got);
  auto without_auth = [](std::string s) {
    const auto pos = s.find("/auth/realms/");
    if (pos != std::string::npos) {
      s.erase(pos, 5);
    }
    return s;
  };
  if (without_auth(w) == without_auth(g)) {
    return " (one has Keycloak's legacy /auth prefix and the other not)";
  }
  return "";
}

void check_iss(element payload, const ClaimPolicy& p, Recorder& rec) {
  if (!p.iss) {
    element v;
    if (rec.detail() && lookup(payload, "iss", v) && v.is_string()) {
      rec.not_requested(
          "iss",
          fmt::format("not requested (token says {})", util::quote(v.get_string().value_unsafe())));
    } else {
      rec.not_requested("iss");
    }
    return;
  }
  element v;
  if (!lookup(payload, "iss", v)) {
    rec.fail(
        "iss", "claim_missing", fmt::format("iss is missing; expected {}", util::quote(*p.iss)));
    return;
  }
  if (!v.is_string()) {
    rec.fail("iss", "claim_mismatch", fmt::format("iss is {}, not a string", type_word(v.type())));
    return;
  }
  const std::string_view got = v.get_string().value_unsafe();
  if (got != *p.iss) {
    rec.fail("iss",
             "claim_mismatch",
             fmt::format("iss is {}, expected {}{}",
                         util::quote(got),
                         util::quote(*p.iss),
                         issuer_hint(*p.iss, got)));
  } else if (rec.detail()) {
    rec.pass("iss", util::quote(got));
  }
}

void check_aud(element payload, const ClaimPolicy& p, Recorder& rec) {
  if (p.aud.empty()) {
    rec.not_requested("aud");
    return;
  }
  element v;
  std::vector<std::string_view> got;
  if (!lookup(payload, "aud", v)) {
    rec.fail("aud",
             "claim_missing",
             fmt::format("aud is missing; expected {}", util::quote(util::join(p.aud, "' or '"))));
    return;
  }
  // RFC 7519 4.1.3: a string or an array of strings; matched by exact element equality
  // (security.md 1.14, CVE-2020-26160).
  if (v.is_string()) {
    got.push_back(v.get_string().value_unsafe());
  } else if (v.is_array()) {
    for (element e : util::array_of(v)) {
      if (!e.is_string()) {
        rec.fail("aud",
                 "claim_mismatch",
                 fmt::format("aud holds {}, not only strings", type_word(e.type())));
        return;
      }
      got.push_back(e.get_string().value_unsafe());
    }
  } else {
    rec.fail("aud",
             "claim_mismatch",
             fmt::format("aud is {}, not a string or an array of strings", type_word(v.type())));
    return;
  }
  for (const auto& want : p.aud) {
    if (std::find(got.begin(), got.end(), want) != got.end()) {
      if (rec.detail()) {
        rec.pass("aud", fmt::format("contains {}", util::quote(want)));
      }
      return;
    }
  }
  std::vector<std::string> got_s;
  for (auto g : got) {
    got_s.push_back(util::quote(g));
  }
  std::vector<std::string> want_s;
  for (const auto& w : p.aud) {
    want_s.push_back(util::quote(w));
  }
  rec.fail("aud",
           "claim_mismatch",
           fmt::format("aud is [{}], which contains none of {}",
                       util::join(got_s, ", "),
                       util::join(want_s, ", ")));
}

void check_required(element payload, const ClaimPolicy& p, Recorder& rec) {
  if (p.required.empty()) {
    rec.not_requested("required");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& name : p.required) {
    element v;
    if (!lookup(payload, name, v) || v.is_null()) {
      missing.push_back(name);
    }
  }
  if (!missing.empty()) {
    rec.fail("required",
             "claim_missing",
             fmt::format("missing required claim{}: {}",
                         missing.size() > 1 ? "s" : "",
                         util::join(missing, ", ")));
  } else if (rec.detail()) {
    rec.pass("required", fmt::format("present: {}", util::join(p.required, ", ")));
  }
}

bool array_contains(element arr, std::string_view value) {
  if (!arr.is_array()) {
    return false;
  }
  for (element e : util::array_of(arr)) {
    if (e.is_string() && e.get_string().value_unsafe() == value) {
      return true;
    }
  }
  return false;
}

void check_roles(element payload, const ClaimPolicy& p, Recorder& rec) {
  if (p.roles.empty()) {
    rec.not_requested("roles");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& spec : p.roles) {
    // CLIENT:ROLE names a client role; the last ':' splits, since client ids may hold colons.
    const auto colon = spec.rfind(':');
    element roles;
    bool found = false;
    if (colon == std::string::npos) {
      element realm;
      found = lookup(payload, "realm_access", realm) && realm.is_object()
              && lookup(realm, "roles", roles) && array_contains(roles, spec);
    } else {
      element access, client;
      const std::string_view client_id = std::string_view(spec).substr(0, colon);
      const std::string_view role = std::string_view(spec).substr(colon + 1);
      found = lookup(payload, "resource_access", access) && access.is_object()
              && lookup(access, client_id, client) && client.is_object()
              && lookup(client, "roles", roles) && array_contains(roles, role);
    }
    if (!found) {
      missing.push_back(colon == std::string::npos ? fmt::format("realm role '{}'", spec)
                                                   : fmt::format("client role '{}' of '{}'",
                                                                 spec.substr(colon + 1),
                                                                 spec.substr(0, colon)));
    }
  }
  if (!missing.empty()) {
    rec.fail("roles", "claim_mismatch", fmt::format("missing {}", util::join(missing, ", ")));
  } else if (rec.detail()) {
    rec.pass("roles", fmt::format("has {}", util::join(p.roles, ", ")));
  }
}

void check_scopes(element payload, const ClaimPolicy& p, Recorder& rec) {
  if (p.scopes.empty()) {
    rec.not_requested("scopes");
    return;
  }
  std::vector<std::string_view> have;
  element v;
  if (lookup(payload, "scope", v) && v.is_string()) {
    for (auto s : util::split(v.get_string().value_unsafe(), ' ')) {
      if (!s.empty()) {
        have.push_back(s);
      }
    }
  } else if (lookup(payload, "scp", v) && v.is_array()) {
    for (element e : util::array_of(v)) {
      if (e.is_string()) {
        have.push_back(e.get_string().value_unsafe());
      }
    }
  } else {
    rec.fail("scopes", "claim_missing", "scope is missing (no \"scope\" string or \"scp\" array)");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& s : p.scopes) {
    if (std::find(have.begin(), have.end(), s) == have.end()) {
      missing.push_back(s);
    }
  }
  if (!missing.empty()) {
    rec.fail("scopes",
             "claim_mismatch",
             fmt::format(
                 "missing scope{} {}", missing.size() > 1 ? "s" : "", util::join(missing, ", ")));
  } else if (rec.detail()) {
    rec.pass("scopes", fmt::format("has {}", util::join(p.scopes, ", ")));
  }
}

} // namespace

bool media_type_equals(std::string_view a, std::string_view b) {
  auto norm = [](std::string_view s) {
    if (util::istarts_with(s, "application/")) {
      s.remove_prefix(12);
    }
    return s;
  };
  return util::iequals(norm(a), norm(b));
}

void check_typ(element header, const ClaimPolicy& p, Recorder& rec) {
  element cty;
  if (lookup(header, "cty", cty) && cty.is_string()
      && media_type_equals(cty.get_string().value_unsafe(), "JWT")) {
    rec.fail("typ", "claim_mismatch", "nested JWTs (cty \"JWT\") are not accepted");
    return;
  }
  element v;
  const bool has = lookup(header, "typ", v);
  if (has && !v.is_string()) {
    rec.fail("typ", "malformed", fmt::format("typ is {}, not a string", type_word(v.type())));
    return;
  }
  const std::string_view typ = has ? v.get_string().value_unsafe() : std::string_view{};
  bool ok = false;
  if (p.typ.empty()) {
    ok = !has || media_type_equals(typ, "JWT") || media_type_equals(typ, "at+jwt");
  } else {
    for (const auto& t : p.typ) {
      ok = ok || (has && media_type_equals(typ, t));
    }
  }
  if (ok) {
    if (rec.detail()) {
      rec.pass("typ", has ? util::quote(typ) : "absent");
    }
    return;
  }
  const std::string accepted = p.typ.empty() ? "absent, JWT or at+jwt" : util::join(p.typ, ", ");
  if (!has) {
    rec.fail("typ", "claim_mismatch", fmt::format("typ is absent; accepted: {} (--typ)", accepted));
  } else {
    rec.fail("typ",
             "claim_mismatch",
             fmt::format("typ {} is not accepted (accepted: {}); this is another kind of JWT (RFC "
                         "8725 3.11), or pass --typ",
                         util::quote(typ),
                         accepted));
  }
}

void check_claims(element payload, const ClaimPolicy& p, double now, Recorder& rec) {
  check_exp(payload, p, now, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_nbf(payload, p, now, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_iat(payload, p, now, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_iss(payload, p, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_aud(payload, p, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_required(payload, p, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_roles(payload, p, rec);
  if (!rec.should_continue()) {
    return;
  }
  check_scopes(payload, p, rec);
}

void skip_claims(const ClaimPolicy& p, Recorder& rec, const std::string& reason) {
  if (!rec.detail()) {
    return;
  }
  rec.not_checked("typ", reason);
  rec.not_checked("exp", reason);
  rec.not_checked("nbf", reason);
  rec.not_checked("iat", reason);
  p.iss ? rec.not_checked("iss", reason) : rec.not_requested("iss");
  p.aud.empty() ? rec.not_requested("aud") : rec.not_checked("aud", reason);
  p.required.empty() ? rec.not_requested("required") : rec.not_checked("required", reason);
  p.roles.empty() ? rec.not_requested("roles") : rec.not_checked("roles", reason);
  p.scopes.empty() ? rec.not_requested("scopes") : rec.not_checked("scopes", reason);
}

} // namespace tollgate::core::claims
