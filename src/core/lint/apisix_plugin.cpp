// One authz-keycloak block: APISIX's check_schema with its exact messages, unknown keys, and the
// run-time behaviour of authz-keycloak.lua that makes a valid block fail or weaken (B.3, A1-A9).
#include "core/lint/apisix.hpp"
#include "core/lint/values.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint::apisix {

namespace {

bool judged(Value v) {
  return v.is_string() && !has_placeholder(v.str());
}

// What happens to the holder when the plugin fails its schema (A1: standalone drops the route).
std::string schema_effect(const PluginSite& s) {
  const char* what = s.owner_kind == Shape::apisix_route     ? "route"
                     : s.owner_kind == Shape::apisix_service ? "service"
                                                             : "plugin config";
  if (s.adc) {
    return fmt::format("adc sync is rejected for this {} (the Admin API answers 400)", what);
  }
  if (s.standalone) {
    return fmt::format("APISIX drops this {} when it loads the file, so {}",
                       what,
                       s.owner_kind == Shape::apisix_route ? "its URIs match no route (404)"
                                                           : "what uses it breaks");
  }
  return fmt::format("the Admin API rejects this {} with 400", what);
}

void report_schema(Context& cx,
                   const PluginSite& s,
                   bool disabled,
                   std::string ptr,
                   Value at,
                   const std::string& apisix_msg,
                   std::string hint = {}) {
  const std::string quoted = fmt::format(
      "\"failed to check the configuration of plugin authz-keycloak err: {}\"", apisix_msg);
  if (disabled) {
    cx.at(Rule::apisix_disabled_plugin_schema,
          std::move(ptr),
          at,
          fmt::format(
              "this disabled authz-keycloak block fails the schema and will fail when enabled: {}",
              quoted),
          std::move(hint));
  } else {
    cx.at(Rule::apisix_plugin_schema,
          std::move(ptr),
          at,
          fmt::format("{}: {}", schema_effect(s), quoted),
          std::move(hint));
  }
}

std::string field_hint(const Field& f, const Issue& is) {
  const Value v = is.value;
  if (is.kind == Issue::minimum && (f.name == "timeout" || f.name == "keepalive_timeout")
      && v.number() > 0 && v.number() < 1000) {
    return fmt::format("{} is in milliseconds: did you mean {}?",
                       f.name,
                       static_cast<long long>(v.number() * 1000));
  }
  if (is.kind == Issue::enum_value && f.name == "policy_enforcement_mode" && v.is_string()) {
    for (std::string_view m : {"ENFORCING", "PERMISSIVE"}) {
      if (util::iequals(v.str(), m)) {
        return fmt::format("did you mean \"{}\"? (the mode is case-sensitive)", m);
      }
    }
  }
  if (is.kind == Issue::type && is.want == JType::boolean && v.is_string()) {
    return "write true or false without quotes";
  }
  if (is.kind == Issue::type && is.want == JType::integer && v.is_string()) {
    return "write the number without quotes";
  }
  return {};
}

void check_schema(Context& cx, const PluginSite& s, bool disabled) {
  const Value b = s.block;
  std::vector<Issue> issues;
  for (const Member& m : b.members()) {
    const Field* f = find_field(plugin_fields(), m.key_view());
    if (f == nullptr) {
      std::string hint;
      std::string msg;
      if (m.key_view() == "audience") {
        msg = "\"audience\" was removed from authz-keycloak in APISIX 3.0: it is silently ignored";
        hint = "rename it to \"client_id\"";
      } else {
        msg = fmt::format(
            "unknown authz-keycloak key \"{}\": APISIX accepts it silently and ignores it",
            m.key_view());
        hint = did_you_mean(closest_field(m.key_view(), plugin_fields()));
      }
      cx.at_key(Rule::apisix_unknown_plugin_key, s.ptr, m, msg, hint);
      continue;
    }
    issues.clear();
    check_field(*f, Value(&cx.doc(), m.value), issues);
    for (const auto& is : issues) {
      std::string p = pointer_join(s.ptr, m.key_view());
      if (is.item >= 0) {
        p = pointer_join(p, static_cast<std::size_t>(is.item));
      }
      report_schema(cx, s, disabled, p, is.value, issue_message(*f, is), field_hint(*f, is));
    }
  }
  if (!b.get("client_id")) {
    report_schema(cx,
                  s,
                  disabled,
                  s.ptr,
                  b,
                  "property \"client_id\" is required",
                  b.get("audience") ? "\"audience\" was renamed to \"client_id\" in APISIX 3.0"
                                    : "add \"client_id\"");
  }
  if (!b.get("discovery") && !b.get("token_endpoint")) {
    report_schema(
        cx,
        s,
        disabled,
        s.ptr,
        b,
        "allOf 1 failed: object matches none of the required: [\"discovery\"] or "
        "[\"token_endpoint\"]",
        "add \"discovery\": \"https://<idp>/realms/<realm>/.well-known/uma2-configuration\"");
  }
  if (b.get("lazy_load_paths").is_true() && !b.get("discovery")
      && !b.get("resource_registration_endpoint")) {
    report_schema(cx,
                  s,
                  disabled,
                  pointer_join(s.ptr, "lazy_load_paths"),
                  b.get("lazy_load_paths"),
                  "allOf 2 failed: object matches none of the required",
                  "lazy_load_paths needs \"discovery\" (uma2-configuration) or "
                  "\"resource_registration_endpoint\"");
  }
}

void check_permissions(Context& cx, const PluginSite& s) {
  const Value b = s.block;
  const Value perms = b.get("permissions");
  const bool lazy = b.get("lazy_load_paths").is_true();
  const Value mode = b.get("policy_enforcement_mode");
  const bool permissive = mode.is_string() && mode.str() == "PERMISSIVE";
  const bool empty = !perms.is_array() || perms.size() == 0;
  if (empty && !lazy && (!mode || (mode.is_string() && mode.str() == "ENFORCING"))) {
    cx.at(Rule::apisix_enforcing_without_permissions,
          perms ? pointer_join(s.ptr, "permissions") : s.ptr,
          perms ? perms : b,
          "ENFORCING with no permissions and no lazy_load_paths: the plugin denies every request "
          "locally with 403 "
          "{\"error\":\"access_denied\",\"error_description\":\"not_authorized\"}",
          "add \"permissions\": [\"<resource>#<scope>\"] or \"lazy_load_paths\": true");
  }
  if (empty && !lazy && permissive) {
    cx.at(Rule::apisix_permissive_without_permissions,
          pointer_join(s.ptr, "policy_enforcement_mode"),
          mode,
          "PERMISSIVE with no permissions and no lazy_load_paths: the decision request carries no "
          "permission, so "
          "Keycloak evaluates every resource (entitlement mode) and any grant lets the request "
          "through");
  }
  const bool method_scope = b.get("http_method_as_scope").is_true();
  for (std::size_t i = 0; i < perms.size(); ++i) {
    const Value p = perms.at(i);
    if (!judged(p)) {
      continue;
    }
    const std::string ptr = pointer_join(pointer_join(s.ptr, "permissions"), i);
    const std::string_view e = p.str();
    if (method_scope && e.find('#') != std::string_view::npos && !e.ends_with('#')) {
      cx.at(Rule::apisix_method_as_scope_scoped_permission,
            ptr,
            p,
            fmt::format(
                "http_method_as_scope turns {} into \"{}, GET\": Keycloak does not trim, so it "
                "asks for a scope "
                "named \" GET\", which does not exist and is dropped: the method is never checked",
                util::quote(e),
                e),
            "list the method scopes yourself (\"res#read,GET\") or drop the scope from this entry");
    }
    auto bad = [&](std::string why, std::string hint = {}) {
      cx.at(Rule::apisix_permission_format,
            ptr,
            p,
            fmt::format("permission {}: {}", util::quote(e), why),
            std::move(hint));
    };
    if (util::trim(e) != e) {
      bad("leading or trailing whitespace becomes part of the resource or scope name",
          fmt::format("write {}", util::quote(util::trim(e))));
      continue;
    }
    const std::size_t hashes = static_cast<std::size_t>(std::count(e.begin(), e.end(), '#'));
    if (e == "#") {
      bad("neither a resource nor a scope");
      continue;
    }
    if (hashes > 1) {
      bad("more than one '#': Keycloak ignores everything after the second one");
      continue;
    }
    if (hashes == 1 && e.ends_with('#')) {
      bad("a trailing '#' with no scope: this asks for the whole resource",
          fmt::format("write {}", util::quote(e.substr(0, e.size() - 1))));
      continue;
    }
    const auto hash = e.find('#');
    if (hash == std::string_view::npos) {
      continue;
    }
    const std::string_view scopes = e.substr(hash + 1);
    bool empty_item = false;
    bool spaced = hash > 0 && (e[hash - 1] == ' ' || e[hash - 1] == '\t');
    for (std::string_view item : util::split(scopes, ',')) {
      empty_item = empty_item || item.empty();
      spaced = spaced || util::trim(item) != item;
    }
    if (empty_item) {
      bad("an empty scope between commas");
    } else if (spaced) {
      std::string fixed(util::trim(e.substr(0, hash)));
      fixed += '#';
      std::vector<std::string> parts;
      for (std::string_view item : util::split(scopes, ',')) {
        parts.emplace_back(util::trim(item));
      }
      fixed += util::join(parts, ",");
      bad("whitespace next to '#' or ',' is part of the name (Keycloak does not trim), so that "
          "scope does not exist "
          "and is silently dropped",
          fmt::format("write {}", util::quote(fixed)));
    }
  }
}

void check_transport(Context& cx, const PluginSite& s) {
  const Value b = s.block;
  const Value lazy = b.get("lazy_load_paths");
  const Value discovery = b.get("discovery");
  if (lazy.is_true() && judged(discovery)
      && discovery.str().find("/.well-known/openid-configuration") != std::string_view::npos
      && !b.get("resource_registration_endpoint")) {
    std::string fixed(discovery.str());
    fixed.replace(fixed.find("openid-configuration"),
                  std::string_view("openid-configuration").size(),
                  "uma2-configuration");
    cx.at(Rule::apisix_lazy_load_openid_discovery,
          pointer_join(s.ptr, "discovery"),
          discovery,
          "lazy_load_paths with an openid-configuration discovery URL: that document has no "
          "resource_registration_endpoint, so every request gets 503 (\"Unable to determine "
          "registration endpoint.\")",
          fmt::format("use {}", util::quote(fixed, 120)));
  }
  for (std::string_view field : {"discovery",
                                 "token_endpoint",
                                 "resource_registration_endpoint",
                                 "access_denied_redirect_uri"}) {
    const Value v = b.get(field);
    if (judged(v) && is_plain_http(v.str())) {
      cx.at(Rule::apisix_plain_http_endpoint,
            pointer_join(s.ptr, field),
            v,
            fmt::format("{} is plain HTTP: APISIX logs \"Using authz-keycloak {} with no TLS is a "
                        "security risk\"; "
                        "tokens{} cross the network in clear text",
                        field,
                        field,
                        field == "access_denied_redirect_uri" ? "" : " and the client secret"),
            "use https://");
    }
  }
  const Value verify = b.get("ssl_verify");
  if (verify && !verify.is_true()) {
    cx.at(Rule::apisix_ssl_verify_disabled,
          pointer_join(s.ptr, "ssl_verify"),
          verify,
          "ssl_verify is off: APISIX logs \"Keeping ssl_verify disabled in authz-keycloak "
          "configuration is a security "
          "risk\" and does not check the IdP's certificate");
  }
  const Value secret = b.get("client_secret");
  if (secret.is_string() && !has_placeholder(secret.str()) && !secret.str().empty()) {
    cx.at(Rule::apisix_plaintext_client_secret,
          pointer_join(s.ptr, "client_secret"),
          secret,
          "client_secret is written in the file in plain text",
          s.standalone || s.adc
              ? "use \"$env://KEYCLOAK_CLIENT_SECRET\", \"$secret://vault/1/keycloak\" or "
                "${{KEYCLOAK_CLIENT_SECRET}}"
              : "use \"$env://KEYCLOAK_CLIENT_SECRET\" or \"$secret://vault/1/keycloak\"");
  }
}

void check_expiry(Context& cx, const PluginSite& s, std::string_view prefix, double default_in) {
  const Value b = s.block;
  const Value in = b.get(fmt::format("{}_expires_in", prefix));
  const Value leeway = b.get(fmt::format("{}_expires_leeway", prefix));
  if (!leeway.is_number() || (in && !in.is_number())) {
    return;
  }
  const double lifetime = in ? in.number() : default_in;
  if (leeway.number() >= lifetime - 1) {
    cx.at(Rule::apisix_token_expiry_leeway,
          pointer_join(s.ptr, fmt::format("{}_expires_leeway", prefix)),
          leeway,
          fmt::format("{}_expires_leeway {} >= {}_expires_in - 1 ({}): when the IdP sends no "
                      "expires_in, the cached {} "
                      "token is already expired and a new one is fetched for every request",
                      prefix,
                      leeway.str(),
                      prefix,
                      lifetime - 1,
                      prefix == "access_token" ? "service-account" : "refresh"));
  }
}

void check_password_grant(Context& cx, const PluginSite& s) {
  const Value b = s.block;
  const Value uri = b.get("password_grant_token_generation_incoming_uri");
  if (!uri) {
    if (b.get("max_req_body_size")) {
      cx.at(Rule::apisix_max_body_size_unused,
            pointer_join(s.ptr, "max_req_body_size"),
            b.get("max_req_body_size"),
            "max_req_body_size has no effect: only the password-grant shortcut "
            "(password_grant_token_generation_incoming_uri) reads it");
    }
    return;
  }
  if (!judged(uri)) {
    return;
  }
  const std::string ptr = pointer_join(s.ptr, "password_grant_token_generation_incoming_uri");
  if (!b.get("token_endpoint")) {
    cx.at(Rule::apisix_password_grant_token_endpoint,
          ptr,
          uri,
          "the password-grant shortcut looks up the token endpoint without running discovery: it "
          "answers 503 "
          "(\"Unable to determine token endpoint.\") until a normal request on the same worker has "
          "run discovery",
          "set \"token_endpoint\" explicitly");
  }
  if (uri.str().find('?') != std::string_view::npos) {
    cx.at(Rule::apisix_password_grant_uri_query,
          ptr,
          uri,
          "the URI contains '?': it is compared with request_uri exactly, query included, so it "
          "only fires for this "
          "exact query string");
  }
  if (s.owner_kind != Shape::apisix_route) {
    return;
  }
  const std::string_view path = uri.str().substr(0, uri.str().find('?'));
  std::vector<Value> patterns;
  if (s.owner.get("uri").is_string()) {
    patterns.push_back(s.owner.get("uri"));
  }
  for (std::size_t i = 0; i < s.owner.get("uris").size(); ++i) {
    patterns.push_back(s.owner.get("uris").at(i));
  }
  bool matched = patterns.empty();
  for (Value p : patterns) {
    matched = matched || !p.is_string() || uri_matches(p.str(), path);
  }
  if (!matched) {
    cx.at(Rule::apisix_password_grant_uri_unmatched,
          ptr,
          uri,
          fmt::format(
              "{} is outside this route's uri/uris, so requests to it never reach this plugin",
              util::quote(uri.str(), 80)),
          "add the URI to the route's \"uris\", or use a route that matches it");
  }
}

} // namespace

