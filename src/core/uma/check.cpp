#include "core/uma/check.hpp"

#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::uma {
namespace {

// "Resource with id [Report] does not exist." -> "Report"
std::string bracketed(const std::string& s) {
  const auto a = s.find('[');
  const auto b = s.rfind(']');
  if (a == std::string::npos || b == std::string::npos || b <= a) {
    return "";
  }
  return s.substr(a + 1, b - a - 1);
}

enum class Outcome { granted, denied, no_resource, no_scope, error };

Outcome classify(const Reply& r, IdpError& err) {
  if (r.status == 200) {
    return Outcome::granted;
  }
  err = parse_idp_error(r);
  if (r.status == 403 && err.error == "access_denied") {
    return Outcome::denied;
  }
  if (r.status == 400 && err.error == "invalid_resource") {
    return Outcome::no_resource;
  }
  if (r.status == 400 && err.error == "invalid_scope") {
    return Outcome::no_scope;
  }
  return Outcome::error;
}

bool matches(const Granted& g, const std::string& resource) {
  return !resource.empty() && (g.rsid == resource || g.rsname == resource);
}

bool has_scope(const Granted& g, const std::string& scope) {
  // An entry without scopes grants the whole resource (Keycloak's enforcers read it so).
  return g.scopes.empty() || std::find(g.scopes.begin(), g.scopes.end(), scope) != g.scopes.end();
}

bool pair_granted(const Pair& p, const std::vector<Granted>& granted) {
  for (const auto& g : granted) {
    if (p.resource.empty()) {
      if (!g.scopes.empty()
          && std::find(g.scopes.begin(), g.scopes.end(), p.scope) != g.scopes.end()) {
        return true;
      }
    } else if (matches(g, p.resource) && (p.scope.empty() || has_scope(g, p.scope))) {
      return true;
    }
  }
  return false;
}

std::string pair_text(const Pair& p) {
  if (p.resource.empty()) {
    return fmt::format("scope '{}'", p.scope);
  }
  if (p.scope.empty()) {
    return fmt::format("resource '{}'", p.resource);
  }
  return fmt::format("'{}#{}'", p.resource, p.scope);
}

} // namespace

Form base_form(const std::string& audience,
               const std::string& claim_token,
               const std::string& subject_token) {
  Form f = {{"grant_type", kUmaGrant}, {"audience", audience}};
  if (!claim_token.empty()) {
    f.emplace_back("claim_token", claim_token);
    // Always explicit: without it, Bearer-authenticated requests take the ID-token path and the
    // pushed claims are ignored (uma-protocol.md 2.2).
    f.emplace_back("claim_token_format", kClaimTokenFormatJwt);
  }
  if (!subject_token.empty()) {
    f.emplace_back("subject_token", subject_token);
  }
  return f;
}

IdpError parse_idp_error(const Reply& reply) {
  IdpError e;
  e.status = reply.status;
  auto doc = util::parse_json_strict(reply.body, "the IdP's answer");
  if (doc && doc->is_object()) {
    if (doc->contains("error") && (*doc)["error"].is_string()) {
      e.error = (*doc)["error"];
    }
    if (doc->contains("error_description") && (*doc)["error_description"].is_string()) {
      e.description = (*doc)["error_description"];
    }
  }
  return e;
}

