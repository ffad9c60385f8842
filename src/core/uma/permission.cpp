#include "core/uma/permission.hpp"

#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::uma {
namespace {

bool has_edge_space(std::string_view s) {
  auto sp = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  };
  return !s.empty() && (sp(s.front()) || sp(s.back()));
}

Error bad(std::string_view text, std::string why) {
  return usage_error("bad_permission", fmt::format("permission {}: {}", util::quote(text), why));
}

} // namespace

std::string Permission::wire() const {
  if (scopes.empty()) {
    return resource;
  }
  std::string out = resource + "#";
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    if (i) {
      out += ',';
    }
    out += scopes[i];
  }
  return out;
}

std::string Pair::wire() const {
  if (scope.empty()) {
    return resource;
  }
  return resource + "#" + scope;
}

Result<Permission> parse_permission(std::string_view text) {
  if (text.empty()) {
    return bad(text, "is empty");
  }
  if (has_edge_space(text)) {
    return bad(text, "has spaces around it; Keycloak does not trim names, so remove them");
  }
  if (std::count(text.begin(), text.end(), '#') > 1) {
    return bad(text, "has more than one '#' (use RESOURCE#SCOPE1,SCOPE2)");
  }
  Permission p;
  p.raw = std::string(text);
  const auto hash = text.find('#');
  const std::string_view resource = text.substr(0, hash);
  if (has_edge_space(resource)) {
    return bad(
        text,
        "has a space next to '#'; Keycloak would look for a resource with that space in its name");
  }
  p.resource = std::string(resource);
  if (hash == std::string_view::npos) {
    return p;
  }
  const std::string_view scopes = text.substr(hash + 1);
  if (scopes.empty()) {
    return bad(
        text,
        resource.empty()
            ? "names neither a resource nor a scope"
            : fmt::format("ends with '#' but names no scope (write '{}' for the whole resource)",
                          resource));
  }
  for (auto s : util::split(scopes, ',')) {
    if (s.empty()) {
      return bad(text, "has an empty scope name (two commas, or a comma at an end)");
    }
    if (has_edge_space(s)) {
      return bad(
          text,
          fmt::format("scope {} has a space at its edge; Keycloak does not trim, so it would ask "
                      "for a scope that does not exist (write the scopes joined by a bare comma)",
                      util::quote(s)));
    }
    if (std::find(p.scopes.begin(), p.scopes.end(), s) == p.scopes.end()) {
      p.scopes.emplace_back(s);
    }
  }
  return p;
}

Permission with_method(Permission p, std::string_view method) {
  if (std::find(p.scopes.begin(), p.scopes.end(), method) == p.scopes.end()) {
    p.scopes.emplace_back(method);
  }
  return p;
}

std::vector<Pair> pairs_of(const std::vector<Permission>& permissions) {
  std::vector<Pair> out;
  auto add = [&](std::string r, std::string s, std::size_t i) {
    for (const auto& e : out) {
      if (e.resource == r && e.scope == s) {
        return;
      }
    }
    out.push_back({std::move(r), std::move(s), i});
  };
  for (std::size_t i = 0; i < permissions.size(); ++i) {
    const auto& p = permissions[i];
    if (p.scopes.empty()) {
      add(p.resource, "", i);
    }
    for (const auto& s : p.scopes) {
      add(p.resource, s, i);
    }
  }
  return out;
}

} // namespace tollgate::core::uma
