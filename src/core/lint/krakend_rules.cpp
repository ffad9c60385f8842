// KrakenD v3 configs: root, endpoints, backends, extra_config namespaces, the service-level
// JWK cache, and the start-up checks lura runs that the schema misses (gateway-configs.md A.1).
#include "core/lint/krakend_schema.hpp"
#include "core/lint/values.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace tollgate::core::lint {

namespace {

using namespace krakend;

bool known(std::span<const std::string_view> list, std::string_view s) {
  for (auto x : list) {
    if (x == s) {
      return true;
    }
  }
  return false;
}

bool is_legacy_namespace(std::string_view ns) {
  return ns.starts_with("github.com/devopsfaith/") || ns.starts_with("github_com/devopsfaith/")
         || ns.starts_with("github.com/luraproject/") || ns.starts_with("github_com/luraproject/");
}

std::string_view v2_name(std::string_view legacy) {
  if (legacy == kLegacyValidatorNs) {
    return kValidatorNs;
  }
  if (legacy == kLegacySignerNs) {
    return kSignerNs;
  }
  return {};
}

// Namespace names of one extra_config object.
void check_namespaces(Context& cx,
                      const std::string& ptr,
                      Value extra,
                      std::span<const std::string_view> allowed,
                      std::string_view level) {
  for (const Member& m : extra.members()) {
    const std::string_view ns = m.key_view();
    if (is_comment_key(ns) || known(allowed, ns)) {
      continue;
    }
    if (level == "backend" && (ns == kValidatorNs || ns == kLegacyValidatorNs)) {
      cx.at_key(Rule::krakend_validator_in_backend,
                ptr,
                m,
                "auth/validator inside a backend protects nothing: KrakenD reads validators only "
                "from the endpoint's "
                "extra_config, and the schema rejects it here",
                "move the block to the endpoint's \"extra_config\"");
      continue;
    }
    if (is_legacy_namespace(ns)) {
      const std::string_view v2 = v2_name(ns);
      cx.at_key(
          Rule::krakend_legacy_namespace,
          ptr,
          m,
          v2.empty() ? fmt::format(
              "\"{}\" is a KrakenD v1 namespace: 'krakend check --lint' rejects it", ns)
                     : fmt::format(
                         "\"{}\" is the v1 name of {}: KrakenD still reads it, but 'krakend check "
                         "--lint' rejects it",
                         ns,
                         v2),
          v2.empty() ? std::string("use the v2 namespace name (see KrakenD's 2.0 migration guide)")
                     : fmt::format("rename it to \"{}\"", v2));
      continue;
    }
    const std::string near = closest_name(ns, allowed);
    std::string effect = "KrakenD ignores it";
    if (near == kValidatorNs && level == "endpoint") {
      effect = "KrakenD ignores it, so this endpoint is not protected";
    }
    cx.at_key(Rule::krakend_unknown_namespace,
              ptr,
              m,
              fmt::format("unknown {} extra_config namespace \"{}\": {}", level, ns, effect),
              did_you_mean(near));
  }
}

// "{id}" names in a path or url_pattern.
std::vector<std::string_view> params_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while ((pos = s.find('{', pos)) != std::string_view::npos) {
    const std::size_t end = s.find('}', pos + 1);
    if (end == std::string_view::npos) {
      break;
    }
    out.push_back(s.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

bool same_param(std::string_view a, std::string_view b) {
  // lura title-cases parameter names, so only the first letter's case is free.
  if (a.size() != b.size() || a.empty()) {
    return a == b;
  }
  return std::tolower(static_cast<unsigned char>(a[0]))
             == std::tolower(static_cast<unsigned char>(b[0]))
         && a.substr(1) == b.substr(1);
}

bool special_param(std::string_view p) {
  if (p.starts_with("JWT.")) {
    return true;
  }
  // respN_x (sequential proxy)
  if (p.size() > 5 && (p.starts_with("resp") || p.starts_with("Resp"))) {
    std::size_t i = 4;
    while (i < p.size() && std::isdigit(static_cast<unsigned char>(p[i]))) {
      ++i;
    }
    return i > 4 && i < p.size() && p[i] == '_';
  }
  return false;
}

bool judged(Value v) {
  return v.is_string() && !has_placeholder(v.str());
}

// Lura's start-up checks on an endpoint (config.go): reserved paths, 0 backends (schema), params.
void check_endpoint_runtime(Context& cx, const std::string& ptr, Value ep) {
  const Value path = ep.get("endpoint");
  const std::string method(ep.get("method").is_string() ? ep.get("method").str() : "");
  if (judged(path)) {
    const std::string_view p = path.str();
    bool reserved = false;
    for (std::string_view r : {"/__debug", "/__echo", "/__health"}) {
      if (p == r || (p.starts_with(r) && p.size() > r.size() && p[r.size()] == '/')) {
        reserved = true;
      }
    }
    const auto star = p.find('*');
    const bool star_inside = star != std::string_view::npos && star + 1 < p.size();
    if (reserved || (star_inside && matches_pattern(Pattern::endpoint_path, p))) {
      // validate() runs before defaults are applied, so an omitted method prints as empty.
      cx.at(Rule::krakend_endpoint_invalid_path,
            pointer_join(ptr, "endpoint"),
            path,
            fmt::format("KrakenD does not serve this endpoint: it logs \"ignoring the '{} {}' "
                        "endpoint, since it is "
                        "invalid!!!\"{}",
                        method,
                        p,
                        reserved ? " (/__debug, /__echo and /__health are reserved)" : ""));
    }
  }
  const Value backends = ep.get("backend");
  const Value enc = ep.get("output_encoding");
  if (enc.is_string() && enc.str() == "no-op" && backends.size() > 1) {
    cx.at(Rule::krakend_noop_multiple_backends,
          pointer_join(ptr, "output_encoding"),
          enc,
          fmt::format("output_encoding no-op with {} backends: KrakenD fails with \"can not use "
                      "NoOp encoding with "
                      "more than one backends connected to the same endpoint\"",
                      backends.size()));
  }
  const auto defined = judged(path) ? params_of(path.str()) : std::vector<std::string_view>{};
  for (std::size_t j = 0; judged(path) && j < backends.size(); ++j) {
    const Value pattern = backends.at(j).get("url_pattern");
    if (!judged(pattern)) {
      continue;
    }
    for (std::string_view p : params_of(pattern.str())) {
      bool ok = special_param(p);
      for (std::string_view d : defined) {
        ok = ok || same_param(p, d);
      }
      if (!ok) {
        cx.at(Rule::krakend_backend_undefined_param,
              pointer_join(pointer_join(pointer_join(ptr, "backend"), j), "url_pattern"),
              pattern,
              fmt::format("url_pattern uses {{{}}}, which the endpoint path {} does not define: "
                          "KrakenD fails at "
                          "start-up (\"undefined output param '{}'!\")",
                          p,
                          util::quote(path.str(), 80),
                          p));
        break;
      }
    }
  }
}

void check_backend(Context& cx, const std::string& ptr, Value be) {
  if (!be.is_object()) {
    return; // reported by the endpoint's schema check
  }
  check_object(cx, ptr, be, ObjectSpec{backend_fields(), "a backend", ""});
  if (!be.get("url_pattern")) {
    cx.at(Rule::krakend_schema_required,
          ptr,
          be,
          "backend is missing \"url_pattern\"",
          "add \"url_pattern\": \"/path\"");
  }
  const Value extra = be.get("extra_config");
  if (extra.is_object()) {
    check_namespaces(cx, pointer_join(ptr, "extra_config"), extra, backend_namespaces(), "backend");
  }
}

bool has_validator(Value ep) {
  const Value extra = ep.get("extra_config");
  return extra.get(kValidatorNs) || extra.get(kLegacyValidatorNs);
}

void check_endpoint(Context& cx, const std::string& ptr, Value ep) {
  check_object(cx, ptr, ep, ObjectSpec{endpoint_fields(), "an endpoint", ""});
  for (std::string_view req : {"endpoint", "backend"}) {
    if (!ep.get(req)) {
      cx.at(Rule::krakend_schema_required, ptr, ep, fmt::format("endpoint is missing \"{}\"", req));
    }
  }
  check_endpoint_runtime(cx, ptr, ep);
  const Value backends = ep.get("backend");
  for (std::size_t j = 0; j < backends.size(); ++j) {
    check_backend(cx, pointer_join(pointer_join(ptr, "backend"), j), backends.at(j));
  }
  const Value extra = ep.get("extra_config");
  if (!extra.is_object()) {
    return;
  }
  const std::string extra_ptr = pointer_join(ptr, "extra_config");
  check_namespaces(cx, extra_ptr, extra, endpoint_namespaces(), "endpoint");
  for (const Member& m : extra.members()) {
    const std::string_view ns = m.key_view();
    const Value block(&cx.doc(), m.value);
    if (ns == kValidatorNs || ns == kLegacyValidatorNs) {
      check_validator(cx, pointer_join(extra_ptr, ns), block, ep);
    } else if (ns == kSignerNs || ns == kLegacySignerNs) {
      check_signer(cx, pointer_join(extra_ptr, ns), block);
    }
  }
}

bool is_validator_field(std::string_view key) {
  return find_field(validator_fields(), key) != nullptr;
}

// The service-level auth/validator is the shared JWK cache (auth/jose.json), not a validator.
// Returns true when validator fields were put there.
bool check_service_validator(Context& cx, const std::string& ptr, Value block, Value endpoints) {
  if (!block.is_object()) {
    cx.at(Rule::krakend_schema_type, ptr, block, "service-level auth/validator must be an object");
    return false;
  }
  std::vector<std::string> misplaced;
  for (const Member& m : block.members()) {
    if (is_validator_field(m.key_view())) {
      misplaced.emplace_back(m.key_view());
    }
  }
  if (!misplaced.empty()) {
    cx.at(Rule::krakend_service_validator_fields,
          ptr,
          block,
          fmt::format("validator fields at service level protect nothing ({}): the service-level "
                      "auth/validator is "
                      "only the shared JWK cache and accepts only shared_cache_duration",
                      util::join(misplaced, ", ")),
          "move them into each endpoint's \"extra_config\": {\"auth/validator\": {...}}");
  }
  check_object(cx,
               ptr,
               block,
               ObjectSpec{service_validator_fields(), "the service-level auth/validator", ""},
               &is_validator_field);
  const Value shared = block.get("shared_cache_duration");
  if (!shared && misplaced.empty()) {
    cx.at(Rule::krakend_schema_required,
          ptr,
          block,
          "the service-level auth/validator is missing \"shared_cache_duration\"");
  }
  if (shared) {
    bool any_cache = false;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const Value extra = endpoints.at(i).get("extra_config");
      const Value v =
          extra.get(kValidatorNs) ? extra.get(kValidatorNs) : extra.get(kLegacyValidatorNs);
      any_cache = any_cache || v.get("cache").is_true();
    }
    if (!any_cache) {
      cx.at(Rule::krakend_shared_cache_unused,
            pointer_join(ptr, "shared_cache_duration"),
            shared,
            "shared_cache_duration has no effect: no endpoint validator has \"cache\": true");
    }
  }
  return !misplaced.empty();
}

void check_version(Context& cx, Value root) {
  const Value v = root.get("version");
  if (!v) {
    cx.at(Rule::krakend_version,
          "",
          root,
          "\"version\" is missing: KrakenD v2 needs \"version\": 3",
          "add \"version\": 3");
  } else if (!(v.is_number() && v.number() == 3)) {
    cx.at(Rule::krakend_version,
          "/version",
          v,
          v.is_number()
              ? fmt::format("unsupported version: {} (want: 3): KrakenD v2 stops at start-up",
                            v.str())
              : fmt::format("\"version\" must be the number 3, not {}", value_type_name(v)),
          v.is_number() && v.number() < 3
              ? "this is a KrakenD v1 config: migrate it to v3 (KrakenD's 2.0 migration guide)"
              : "write \"version\": 3");
  }
}

} // namespace

void lint_krakend(Context& cx) {
  const Value root = cx.doc().root();
  if (!root.is_object()) {
    cx.at(Rule::krakend_schema_type,
          "",
          root,
          fmt::format("a KrakenD config must be an object, not {}", value_type_name(root)));
    return;
  }
  check_version(cx, root);
  check_object(cx, "", root, ObjectSpec{root_fields(), "the service (root)", ""});
  const Value endpoints = root.get("endpoints");
  bool service_fields = false;
  const Value extra = root.get("extra_config");
  if (extra.is_object()) {
    check_namespaces(cx, "/extra_config", extra, service_namespaces(), "service");
    for (const Member& m : extra.members()) {
      if (m.key_view() == kValidatorNs || m.key_view() == kLegacyValidatorNs) {
        service_fields = check_service_validator(cx,
                                                 pointer_join("/extra_config", m.key_view()),
                                                 Value(&cx.doc(), m.value),
                                                 endpoints)
                         || service_fields;
      }
    }
  }
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const Value ep = endpoints.at(i);
    const std::string ptr = pointer_join("/endpoints", i);
    if (!ep.is_object()) {
      continue; // the root's schema check reports it
    }
    check_endpoint(cx, ptr, ep);
    if (service_fields && !has_validator(ep)) {
      cx.at(Rule::krakend_endpoint_unprotected,
            ptr,
            ep,
            fmt::format("endpoint {} has no auth/validator of its own: the service-level validator "
                        "fields do not "
                        "protect it, so it is public",
                        util::quote(ep.get("endpoint").str(), 80)),
            "add \"extra_config\": {\"auth/validator\": {...}} to this endpoint");
    }
  }
}

} // namespace tollgate::core::lint
