#include "cli/render.hpp"

#include "core/util/text.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <cmath>

namespace tollgate::cli {
namespace {

const char* kReset = "\x1b[0m";

void colored_json(std::string& out, const core::util::Json& j, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    std::size_t i = 0;
    for (auto it = j.begin(); it != j.end(); ++it, ++i) {
      out += inner + "\x1b[1;34m" + core::util::Json(it.key()).dump() + kReset + ": ";
      colored_json(out, it.value(), indent + 1);
      out += i + 1 < j.size() ? ",\n" : "\n";
    }
    out += pad + "}";
  } else if (j.is_array()) {
    if (j.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < j.size(); ++i) {
      out += inner;
      colored_json(out, j[i], indent + 1);
      out += i + 1 < j.size() ? ",\n" : "\n";
    }
    out += pad + "]";
  } else {
    const char* c = j.is_string() ? "\x1b[32m" : j.is_number() ? "\x1b[36m" : "\x1b[35m";
    out += c + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + kReset;
  }
}

} // namespace

std::string Style::wrap(std::string_view code, std::string_view s) const {
  if (!m_on) {
    return std::string(s);
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::string string_member(const core::util::Json& o, const char* name) {
  return o.is_object() && o.contains(name) && o[name].is_string() ? o[name].get<std::string>()
                                                                  : std::string();
}

std::string render_json(const core::util::Json& doc, bool color) {
  if (!color) {
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  colored_json(out, doc, 0);
  return out;
}

std::string render_times(const core::util::Json& payload, double now, bool local, const Style& s) {
  static constexpr const char* kNames[] = {"exp", "nbf", "iat", "auth_time"};
  std::string out;
  for (const char* name : kNames) {
    auto it = payload.find(name);
    if (it == payload.end()) {
      continue;
    }
    std::string line;
    if (!it->is_number()) {
      line = s.red(fmt::format("not a number ({}): verify will reject it", it->type_name()));
    } else {
      const double t = it->get<double>();
      if (!std::isfinite(t) || t < 0 || t >= 9223372036854775808.0) {
        line = s.red("out of range: verify will reject it");
      } else {
        std::string when;
        if (std::string_view(name) == "exp") {
          when = t > now ? s.green("expires " + core::util::relative_phrase(t, now))
                         : s.red("expired " + core::util::relative_phrase(t, now));
        } else if (std::string_view(name) == "nbf") {
          when = t > now ? s.yellow("not valid until " + core::util::relative_phrase(t, now))
                         : "valid since " + core::util::relative_phrase(t, now);
        } else {
          when = t > now ? s.yellow(core::util::relative_phrase(t, now) + " (in the future)")
                         : core::util::relative_phrase(t, now);
        }
        line = fmt::format("{}  {}", core::util::format_instant(t, local), when);
      }
    }
    out += fmt::format("  {:<10} {}\n", name, line);
  }
  if (!out.empty()) {
    out = s.bold("times") + "\n" + out;
  }
  return out;
}

std::string render_keycloak(const core::claims::KeycloakView& v, const Style& s) {
  if (!v.any) {
    return "";
  }
  std::string out = s.bold(v.is_rpt ? "keycloak (RPT)" : "keycloak") + "\n";
  auto row = [&](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<13} {}\n", label, value);
  };
  if (!v.azp.empty()) {
    row("azp", v.azp);
  }
  if (!v.scope.empty()) {
    row("scope", v.scope);
  }
  if (!v.realm_roles.empty()) {
    row("realm roles", core::util::join(v.realm_roles, ", "));
  }
  bool first = true;
  for (const auto& [client, roles] : v.client_roles) {
    row(first ? "client roles" : "",
        fmt::format("{}: {}", client, roles.empty() ? "(none)" : core::util::join(roles, ", ")));
    first = false;
  }
  if (v.is_rpt) {
    if (v.permissions.empty()) {
      row("permissions", "(none)");
    }
    first = true;
    for (const auto& p : v.permissions) {
      std::string name = !p.rsname.empty() ? p.rsname : p.rsid;
      if (!p.rsid.empty() && !p.rsname.empty()) {
        name += s.dim(" (" + p.rsid + ")");
      }
      row(first ? "permissions" : "",
          p.scopes.empty() ? name : fmt::format("{}#{}", name, core::util::join(p.scopes, ",")));
      first = false;
    }
  }
  return out;
}

} // namespace tollgate::cli
