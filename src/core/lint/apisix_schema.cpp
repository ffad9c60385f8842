// APISIX schemas and APISIX's own error strings (gateway-configs.md B.1, B.2; schema_def.lua).
#include "core/lint/apisix.hpp"
#include "core/lint/values.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint::apisix {

namespace {

using enum JType;

constexpr std::string_view kGrantTypes[] = {"urn:ietf:params:oauth:grant-type:uma-ticket"};
constexpr std::string_view kModes[] = {"ENFORCING", "PERMISSIVE"};
constexpr std::string_view kMethods[] = {
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PURGE"};
constexpr std::string_view kProtocols[] = {"grpc", "http"};
constexpr long long kStatus[] = {1, 0};

const Field kPluginFields[] = {
    {.name = "discovery", .type = string, .min_len = 1, .max_len = 4096},
    {.name = "token_endpoint", .type = string, .min_len = 1, .max_len = 4096},
    {.name = "resource_registration_endpoint", .type = string, .min_len = 1, .max_len = 4096},
    {.name = "client_id", .type = string, .min_len = 1, .max_len = 100},
    {.name = "client_secret", .type = string, .min_len = 1, .max_len = 100},
    {.name = "grant_type", .type = string, .enums = kGrantTypes, .min_len = 1, .max_len = 100},
    {.name = "policy_enforcement_mode", .type = string, .enums = kModes},
    {.name = "permissions",
     .type = array,
     .items = string,
     .min_len = 1,
     .max_len = 100,
     .unique = true},
    {.name = "lazy_load_paths", .type = boolean},
    {.name = "http_method_as_scope", .type = boolean},
    {.name = "timeout", .type = integer, .min = 1000},
    {.name = "ssl_verify", .type = boolean},
    {.name = "cache_ttl_seconds", .type = integer, .min = 1},
    {.name = "keepalive", .type = boolean},
    {.name = "keepalive_timeout", .type = integer, .min = 1000},
    {.name = "keepalive_pool", .type = integer, .min = 1},
    {.name = "access_denied_redirect_uri", .type = string, .min_len = 1, .max_len = 2048},
    {.name = "access_token_expires_in", .type = integer, .min = 1},
    {.name = "access_token_expires_leeway", .type = integer, .min = 0},
    {.name = "refresh_token_expires_in", .type = integer, .min = 1},
    {.name = "refresh_token_expires_leeway", .type = integer, .min = 0},
    {.name = "password_grant_token_generation_incoming_uri",
     .type = string,
     .min_len = 1,
     .max_len = 4096},
    {.name = "max_req_body_size", .type = integer, .min = 1},
    {.name = "_meta", .type = object}, // injected into every plugin's schema
};

#define TG_ID(n)                                                                                   \
  Field {                                                                                          \
    .name = n, .pattern = Pattern::apisix_id, .id_or_int = true                                    \
  }

const Field kRouteFields[] = {
    {.name = "create_time", .type = integer},
    {.name = "update_time", .type = integer},
    {.name = "uri", .type = string, .min_len = 1, .max_len = 4096},
    {.name = "uris", .type = array, .items = string, .min_items = 1, .unique = true},
    {.name = "name", .type = string, .min_len = 1, .max_len = 256},
    {.name = "desc", .type = string, .max_len = 256},
    {.name = "priority", .type = integer},
    {.name = "methods", .type = array, .items = string, .enums = kMethods, .unique = true},
    {.name = "host", .type = string},
    {.name = "hosts", .type = array, .items = string, .min_items = 1, .unique = true},
    {.name = "remote_addr", .type = string},
    {.name = "remote_addrs", .type = array, .items = string, .min_items = 1, .unique = true},
    {.name = "timeout", .type = object},
    {.name = "vars", .type = array},
    {.name = "filter_func", .type = string, .min_len = 10},
    {.name = "script", .type = string, .min_len = 10, .max_len = 102400},
    TG_ID("script_id"),
    {.name = "plugins", .type = object},
    TG_ID("plugin_config_id"),
    {.name = "upstream", .type = object},
    {.name = "labels", .type = object},
    TG_ID("service_id"),
    TG_ID("upstream_id"),
    {.name = "service_protocol", .enums = kProtocols},
    {.name = "enable_websocket", .type = boolean},
    TG_ID("id"),
    {.name = "status", .type = integer, .int_enums = kStatus},
};

const Field kServiceFields[] = {
    TG_ID("id"),
    {.name = "plugins", .type = object},
    {.name = "upstream", .type = object},
    TG_ID("upstream_id"),
    {.name = "name", .type = string, .min_len = 1, .max_len = 256},
    {.name = "desc", .type = string, .max_len = 256},
    {.name = "labels", .type = object},
    {.name = "script", .type = string, .min_len = 10, .max_len = 102400},
    {.name = "create_time", .type = integer},
    {.name = "update_time", .type = integer},
    {.name = "enable_websocket", .type = boolean},
    {.name = "hosts", .type = array, .items = string, .min_items = 1, .unique = true},
};

const Field kPluginConfigFields[] = {
    TG_ID("id"),
    {.name = "name", .type = string, .min_len = 1, .max_len = 256},
    {.name = "desc", .type = string, .max_len = 256},
    {.name = "plugins", .type = object},
    {.name = "labels", .type = object},
    {.name = "create_time", .type = integer},
    {.name = "update_time", .type = integer},
};

#undef TG_ID

// Lua prints numbers with %.14g; integers as integers.
std::string lua_number(Value v) {
  if (v.is_integer()) {
    return std::string(v.str());
  }
  return fmt::format("{:.14g}", v.number());
}

std::string lua_type(Value v) {
  const std::string_view t = value_type_name(v);
  return t == "integer" ? "number" : std::string(t);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  return n;
}

} // namespace

std::span<const Field> plugin_fields() {
  return kPluginFields;
}
std::span<const Field> route_fields() {
  return kRouteFields;
}
std::span<const Field> service_fields() {
  return kServiceFields;
}
std::span<const Field> plugin_config_fields() {
  return kPluginConfigFields;
}

std::string issue_message(const Field& f, const Issue& is) {
  const Value v = is.value;
  std::string inner;
  switch (is.kind) {
  case Issue::type:
    inner = fmt::format("wrong type: expected {}, got {}", jtype_name(is.want), lua_type(v));
    break;
  case Issue::enum_value:
    inner = "matches none of the enum values";
    break;
  case Issue::minimum:
    inner = fmt::format("expected {} to be at least {}", lua_number(v), f.id_or_int ? 1 : f.min);
    break;
  case Issue::maximum:
    inner = fmt::format("expected {} to be at most {}", lua_number(v), f.max);
    break;
  case Issue::min_length:
    inner = fmt::format(
        "string too short, expected at least {}, got {}", f.min_len, utf8_length(v.str()));
    break;
  case Issue::max_length:
    inner = fmt::format(
        "string too long, expected at most {}, got {}", f.max_len, utf8_length(v.str()));
    break;
  case Issue::min_items:
    inner = fmt::format("expect array to have at least {} items", f.min_items);
    break;
  case Issue::max_items:
    inner = fmt::format("expect array to have at most {} items", f.max_items);
    break;
  case Issue::unique:
    return fmt::format(
        "property \"{}\" validation failed: expected unique items but items {} and {} are equal",
        f.name,
        is.dup_of + 1,
        is.item + 1);
  case Issue::pattern:
    inner = fmt::format("failed to match pattern \"^[a-zA-Z0-9-_.]+$\" with {}",
                        util::quote(v.str(), 60));
    break;
  }
  if (is.item >= 0) {
    inner = fmt::format("failed to validate item {}: {}", is.item + 1, inner);
  }
  return fmt::format("property \"{}\" validation failed: {}", f.name, inner);
}

void check_envelope(Context& cx,
                    const std::string& ptr,
                    Value obj,
                    std::span<const Field> fields,
                    std::string_view effect) {
  if (!obj.is_object()) {
    cx.at(Rule::apisix_route_schema,
          ptr,
          obj,
          fmt::format("{}: \"invalid configuration: wrong type: expected object, got {}\"",
                      effect,
                      lua_type(obj)));
    return;
  }
  std::vector<Issue> issues;
  for (const Member& m : obj.members()) {
    const Field* f = find_field(fields, m.key_view());
    if (f == nullptr) {
      const std::string near = closest_field(m.key_view(), fields);
      std::string hint = did_you_mean(near);
      if (m.key_view() == kPlugin || m.key_view().find("keycloak") != std::string_view::npos) {
        hint = fmt::format("plugins go inside \"plugins\": {{\"{}\": {{...}}}}", m.key_view());
      }
      cx.at_key(
          Rule::apisix_route_schema,
          ptr,
          m,
          fmt::format("{}: \"invalid configuration: additional properties forbidden, found {}\"",
                      effect,
                      m.key_view()),
          hint);
      continue;
    }
    issues.clear();
    check_field(*f, Value(&cx.doc(), m.value), issues);
    for (const auto& is : issues) {
      std::string p = pointer_join(ptr, m.key_view());
      if (is.item >= 0) {
        p = pointer_join(p, static_cast<std::size_t>(is.item));
      }
      std::string hint;
      if (f->name == "methods" && is.kind == Issue::enum_value && is.value.is_string()) {
        const std::string up = [&] {
          std::string s(is.value.str());
          for (auto& c : s) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          }
          return s;
        }();
        if (find_field(fields, "methods") && up != is.value.str()) {
          hint = did_you_mean(up);
        }
      }
      cx.at(Rule::apisix_route_schema,
            p,
            is.value,
            fmt::format("{}: \"invalid configuration: {}\"", effect, issue_message(*f, is)),
            hint);
    }
  }
}