std::string explain_idp_error(const IdpError& e, const std::string& audience) {
  const std::string rs = fmt::format("resource server '{}'", audience);
  if (e.error == "invalid_resource") {
    const std::string name = bracketed(e.description);
    return name.empty()
               ? fmt::format("a requested resource does not exist on {} ({})", rs, e.description)
               : fmt::format("resource '{}' does not exist on {}", name, rs);
  }
  if (e.error == "invalid_scope") {
    const std::string names = bracketed(e.description);
    return fmt::format("none of the requested scopes{} exists on {}",
                       names.empty() || names == "null" ? "" : " [" + names + "]",
                       rs);
  }
  if (e.status == 401 && e.error == "invalid_grant") {
    return "the IdP rejected the user's token (--token): it is invalid or expired (" + e.description
           + ")";
  }
  if (e.status == 401 && e.description.find("ublic client") != std::string::npos) {
    return "the IdP refused the client: " + e.description
           + " (a public client has no service account: pass --token, the user's access token)";
  }
  if (e.status == 401 && (e.error == "invalid_client" || e.error == "unauthorized_client")) {
    return "client authentication failed"
           + (e.description.empty() ? std::string() : " (" + e.description + ")")
           + ": check --client-id, the client secret and --client-auth";
  }
  if (e.error == "invalid_request") {
    if (e.description.find("issuedFor") != std::string::npos) {
      return "the IdP needs --audience (the resource server's client id) on every permission "
             "request";
    }
    if (e.description.find("Unknown resource server") != std::string::npos) {
      return fmt::format("{} does not exist (--audience is the resource server's client id)", rs);
    }
    if (e.description.find("does not support permissions") != std::string::npos) {
      return fmt::format("client '{}' does not have Authorization Services enabled", audience);
    }
  }
  if (e.status == 403 && e.error == "invalid_grant") {
    return "the IdP refused the request: " + e.description
           + " (public clients may not push claims with --claim)";
  }
  if (e.status >= 500) {
    return fmt::format("the IdP failed: HTTP {}{}{}",
                       e.status,
                       e.error.empty() ? "" : " " + e.error,
                       e.description.empty() ? "" : ": " + e.description);
  }
  if (e.error.empty()) {
    return fmt::format("the token endpoint answered HTTP {} without an OAuth error body", e.status);
  }
  return fmt::format("the IdP could not decide: HTTP {} {}{}",
                     e.status,
                     e.error,
                     e.description.empty() ? "" : ": " + e.description);
}

