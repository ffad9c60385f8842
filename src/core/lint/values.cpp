#include "core/lint/values.hpp"

#include "core/util/text.hpp"

namespace tollgate::core::lint {

bool has_placeholder(std::string_view s) {
  if (s.starts_with("$env://") || s.starts_with("$secret://")) {
    return true;
  }
  const auto dollar = s.find("${");
  if (dollar != std::string_view::npos && s.find('}', dollar + 2) != std::string_view::npos) {
    return true;
  }
  const auto open = s.find("{{");
  return open != std::string_view::npos && s.find("}}", open + 2) != std::string_view::npos;
}

bool is_https(std::string_view url) {
  return url.starts_with("https://");
}

bool is_plain_http(std::string_view url) {
  return util::istarts_with(url, "http://");
}

bool looks_like_keycloak(std::string_view url) {
  return url.find("/realms/") != std::string_view::npos;
}

} // namespace tollgate::core::lint