void check_route_shape(Context& cx, const std::string& ptr, Value route, std::string_view effect) {
  const bool uri = static_cast<bool>(route.get("uri"));
  const bool uris = static_cast<bool>(route.get("uris"));
  if (uri && uris) {
    cx.at_key(Rule::apisix_route_schema,
              ptr,
              *route.member("uris"),
              fmt::format("{}: uri and uris are both set (\"invalid configuration: allOf 1 failed: "
                          "value should match "
                          "only one schema, but matches both schemas 1 and 2\")",
                          effect),
              "keep one: \"uris\" for several paths");
  } else if (!uri && !uris) {
    cx.at(Rule::apisix_route_schema,
          ptr,
          route,
          fmt::format("{}: the route has neither uri nor uris (\"invalid configuration: allOf 1 "
                      "failed: value should "
                      "match only one schema, but matches none\")",
                      effect));
  }
  const bool target = route.get("plugins") || route.get("upstream") || route.get("upstream_id")
                      || route.get("service_id") || route.get("script");
  if ((uri || uris) && !target) {
    cx.at(
        Rule::apisix_route_needs_target,
        ptr,
        route,
        fmt::format("{}: a route needs plugins, upstream, upstream_id, service_id or script next "
                    "to its uri{} "
                    "(\"invalid configuration: object matches none of the required\")",
                    effect,
                    route.get("plugin_config_id") ? " (plugin_config_id alone is not enough)" : ""),
        "add \"upstream_id\" or an \"upstream\"");
  }
  if (route.get("script") && (route.get("plugins") || route.get("plugin_config_id"))) {
    cx.at_key(Rule::apisix_route_needs_target,
              ptr,
              *route.member("script"),
              fmt::format("{}: script cannot be combined with plugins or plugin_config_id "
                          "(\"invalid configuration: "
                          "value wasn't supposed to match schema\")",
                          effect));
  }
}

bool uri_matches(std::string_view pattern, std::string_view path) {
  if (has_placeholder(pattern)) {
    return true;
  }
  const auto star = pattern.find('*');
  if (star != std::string_view::npos) {
    return path.starts_with(pattern.substr(0, star));
  }
  auto ps = util::split(pattern, '/');
  auto xs = util::split(path, '/');
  if (ps.size() != xs.size()) {
    return false;
  }
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (!ps[i].empty() && ps[i][0] == ':') {
      if (xs[i].empty()) {
        return false;
      }
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  return true;
}

} // namespace tollgate::core::lint::apisix
