// uma::check against a small in-process model of Keycloak's uma-ticket semantics
// (uma-protocol.md 2.2-2.4): any-granted decisions, scopes resolved before resources, and unknown
// names silently dropped once an earlier permission in the same request resolved.
#include "core/uma/check.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

using namespace tollgate::core;
using namespace tollgate::core::uma;

namespace {

struct FakeKeycloak {
  struct Resource {
    std::string id;
    std::set<std::string> scopes;
  };
  std::map<std::string, Resource> resources;            // by name
  std::set<std::pair<std::string, std::string>> grants; // (resource name, scope)
  std::vector<Form> seen;

  std::set<std::string> all_scopes() const {
    std::set<std::string> s;
    for (const auto& [n, r] : resources) {
      s.insert(r.scopes.begin(), r.scopes.end());
    }
    return s;
  }
  const std::pair<const std::string, Resource>* find(const std::string& name_or_id) const {
    for (const auto& e : resources) {
      if (e.first == name_or_id || e.second.id == name_or_id) {
        return &e;
      }
    }
    return nullptr;
  }

  Reply answer(const Form& form) {
    seen.push_back(form);
    std::vector<std::string> perms;
    std::string mode;
    for (const auto& [k, v] : form) {
      if (k == "permission") {
        perms.push_back(v);
      } else if (k == "response_mode") {
        mode = v;
      }
    }
    // Evaluate: map resource -> requested scopes (empty set: all scopes of the resource).
    std::map<std::string, std::set<std::string>> requested;
    bool resolved_any = false;
    const auto scopes_rs = all_scopes();
    for (const auto& p : perms) {
      const auto hash = p.find('#');
      const std::string res = p.substr(0, hash);
      std::set<std::string> sc;
      if (hash != std::string::npos) {
        std::string rest = p.substr(hash + 1);
        size_t start = 0;
        while (true) {
          auto c = rest.find(',', start);
          sc.insert(rest.substr(start, c == std::string::npos ? std::string::npos : c - start));
          if (c == std::string::npos) {
            break;
          }
          start = c + 1;
        }
      }
      std::set<std::string> known;
      for (const auto& s : sc) {
        if (scopes_rs.count(s)) {
          known.insert(s);
        }
      }
      if (!sc.empty() && known.empty()) {
        return {
            400,
            R"({"error":"invalid_scope","error_description":"One of the given scopes [x] is invalid"})"};
      }
      if (res.empty()) {
        for (const auto& [name, r] : resources) {
          for (const auto& s : known) {
            if (r.scopes.count(s)) {
              requested[name].insert(s);
            }
          }
        }
        resolved_any = true;
        continue;
      }
      const auto* found = find(res);
      if (found == nullptr) {
        if (!resolved_any) {
          return {400,
                  "{\"error\":\"invalid_resource\",\"error_description\":\"Resource with id [" + res
                      + "] does not exist.\"}"};
        }
        continue; // silently dropped
      }
      resolved_any = true;
      auto& slot = requested[found->first];
      if (known.empty()) {
        slot.insert(found->second.scopes.begin(), found->second.scopes.end());
      } else {
        slot.insert(known.begin(), known.end());
      }
    }
    nlohmann::json granted = nlohmann::json::array();
    for (const auto& [name, scopes] : requested) {
      nlohmann::json g = {{"rsid", resources[name].id}, {"rsname", name}};
      nlohmann::json ok = nlohmann::json::array();
      for (const auto& s : scopes) {
        if (grants.count({name, s})) {
          ok.push_back(s);
        }
      }
      if (!ok.empty()) {
        g["scopes"] = ok;
        granted.push_back(g);
      }
    }
    if (granted.empty()) {
      return {403, R"({"error":"access_denied","error_description":"not_authorized"})"};
    }
    if (mode == "decision") {
      return {200, R"({"result":true})"};
    }
    return {200, granted.dump()};
  }

  Transport transport() {
    return [this](const Form& f) -> Result<Reply> {
      return answer(f);
    };
  }
};

FakeKeycloak realm() {
  FakeKeycloak kc;
  kc.resources["Report"] = {"11111111-aaaa", {"view", "edit", "GET"}};
  kc.resources["Admin"] = {"22222222-bbbb", {"view", "manage"}};
  kc.grants = {{"Report", "view"}, {"Report", "GET"}, {"Admin", "view"}};
  return kc;
}

CheckRequest req(std::initializer_list<const char*> perms, bool all = true) {
  CheckRequest r;
  r.audience = "reports-api";
  r.require_all = all;
  for (const char* p : perms) {
    auto parsed = parse_permission(p);
    REQUIRE(parsed.ok());
    r.permissions.push_back(*parsed);
  }
  return r;
}

} // namespace

