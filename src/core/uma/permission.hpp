#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::uma {

// One requested permission, `RESOURCE#SCOPE1,SCOPE2`, `RESOURCE` or `#SCOPE`, as Keycloak parses it
// (uma-protocol.md 2.2): split on '#', scopes on ','; Keycloak trims nothing.
struct Permission {
  std::string raw;      // as the user gave it
  std::string resource; // name or id; "" for a scope-only permission
  std::vector<std::string> scopes;

  // The form value to send: `res#s1,s2`, never with spaces (a space would name another scope).
  std::string wire() const;
};

// Validate and split a permission string. Refuses what Keycloak would silently misread: `#`, `a#`,
// more than one '#', empty scope items (`a#x,,y`), and whitespace at either end or next to '#'
// or ',' (Keycloak would ask for a scope named " y").
Result<Permission> parse_permission(std::string_view text);

// Add `method` (e.g. "GET") as a scope, the way APISIX's http_method_as_scope means to:
// `res` -> `res#GET`, `res#read` -> `res#read,GET` (a bare comma, which Keycloak honours).
Permission with_method(Permission p, std::string_view method);

// A resource/scope pair of an "all of these" check: scope "" means the resource as a whole,
// resource "" a scope-only permission.
struct Pair {
  std::string resource;
  std::string scope;
  std::size_t permission_index = 0; // which requested permission it came from
  std::string wire() const;         // the single-pair permission string, for probing
};

// Every pair the permissions ask for, in order, without duplicates.
std::vector<Pair> pairs_of(const std::vector<Permission>& permissions);

} // namespace tollgate::core::uma