void check_plugin(Context& cx, const PluginSite& s) {
  cx.report().uses_authz_keycloak = true;
  if (!s.block.is_object()) {
    cx.at(Rule::apisix_plugin_schema,
          s.ptr,
          s.block,
          fmt::format("{}: \"failed to check the configuration of plugin authz-keycloak err: wrong "
                      "type: expected object, "
                      "got {}\"",
                      schema_effect(s),
                      value_type_name(s.block)));
    return;
  }
  const bool disabled = s.block.get("_meta").get("disable").is_true();
  check_schema(cx, s, disabled);
  check_permissions(cx, s);
  check_transport(cx, s);
  check_expiry(cx, s, "access_token", 300);
  check_expiry(cx, s, "refresh_token", 3600);
  check_password_grant(cx, s);
  // Never repeat a literal secret in a diagnostic: snippets show its line with the value masked.
  const Value secret = s.block.get("client_secret");
  if (secret.is_string() && secret.str().size() >= 4 && !has_placeholder(secret.str())) {
    const std::string value(secret.str());
    for (auto& f : cx.report().findings) {
      for (auto p = f.line_text.find(value); p != std::string::npos;
           p = f.line_text.find(value, p + 8)) {
        f.line_text.replace(p, value.size(), "********");
      }
    }
  }
}

void check_plugin_names(Context& cx, const std::string& plugins_ptr, Value plugins) {
  for (const Member& m : plugins.members()) {
    const std::string_view name = m.key_view();
    if (name == kPlugin) {
      continue;
    }
    const std::string lower = util::to_lower(name);
    if (lower == kPlugin || util::edit_distance(lower, kPlugin) <= 2 || lower == "authz_keycloak"
        || lower == "keycloak") {
      cx.at_key(Rule::apisix_misspelled_plugin,
                plugins_ptr,
                m,
                fmt::format("unknown plugin \"{}\": APISIX answers \"unknown plugin [{}]\", and "
                            "this route is not "
                            "protected by authz-keycloak",
                            name,
                            name),
                "did you mean \"authz-keycloak\"?");
    }
  }
}

} // namespace tollgate::core::lint::apisix
