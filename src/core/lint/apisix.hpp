#pragma once

// APISIX internals shared by the APISIX rule files and the online checks: the authz-keycloak and
// route schemas (apisix/plugins/authz-keycloak.lua, apisix/schema_def.lua), APISIX's own error
// wording (gateway-configs.md B.2), and where plugin blocks sit in each shape (B.4).

#include "core/lint/context.hpp"
#include "core/lint/schema.hpp"

#include <span>
#include <string>
#include <vector>

namespace tollgate::core::lint::apisix {

inline constexpr std::string_view kPlugin = "authz-keycloak";

std::span<const Field> plugin_fields();
std::span<const Field> route_fields();
std::span<const Field> service_fields();
std::span<const Field> plugin_config_fields();

// APISIX's message for a field issue: `property "timeout" validation failed: expected 500 to be
// at least 1000` (array items are numbered from 1, as APISIX does).
std::string issue_message(const Field& f, const Issue& is);

// One authz-keycloak block and what holds it.
struct PluginSite {
  std::string ptr; // pointer of the authz-keycloak object
  Value block;
  std::string owner_ptr; // the route, service or plugin config holding `plugins`
  Value owner;
  Shape owner_kind = Shape::apisix_route; // apisix_route, apisix_service or apisix_plugin_config
  bool standalone = false;
  bool adc = false;
};
std::vector<PluginSite> find_plugin_sites(const Document& doc, Shape shape);

// The checks of one authz-keycloak block (schema, unknown keys, run-time traps, judgement).
void check_plugin(Context& cx, const PluginSite& site);
// A plugin name close to authz-keycloak in a `plugins` object.
void check_plugin_names(Context& cx, const std::string& plugins_ptr, Value plugins);
// An object against a field table with APISIX's envelope wording ("invalid configuration: ...").
// `what` names the object; `effect` says what APISIX does with the item.
void check_envelope(Context& cx,
                    const std::string& ptr,
                    Value obj,
                    std::span<const Field> fields,
                    std::string_view effect);
// The route-only rules: oneOf uri/uris, the anyOf targets and the not(script) clause.
void check_route_shape(Context& cx, const std::string& ptr, Value route, std::string_view effect);

// Does an APISIX route uri pattern (exact, prefix "/a/*", ":param" segments) match a path?
bool uri_matches(std::string_view pattern, std::string_view path);

} // namespace tollgate::core::lint::apisix
