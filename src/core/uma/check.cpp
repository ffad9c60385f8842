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
  Form f = {{"grant_type", kUmaGrant}};
  if (!audience.empty()) {
    f.emplace_back("audience", audience);
  }
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

Checker::Checker(CheckRequest request) : m_req(std::move(request)) {
  for (const auto& p : m_req.permissions) {
    m_result.permissions.push_back({p.raw, p.resource, p.scopes, std::nullopt, ""});
    m_wire.push_back(p.wire());
  }
  if (m_req.entitlement || !m_req.require_all || m_req.permissions.empty()) {
    m_mode = Mode::decision;
    m_pending.push_back(form(m_wire, "decision"));
    return;
  }
  m_pairs = pairs_of(m_req.permissions);
  if (m_pairs.size() == 1) {
    // One resource/scope pair: Keycloak's decision is exactly the answer, in one request.
    m_mode = Mode::single_pair;
    m_pending.push_back(form({m_pairs[0].wire()}, "decision"));
    return;
  }
  m_mode = Mode::pairs;
  m_pending.push_back(form(m_wire, "permissions"));
}

Form Checker::form(const std::vector<std::string>& wire, const char* mode) const {
  Form f = base_form(m_req.audience, m_req.claim_token, m_req.subject_token);
  for (const auto& w : wire) {
    f.emplace_back("permission", w);
  }
  f.emplace_back("response_mode", mode);
  return f;
}

std::vector<Form> Checker::next() {
  std::vector<Form> out;
  out.swap(m_pending);
  m_result.requests += static_cast<int>(out.size());
  return out;
}

void Checker::fail_idp(const IdpError& e) {
  m_result.decided = false;
  m_result.allowed = false;
  m_result.idp_error = e;
  m_result.message = explain_idp_error(e, m_req.audience);
}

void Checker::answer(std::vector<Result<Reply>> replies) {
  for (auto& r : replies) {
    if (!r) {
      m_error = std::move(r).error();
      m_done = true;
      return;
    }
  }
  ++m_round;
  switch (m_mode) {
  case Mode::decision:
    return m_round == 1 ? decision_first(*replies.at(0)) : decision_probes(replies);
  case Mode::single_pair:
    return single_pair(*replies.at(0));
  case Mode::pairs:
    return m_round == 1 ? pairs_first(*replies.at(0)) : pairs_probes(replies);
  }
}

void Checker::decision_first(const Reply& reply) {
  IdpError err;
  const Outcome o = classify(reply, err);
  if (o == Outcome::granted) {
    m_result.allowed = true;
    m_done = true;
    return;
  }
  if (o != Outcome::denied) {
    fail_idp(err);
    m_done = true;
    return;
  }
  // Denied. With one permission this is the answer; with several, a name that does not exist may
  // have been dropped silently, so each is asked about on its own.
  m_result.message = m_req.permissions.size() <= 1 ? "the IdP denied the permission"
                                                   : "the IdP denied every permission";
  if (m_req.permissions.size() > 1) {
    for (const auto& w : m_wire) {
      m_pending.push_back(form({w}, "decision"));
    }
    return;
  }
  for (auto& p : m_result.permissions) {
    p.granted = false;
  }
  m_done = true;
}

void Checker::decision_probes(const std::vector<Result<Reply>>& replies) {
  m_done = true;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    IdpError e;
    const Outcome po = classify(*replies[i], e);
    if (po == Outcome::no_resource || po == Outcome::no_scope || po == Outcome::error) {
      m_result.permissions[i].detail = explain_idp_error(e, m_req.audience);
      fail_idp(e);
      return;
    }
  }
  for (auto& p : m_result.permissions) {
    p.granted = false;
  }
}

