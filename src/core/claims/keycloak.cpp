#include "core/claims/keycloak.hpp"

namespace tollgate::core::claims {
namespace {

std::vector<std::string> strings(const util::Json& arr) {
  std::vector<std::string> out;
  if (arr.is_array()) {
    for (const auto& v : arr) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

} // namespace

KeycloakView keycloak_view(const util::Json& payload) {
  KeycloakView v;
  if (!payload.is_object()) {
    return v;
  }
  if (auto it = payload.find("azp"); it != payload.end() && it->is_string()) {
    v.azp = it->get<std::string>();
    v.any = true;
  }
  if (auto it = payload.find("scope"); it != payload.end() && it->is_string()) {
    v.scope = it->get<std::string>();
  }
  if (auto it = payload.find("realm_access"); it != payload.end() && it->is_object()) {
    v.realm_roles = strings(it->value("roles", util::Json::array()));
    v.any = true;
  }
  if (auto it = payload.find("resource_access"); it != payload.end() && it->is_object()) {
    for (auto c = it->begin(); c != it->end(); ++c) {
      if (c.value().is_object()) {
        v.client_roles.emplace_back(c.key(),
                                    strings(c.value().value("roles", util::Json::array())));
      }
    }
    v.any = true;
  }
  if (auto it = payload.find("authorization"); it != payload.end() && it->is_object()) {
    v.is_rpt = true;
    v.any = true;
    const auto perms = it->value("permissions", util::Json::array());
    if (perms.is_array()) {
      for (const auto& p : perms) {
        if (!p.is_object()) {
          continue;
        }
        KeycloakView::Permission perm;
        if (p.contains("rsname") && p["rsname"].is_string()) {
          perm.rsname = p["rsname"].get<std::string>();
        }
        if (p.contains("rsid") && p["rsid"].is_string()) {
          perm.rsid = p["rsid"].get<std::string>();
        }
        perm.scopes = strings(p.value("scopes", util::Json::array()));
        v.permissions.push_back(std::move(perm));
      }
    }
  }
  return v;
}

} // namespace tollgate::core::claims