TEST_CASE("uma::parse_permission refuses what Keycloak would misread") {
  CHECK(parse_permission("Report#view,edit")->scopes.size() == 2);
  CHECK(parse_permission("Report")->scopes.empty());
  CHECK(parse_permission("#view")->resource.empty());
  for (const char* bad :
       {"", "#", "a#", "a#x,,y", "a#x,", " a#x", "a #x", "a# x", "a#x, y", "a#b#c"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_permission(bad).ok());
  }
  CHECK(parse_permission("a#x, y").error().message.find("does not trim") != std::string::npos);
  CHECK(with_method(*parse_permission("res#read"), "GET").wire() == "res#read,GET");
  CHECK(with_method(*parse_permission("res"), "GET").wire() == "res#GET");
}

TEST_CASE(
    "uma::check require all: a multi-scope permission counts only when every scope is granted") {
  auto kc = realm();
  // Keycloak alone would say {"result":true} here (view is granted).
  auto r = check(req({"Report#view,edit"}), kc.transport());
  REQUIRE(r.ok());
  CHECK(r->decided);
  CHECK_FALSE(r->allowed);
  CHECK(r->permissions[0].granted == false);
  CHECK(r->permissions[0].detail.find("'Report#edit' is not granted") != std::string::npos);
  auto ok = check(req({"Report#view,GET", "Admin#view"}), kc.transport());
  REQUIRE(ok.ok());
  CHECK(ok->allowed);
  CHECK(ok->requests == 1);
  CHECK(kc.seen.back().back() == Form::value_type{"response_mode", "permissions"});
}

TEST_CASE("uma::check require all: ids and names, whole resources, scope-only permissions") {
  auto kc = realm();
  CHECK(check(req({"11111111-aaaa#view"}), kc.transport())->allowed);
  CHECK(check(req({"Report"}), kc.transport())->allowed);
  CHECK(check(req({"#view"}), kc.transport())->allowed);
  CHECK_FALSE(check(req({"#manage"}), kc.transport())->allowed);
}

TEST_CASE("uma::check: an unknown resource after a resolved one is reported, never a plain deny") {
  auto kc = realm();
  auto r = check(req({"Report#view", "Nope#view"}), kc.transport());
  REQUIRE(r.ok());
  CHECK_FALSE(r->decided);
  CHECK(r->message == "resource 'Nope' does not exist on resource server 'reports-api'");
  CHECK(r->idp_error->error == "invalid_resource");
  // And as the first permission, Keycloak's own 400 says it.
  auto first = check(req({"Nope#view", "Report#view"}), kc.transport());
  CHECK_FALSE(first->decided);
  CHECK(first->message.find("'Nope' does not exist") != std::string::npos);
}

TEST_CASE("uma::check: an unknown scope next to a known one is reported") {
  auto kc = realm();
  auto r = check(req({"Report#view,bogus"}), kc.transport());
  REQUIRE(r.ok());
  CHECK_FALSE(r->decided);
  CHECK(r->message == "scope 'bogus' does not exist on resource server 'reports-api'");
  auto all_unknown = check(req({"Report#bogus"}), kc.transport());
  CHECK_FALSE(all_unknown->decided);
  CHECK(all_unknown->idp_error->error == "invalid_scope");
}

TEST_CASE("uma::check require any: one decision, Keycloak's semantics, unknown names still found") {
  auto kc = realm();
  auto r = check(req({"Report#view,edit"}, false), kc.transport());
  REQUIRE(r.ok());
  CHECK(r->allowed);
  CHECK(r->requests == 1);
  CHECK_FALSE(r->permissions[0].granted.has_value());
  auto denied = check(req({"Report#edit", "Admin#manage"}, false), kc.transport());
  CHECK(denied->decided);
  CHECK_FALSE(denied->allowed);
  auto unknown = check(req({"Report#edit", "Nope"}, false), kc.transport());
  CHECK_FALSE(unknown->decided);
  CHECK(unknown->message.find("'Nope' does not exist") != std::string::npos);
}

TEST_CASE("uma::check maps IdP errors to words and keeps the body") {
  FakeKeycloak kc = realm();
  Transport t401 = [](const Form&) -> Result<Reply> {
    return Reply{401, R"({"error":"invalid_grant","error_description":"Invalid bearer token"})"};
  };
  auto r = check(req({"Report#view"}), t401);
  CHECK_FALSE(r->decided);
  CHECK(r->message.find("rejected the user's token") != std::string::npos);
  Transport t500 = [](const Form&) -> Result<Reply> {
    return Reply{500, "<html>oops</html>"};
  };
  CHECK(check(req({"Report#view"}), t500)->message == "the IdP failed: HTTP 500");
  Transport down = [](const Form&) -> Result<Reply> {
    return network_error("connect", "connection refused");
  };
  auto net = check(req({"Report#view"}), down);
  REQUIRE_FALSE(net.ok());
  CHECK(net.error().cls == ErrorClass::network);
}

TEST_CASE("uma::base_form sends the claim token format explicitly") {
  Form f = base_form("rs", "eyJ4IjpbIjEiXX0", "");
  CHECK(f[0] == Form::value_type{"grant_type", kUmaGrant});
  CHECK(std::find(f.begin(), f.end(), Form::value_type{"claim_token_format", kClaimTokenFormatJwt})
        != f.end());
}
