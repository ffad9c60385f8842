#pragma once

#include "core/util/json.hpp"

#include <string>
#include <utility>
#include <vector>

namespace tollgate::core::claims {

// A readable summary of the Keycloak-specific claims of a token (access token or RPT).
struct KeycloakView {
  std::string azp;
  std::string scope;
  std::vector<std::string> realm_roles;
  std::vector<std::pair<std::string, std::vector<std::string>>> client_roles; // client -> roles
  struct Permission {
    std::string rsname;
    std::string rsid;
    std::vector<std::string> scopes;
  };
  std::vector<Permission> permissions; // RPT authorization.permissions
  bool is_rpt = false;
  bool any = false; // at least one Keycloak claim is present
};

KeycloakView keycloak_view(const util::Json& payload);

} // namespace tollgate::core::claims
