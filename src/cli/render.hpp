#pragma once

#include "core/claims/keycloak.hpp"
#include "core/util/json.hpp"

#include <string>
#include <string_view>

namespace tollgate::cli {

// ANSI styling that is a no-op when colour is off.
class Style {
public:
  explicit Style(bool on) : m_on(on) {}
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string red(std::string_view s) const { return wrap("1;31", s); }
  std::string green(std::string_view s) const { return wrap("1;32", s); }
  std::string yellow(std::string_view s) const { return wrap("1;33", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }
  bool on() const { return m_on; }

private:
  std::string wrap(std::string_view code, std::string_view s) const;
  bool m_on;
};

// Pretty JSON (2-space indent), coloured like jq when `color`.
std::string render_json(const core::util::Json& doc, bool color);

// Human lines for exp, nbf, iat and auth_time: "  exp  2026-11-22T10:15:00Z  expired 3h 2m ago".
std::string render_times(const core::util::Json& payload, double now, bool local, const Style& s);

// A string member of a JSON object, "" when absent or not a string (for tables of IdP answers).
std::string string_member(const core::util::Json& o, const char* name);

// The Keycloak summary block (empty when the token has no Keycloak claims).
std::string render_keycloak(const core::claims::KeycloakView& v, const Style& s);

} // namespace tollgate::cli