void Checker::single_pair(const Reply& reply) {
  m_done = true;
  IdpError err;
  const Outcome o = classify(reply, err);
  if (o == Outcome::granted || o == Outcome::denied) {
    m_result.allowed = o == Outcome::granted;
    for (auto& p : m_result.permissions) {
      p.granted = m_result.allowed;
    }
    if (!m_result.allowed) {
      m_result.message = fmt::format("denied: {}", m_req.permissions.front().raw);
      m_result.permissions.front().detail = fmt::format("{} is not granted", pair_text(m_pairs[0]));
    }
    return;
  }
  std::string why = explain_idp_error(err, m_req.audience);
  if (o == Outcome::no_scope && !m_pairs[0].scope.empty()) {
    why = fmt::format(
        "scope '{}' does not exist on resource server '{}'", m_pairs[0].scope, m_req.audience);
  }
  fail_idp(err);
  m_result.message = why;
  m_result.permissions.front().detail = why;
}

void Checker::pairs_first(const Reply& reply) {
  std::vector<Granted> granted;
  IdpError err;
  const Outcome o = classify(reply, err);
  if (o == Outcome::granted) {
    auto g = parse_granted(reply.body);
    if (!g) {
      m_error = std::move(g).error();
      m_done = true;
      return;
    }
    granted = std::move(g).value();
  } else if (o != Outcome::denied) {
    fail_idp(err);
    m_done = true;
    return;
  }
  m_pair_ok.assign(m_pairs.size(), false);
  for (std::size_t i = 0; i < m_pairs.size(); ++i) {
    m_pair_ok[i] = pair_granted(m_pairs[i], granted);
  }
  // Pairs missing from the granted list are asked about on their own: Keycloak filters the list
  // and silently drops names that do not exist once another one resolved.
  for (std::size_t i = 0; i < m_pairs.size(); ++i) {
    if (!m_pair_ok[i]) {
      m_probed.push_back(i);
      m_pending.push_back(form({m_pairs[i].wire()}, "decision"));
    }
  }
  if (m_pending.empty()) {
    finish_pairs();
  }
}

void Checker::pairs_probes(const std::vector<Result<Reply>>& replies) {
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const std::size_t i = m_probed[k];
    IdpError e;
    const Outcome po = classify(*replies[k], e);
    if (po == Outcome::granted) {
      m_pair_ok[i] = true; // Keycloak grants it alone (its list was filtered)
    } else if (po != Outcome::denied) {
      std::string why = explain_idp_error(e, m_req.audience);
      if (po == Outcome::no_scope && !m_pairs[i].scope.empty()) {
        why = fmt::format(
            "scope '{}' does not exist on resource server '{}'", m_pairs[i].scope, m_req.audience);
      }
      auto& pr = m_result.permissions[m_pairs[i].permission_index];
      pr.detail = why;
      pr.granted = false;
      fail_idp(e);
      m_result.message = why;
      m_done = true;
      return;
    }
  }
  finish_pairs();
}

void Checker::finish_pairs() {
  m_done = true;
  m_result.allowed = true;
  for (std::size_t i = 0; i < m_pairs.size(); ++i) {
    auto& pr = m_result.permissions[m_pairs[i].permission_index];
    if (!pr.granted.has_value()) {
      pr.granted = true;
    }
    if (!m_pair_ok[i]) {
      pr.granted = false;
      m_result.allowed = false;
      if (!pr.detail.empty()) {
        pr.detail += ", ";
      }
      pr.detail += fmt::format("{} is not granted", pair_text(m_pairs[i]));
    }
  }
  if (!m_result.allowed) {
    std::vector<std::string> denied;
    for (const auto& p : m_result.permissions) {
      if (p.granted == false) {
        denied.push_back(p.permission);
      }
    }
    m_result.message = fmt::format("denied: {}", util::join(denied, ", "));
  }
}

Result<CheckResult> Checker::result() && {
  if (m_error) {
    return std::move(*m_error);
  }
  return std::move(m_result);
}

Result<CheckResult> check(const CheckRequest& req, const Transport& transport) {
  Checker c(req);
  while (!c.done()) {
    std::vector<Result<Reply>> replies;
    for (const auto& f : c.next()) {
      replies.push_back(transport(f));
      if (!replies.back()) {
        break; // the first failure ends the check
      }
    }
    c.answer(std::move(replies));
  }
  return std::move(c).result();
}

} // namespace tollgate::core::uma