Result<std::vector<Granted>> parse_granted(const std::string& body) {
  TOLLGATE_TRY(auto doc, util::parse_json_strict(body, "the IdP's permissions answer"));
  if (!doc.is_array()) {
    return network_error("bad_response", "the IdP's permissions answer is not a JSON array");
  }
  std::vector<Granted> out;
  for (const auto& e : doc) {
    if (!e.is_object()) {
      continue;
    }
    Granted g;
    if (e.contains("rsid") && e["rsid"].is_string()) {
      g.rsid = e["rsid"];
    }
    if (e.contains("rsname") && e["rsname"].is_string()) {
      g.rsname = e["rsname"];
    }
    if (e.contains("scopes") && e["scopes"].is_array()) {
      for (const auto& s : e["scopes"]) {
        if (s.is_string()) {
          g.scopes.push_back(s);
        }
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

Result<CheckResult> check(const CheckRequest& req, const Transport& transport) {
  CheckResult result;
  for (const auto& p : req.permissions) {
    result.permissions.push_back({p.raw, p.resource, p.scopes, std::nullopt, ""});
  }
  auto send = [&](const std::vector<std::string>& wire, const char* mode) -> Result<Reply> {
    Form f = base_form(req.audience, req.claim_token, req.subject_token);
    for (const auto& w : wire) {
      f.emplace_back("permission", w);
    }
    f.emplace_back("response_mode", mode);
    ++result.requests;
    return transport(f);
  };
  auto fail_idp = [&](const IdpError& e) {
    result.decided = false;
    result.allowed = false;
    result.idp_error = e;
    result.message = explain_idp_error(e, req.audience);
  };

  std::vector<std::string> wire;
  for (const auto& p : req.permissions) {
    wire.push_back(p.wire());
  }

  if (req.entitlement || !req.require_all || req.permissions.empty()) {
    TOLLGATE_TRY(auto reply, send(wire, "decision"));
    IdpError err;
    const Outcome o = classify(reply, err);
    if (o == Outcome::granted) {
      result.allowed = true;
      return result;
    }
    if (o == Outcome::no_resource || o == Outcome::no_scope || o == Outcome::error) {
      fail_idp(err);
      return result;
    }
    // Denied. With one permission this is the answer; with several, a name that does not exist
    // may have been dropped silently, so ask about each on its own.
    result.message = req.permissions.size() <= 1 ? "the IdP denied the permission"
                                                 : "the IdP denied every permission";
    if (req.permissions.size() > 1) {
      for (std::size_t i = 0; i < req.permissions.size(); ++i) {
        TOLLGATE_TRY(auto r, send({wire[i]}, "decision"));
        IdpError e;
        const Outcome po = classify(r, e);
        if (po == Outcome::no_resource || po == Outcome::no_scope || po == Outcome::error) {
          result.permissions[i].detail = explain_idp_error(e, req.audience);
          fail_idp(e);
          return result;
        }
      }
    }
    for (auto& p : result.permissions) {
      p.granted = false;
    }
    return result;
  }

  const std::vector<Pair> pairs = pairs_of(req.permissions);
  if (pairs.size() == 1) {
    // One resource/scope pair: Keycloak's decision is exactly the answer, in one request.
    TOLLGATE_TRY(auto reply, send({pairs[0].wire()}, "decision"));
    IdpError err;
    const Outcome o = classify(reply, err);
    if (o == Outcome::granted || o == Outcome::denied) {
      result.allowed = o == Outcome::granted;
      for (auto& p : result.permissions) {
        p.granted = result.allowed;
      }
      if (!result.allowed) {
        result.message = fmt::format("denied: {}", req.permissions.front().raw);
        result.permissions.front().detail = fmt::format("{} is not granted", pair_text(pairs[0]));
      }
      return result;
    }
    std::string why = explain_idp_error(err, req.audience);
    if (o == Outcome::no_scope && !pairs[0].scope.empty()) {
      why = fmt::format(
          "scope '{}' does not exist on resource server '{}'", pairs[0].scope, req.audience);
    }
    fail_idp(err);
    result.message = why;
    result.permissions.front().detail = why;
    return result;
  }

  // require all: one permissions-mode request, then match every pair.
  TOLLGATE_TRY(auto reply, send(wire, "permissions"));
  std::vector<Granted> granted;
  IdpError err;
  const Outcome o = classify(reply, err);
  if (o == Outcome::granted) {
    auto g = parse_granted(reply.body);
    if (!g) {
      return std::move(g).error();
    }
    granted = std::move(g).value();
  } else if (o == Outcome::denied) {
    granted.clear();
  } else {
    fail_idp(err);
    return result;
  }
  std::vector<bool> pair_ok(pairs.size(), false);
  std::vector<std::string> missing_text(req.permissions.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    pair_ok[i] = pair_granted(pairs[i], granted);
  }
  // Probe what is missing, unless the request held a single pair (its answer is then exact).
  if (pairs.size() > 1) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (pair_ok[i]) {
        continue;
      }
      TOLLGATE_TRY(auto r, send({pairs[i].wire()}, "decision"));
      IdpError e;
      const Outcome po = classify(r, e);
      if (po == Outcome::granted) {
        pair_ok[i] = true; // Keycloak grants it alone (its list was filtered)
      } else if (po != Outcome::denied) {
        std::string why = explain_idp_error(e, req.audience);
        if (po == Outcome::no_scope && !pairs[i].scope.empty()) {
          why = fmt::format(
              "scope '{}' does not exist on resource server '{}'", pairs[i].scope, req.audience);
        }
        result.permissions[pairs[i].permission_index].detail = why;
        result.permissions[pairs[i].permission_index].granted = false;
        fail_idp(e);
        result.message = why;
        return result;
      }
    }
  }
  result.allowed = true;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    auto& pr = result.permissions[pairs[i].permission_index];
    if (!pr.granted.has_value()) {
      pr.granted = true;
    }
    if (!pair_ok[i]) {
      pr.granted = false;
      result.allowed = false;
      if (!pr.detail.empty()) {
        pr.detail += ", ";
      }
      pr.detail += fmt::format("{} is not granted", pair_text(pairs[i]));
    }
  }
  if (!result.allowed) {
    std::vector<std::string> denied;
    for (const auto& p : result.permissions) {
      if (p.granted == false) {
        denied.push_back(p.permission);
      }
    }
    result.message = fmt::format("denied: {}", util::join(denied, ", "));
  }
  return result;
}

} // namespace tollgate::core::uma
