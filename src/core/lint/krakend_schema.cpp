#include "core/lint/krakend_schema.hpp"

#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint::krakend {

namespace {

using enum JType;
constexpr Pattern kDur = Pattern::duration;

constexpr std::string_view kRootOutput[] = {
    "json", "fast-json", "json-collection", "xml", "negotiate", "string", "no-op"};
constexpr std::string_view kEndpointMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
constexpr std::string_view kEndpointOutput[] = {
    "json", "json-collection", "yaml", "fast-json", "xml", "negotiate", "string", "no-op"};
constexpr std::string_view kBackendMethods[] = {
    "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "CONNECT", "TRACE"};
constexpr std::string_view kBackendEncodings[] = {
    "json", "safejson", "fast-json", "xml", "rss", "string", "no-op", "yaml"};
constexpr std::string_view kSd[] = {"static", "dns", "dns-shared"};
constexpr std::string_view kAlgs[] = {"EdDSA",
                                      "HS256",
                                      "HS384",
                                      "HS512",
                                      "RS256",
                                      "RS384",
                                      "RS512",
                                      "ES256",
                                      "ES384",
                                      "ES512",
                                      "PS256",
                                      "PS384",
                                      "PS512"};
constexpr std::string_view kStrategies[] = {"kid", "x5t", "x5t#S256", "kid_x5t"};
constexpr std::string_view kMatchers[] = {"any", "all"};
constexpr long long kCipherSuites[] = {5,     10,    47,    53,    60,    156,   157,   49159,
                                       49161, 49162, 49169, 49170, 49171, 49172, 49187, 49191,
                                       49199, 49195, 49200, 49196, 52392, 52393};

const Field kRoot[] = {
    {.name = "version"}, // checked by krakend/version
    {.name = "async_agent"},
    {.name = "cache_ttl", .type = string, .pattern = kDur},
    {.name = "client_tls", .type = object},
    {.name = "debug_endpoint", .type = boolean},
    {.name = "dialer_fallback_delay", .type = string, .pattern = kDur},
    {.name = "dialer_keep_alive", .type = string, .pattern = kDur},
    {.name = "dialer_timeout", .type = string, .pattern = kDur},
    {.name = "disable_compression", .type = boolean},
    {.name = "disable_keep_alives", .type = boolean},
    {.name = "disable_rest", .type = boolean},
    {.name = "dns_cache_ttl", .type = string, .pattern = kDur},
    {.name = "echo_endpoint", .type = boolean},
    {.name = "endpoints", .type = array, .items = object},
    {.name = "expect_continue_timeout", .type = string, .pattern = kDur},
    {.name = "extra_config", .type = object},
    {.name = "host", .type = array, .items = string},
    {.name = "idle_connection_timeout", .type = string, .pattern = kDur},
    {.name = "idle_timeout", .type = string, .pattern = kDur},
    {.name = "listen_ip", .type = string},
    {.name = "max_header_bytes", .type = integer},
    {.name = "max_idle_connections", .type = integer},
    {.name = "max_idle_connections_per_host", .type = integer},
    {.name = "max_shutdown_wait_time", .type = string, .pattern = kDur},
    {.name = "name", .type = string},
    {.name = "output_encoding", .enums = kRootOutput},
    {.name = "plugin", .type = object},
    {.name = "port", .type = integer, .min = 0, .max = 65535},
    {.name = "read_header_timeout", .type = string, .pattern = kDur},
    {.name = "read_timeout", .type = string, .pattern = kDur},
    {.name = "response_header_timeout", .type = string, .pattern = kDur},
    {.name = "sequential_start", .type = boolean},
    {.name = "timeout", .type = string, .pattern = kDur},
    {.name = "tls", .type = object},
    {.name = "use_h2c", .type = boolean},
    {.name = "write_timeout", .type = string, .pattern = kDur},
};

const Field kEndpoint[] = {
    {.name = "backend", .type = array, .items = object, .min_items = 1},
    {.name = "cache_ttl", .type = string, .pattern = kDur},
    {.name = "concurrent_calls", .type = integer, .min = 1, .max = 5},
    {.name = "endpoint", .type = string, .pattern = Pattern::endpoint_path},
    {.name = "extra_config", .type = object},
    {.name = "input_headers", .type = array, .items = string, .unique = true},
    {.name = "input_query_strings", .type = array, .items = string, .unique = true},
    {.name = "method", .enums = kEndpointMethods},
    {.name = "output_encoding", .enums = kEndpointOutput},
    {.name = "timeout", .type = string, .pattern = kDur},
};

const Field kBackend[] = {
    {.name = "allow", .type = array, .items = string, .unique = true},
    {.name = "deny", .type = array, .items = string, .unique = true},
    {.name = "disable_host_sanitize", .type = boolean},
    {.name = "encoding", .enums = kBackendEncodings},
    {.name = "extra_config", .type = object},
    {.name = "group", .type = string},
    {.name = "host", .type = array, .items = string, .min_len = 1},
    {.name = "input_headers", .type = array, .items = string, .unique = true},
    {.name = "input_query_strings", .type = array, .items = string, .unique = true},
    {.name = "is_collection", .type = boolean},
    {.name = "mapping", .type = object},
    {.name = "method", .enums = kBackendMethods},
    {.name = "sd", .enums = kSd},
    {.name = "sd_scheme", .type = string},
    {.name = "target", .type = string},
    {.name = "url_pattern", .type = string},
};

const Field kValidator[] = {
    {.name = "alg", .enums = kAlgs},
    {.name = "audience", .type = array, .items = string},
    {.name = "auth_header_name", .type = string},
    {.name = "cache", .type = boolean},
    {.name = "cache_duration", .type = integer},
    {.name = "cipher_suites", .type = array, .int_enums = kCipherSuites},
    {.name = "cookie_key", .type = string},
    {.name = "cypher_key", .type = string},
    {.name = "disable_jwk_security", .type = boolean},
    {.name = "failed_jwk_key_cooldown", .type = string, .pattern = kDur},
    {.name = "issuer", .type = string},
    {.name = "jwk_fingerprints", .type = array, .items = string},
    {.name = "jwk_local_ca", .type = string},
    {.name = "jwk_local_path", .type = string},
    {.name = "jwk_url", .type = string},
    {.name = "key_identify_strategy", .enums = kStrategies},
    {.name = "leeway", .type = string, .pattern = kDur},
    {.name = "operation_debug", .type = boolean},
    {.name = "propagate_claims", .type = array, .pairs = true},
    {.name = "propagate_claims_preserve_array", .type = boolean},
    {.name = "roles", .type = array, .items = string},
    {.name = "roles_key", .type = string},
    {.name = "roles_key_is_nested", .type = boolean},
    {.name = "scopes", .type = array, .items = string},
    {.name = "scopes_key", .type = string},
    {.name = "scopes_matcher", .enums = kMatchers},
    {.name = "secret_url", .type = string, .pattern = Pattern::secret_url},
};

const Field kSigner[] = {
    {.name = "alg", .enums = kAlgs},
    {.name = "cipher_suites", .type = array, .int_enums = kCipherSuites},
    {.name = "cypher_key", .type = string},
    {.name = "disable_jwk_security", .type = boolean},
    {.name = "full", .type = boolean},
    {.name = "jwk_fingerprints", .type = array, .items = string},
    {.name = "jwk_local_ca", .type = string},
    {.name = "jwk_local_path", .type = string},
    {.name = "jwk_url", .type = string},
    {.name = "keys_to_sign", .type = array, .items = string},
    {.name = "kid", .type = string},
    {.name = "leeway", .type = string, .pattern = kDur},
    {.name = "secret_url", .type = string, .pattern = Pattern::secret_url},
};

const Field kServiceValidator[] = {
    {.name = "shared_cache_duration", .type = integer},
};

constexpr std::string_view kEndpointNs[] = {
    "ai/mcp",
    "auth/api-keys",
    "auth/basic",
    "auth/signer",
    "auth/validator",
    "documentation/openapi",
    "documentation/postman",
    "governance/quota",
    "modifier/jmespath",
    "modifier/lua-endpoint",
    "modifier/lua-proxy",
    "modifier/request-body-extractor",
    "modifier/request-body-extractor/early",
    "modifier/request-body-generator",
    "modifier/response-body",
    "modifier/response-body-generator",
    "plugin/middleware",
    "plugin/req-resp-modifier",
    "proxy",
    "qos/ratelimit/router",
    "qos/ratelimit/router/redis",
    "qos/ratelimit/tiered",
    "security/bot-detector",
    "security/cors",
    "security/http",
    "security/policies",
    "telemetry/opentelemetry",
    "validation/cel",
    "validation/json-schema",
    "validation/response-json-schema",
    "websocket",
};

constexpr std::string_view kBackendNs[] = {
    "ai/llm",
    "auth/aws-sigv4",
    "auth/client-credentials",
    "auth/gcp",
    "auth/ntlm",
    "backend/amqp/consumer",
    "backend/amqp/producer",
    "backend/conditional",
    "backend/graphql",
    "backend/grpc",
    "backend/http",
    "backend/http/client",
    "backend/lambda",
    "backend/pubsub/publisher",
    "backend/pubsub/subscriber",
    "backend/pubsub/publisher/kafka",
    "backend/pubsub/subscriber/kafka",
    "backend/soap",
    "backend/static-filesystem",
    "governance/quota",
    "modifier/body-generator",
    "modifier/jmespath",
    "modifier/lua-backend",
    "modifier/martian",
    "modifier/request-body-generator",
    "modifier/response-body",
    "modifier/response-body-generator",
    "plugin/http-client",
    "plugin/middleware",
    "plugin/req-resp-modifier",
    "proxy",
    "qos/circuit-breaker",
    "qos/circuit-breaker/http",
    "qos/http-cache",
    "qos/ratelimit/proxy",
    "security/policies",
    "telemetry/logging",
    "telemetry/opentelemetry",
    "validation/cel",
    "validation/response-json-schema",
    "workflow",
};

constexpr std::string_view kServiceNs[] = {
    "ai/mcp",
    "auth/api-keys",
    "auth/basic",
    "auth/revoker",
    "auth/validator",
    "documentation/openapi",
    "documentation/postman",
    "governance/processors",
    "governance/quota",
    "grpc",
    "modifier/lua-endpoint",
    "modifier/request-body-extractor",
    "modifier/response-headers",
    "plugin/http-server",
    "qos/ratelimit/service",
    "qos/ratelimit/service/redis",
    "qos/ratelimit/tiered",
    "redis",
    "router",
    "security/bot-detector",
    "security/cors",
    "security/http",
    "server/static-filesystem",
    "server/virtualhost",
    "telemetry/gelf",
    "telemetry/influx",
    "telemetry/logging",
    "telemetry/logstash",
    "telemetry/metrics",
    "telemetry/moesif",
    "telemetry/newrelic",
    "telemetry/opencensus",
    "telemetry/opentelemetry",
    "telemetry/opentelemetry-security",
};

// Keys KrakenD v2 renamed (KrakenD 2.0 migration).
struct Rename {
  std::string_view from, to;
};
constexpr Rename kRenames[] = {
    {"headers_to_pass", "input_headers"},
    {"querystring_params", "input_query_strings"},
    {"whitelist", "allow"},
    {"blacklist", "deny"},
};

std::string type_word(JType t) {
  switch (t) {
  case JType::integer:
    return "an integer";
  case JType::array:
    return "an array";
  case JType::object:
    return "an object";
  case JType::any:
    return "a value";
  default:
    return fmt::format("a {}", jtype_name(t));
  }
}

std::string shown(Value v) {
  if (v.is_string()) {
    return util::quote(v.str(), 60);
  }
  if (v.is_number()) {
    return std::string(v.str());
  }
  if (v.is_bool()) {
    return v.boolean() ? "true" : "false";
  }
  return std::string(value_type_name(v));
}

std::string list(std::span<const std::string_view> values) {
  std::vector<std::string> parts(values.begin(), values.end());
  return util::join(parts, ", ");
}

// One message (and hint) for a schema issue, in KrakenD's terms.
void report_issue(Context& cx,
                  const std::string& field_ptr,
                  const Field& f,
                  const Issue& is,
                  const ObjectSpec& spec) {
  std::string ptr = field_ptr;
  std::string name = std::string(f.name);
  if (is.item >= 0) {
    ptr = pointer_join(ptr, static_cast<std::size_t>(is.item));
    name += fmt::format(" item {}", is.item);
  }
  if (is.sub >= 0) {
    ptr = pointer_join(ptr, static_cast<std::size_t>(is.sub));
  }
  const Value v = is.value;
  std::string hint;
  std::string msg;
  Rule rule = Rule::krakend_schema_value;
  switch (is.kind) {
  case Issue::type:
    rule = Rule::krakend_schema_type;
    msg = fmt::format("\"{}\" must be {}, not {}", name, type_word(is.want), value_type_name(v));
    if (f.pairs && is.sub < 0) {
      msg = fmt::format("\"{}\" must be a [claim, header] pair of strings", name);
    }
    if (is.want == JType::boolean && v.is_string() && (v.str() == "true" || v.str() == "false")) {
      hint = fmt::format("write {} without quotes", v.str());
    } else if ((is.want == JType::integer || is.want == JType::number) && v.is_string()) {
      hint = "write the number without quotes";
    } else if (is.want == JType::array && v.is_string()) {
      hint = fmt::format("write [{}]", util::quote(v.str(), 60));
    }
    if (!spec.type_effect.empty()) {
      msg += fmt::format(": {}", spec.type_effect);
    }
    break;
  case Issue::enum_value:
    if (!f.int_enums.empty()) {
      msg = fmt::format("\"{}\" is {}: not a cipher suite KrakenD accepts", name, shown(v));
      break;
    }
    msg = fmt::format("\"{}\" is {}: must be one of {}", name, shown(v), list(f.enums));
    if (f.name == "alg") {
      msg += fmt::format(" (KrakenD stops at start-up with \"JOSE: unknown algorithm {}\")",
                         v.is_string() ? v.str() : shown(v));
    }
    for (auto e : f.enums) {
      if (v.is_string() && util::iequals(v.str(), e)) {
        hint = fmt::format("did you mean \"{}\"? (values are case-sensitive)", e);
      }
    }
    if (hint.empty() && v.is_string()) {
      const std::string near = closest_name(v.str(), f.enums);
      if (!near.empty()) {
        hint = did_you_mean(near);
      }
    }
    break;
  case Issue::minimum:
    msg = fmt::format("\"{}\" is {}: must be at least {}", name, shown(v), f.min);
    break;
  case Issue::maximum:
    msg = fmt::format("\"{}\" is {}: must be at most {}", name, shown(v), f.max);
    break;
  case Issue::min_length:
    msg = fmt::format("\"{}\" must not be empty", name);
    break;
  case Issue::max_length:
    msg = fmt::format("\"{}\" is longer than {} characters", name, f.max_len);
    break;
  case Issue::min_items:
    if (f.name == "backend") {
      msg = "\"backend\" is empty: KrakenD ignores the endpoint (\"since it has 0 backends "
            "defined!\")";
    } else if (f.pairs) {
      msg = fmt::format("\"{}\" must be a [claim, header] pair; KrakenD skips it", name);
    } else {
      msg = fmt::format("\"{}\" needs at least {} item(s)", name, f.min_items);
    }
    break;
  case Issue::max_items:
    msg = f.pairs ? fmt::format("\"{}\" must be a [claim, header] pair; KrakenD skips it", name)
                  : fmt::format("\"{}\" allows at most {} items", name, f.max_items);
    break;
  case Issue::unique:
    msg = fmt::format("\"{}\" repeats item {}", name, is.dup_of);
    break;
  case Issue::pattern:
    if (f.pattern == Pattern::duration) {
      const std::string_view s = v.str();
      msg = fmt::format(
          "\"{}\" is {}: not a KrakenD duration (an integer and one of ns, us, ms, s, m, h)",
          name,
          shown(v));
      if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
        hint = fmt::format("did you mean \"{}s\"?", s);
      } else if (s.find('.') != std::string_view::npos) {
        hint = "decimals are not allowed: use a smaller unit (\"1500ms\" for 1.5s)";
      }
    } else if (f.pattern == Pattern::endpoint_path) {
      msg = fmt::format(
          "\"{}\" is {}: must start with \"/\" and contain no * ? & % (a trailing /* only)",
          name,
          shown(v));
      if (!v.str().empty() && v.str()[0] != '/') {
        hint = fmt::format("did you mean \"/{}\"?", v.str());
      }
    } else if (f.pattern == Pattern::secret_url) {
      msg = fmt::format("\"{}\" is {}: must use base64key://, awskms://, azurekeyvault://, "
                        "gcpkms:// or hashivault://",
                        name,
                        shown(v));
    } else {
      msg = fmt::format("\"{}\" is {}: does not match the schema's pattern", name, shown(v));
    }
    break;
  }
  if (f.name == "backend" && is.kind == Issue::min_items) {
    rule = Rule::krakend_schema_value;
  }
  cx.at(rule, ptr, v, msg, hint);
}

} // namespace

std::span<const Field> root_fields() {
  return kRoot;
}
std::span<const Field> endpoint_fields() {
  return kEndpoint;
}
std::span<const Field> backend_fields() {
  return kBackend;
}
std::span<const Field> validator_fields() {
  return kValidator;
}
std::span<const Field> signer_fields() {
  return kSigner;
}
std::span<const Field> service_validator_fields() {
  return kServiceValidator;
}
std::span<const std::string_view> endpoint_namespaces() {
  return kEndpointNs;
}
std::span<const std::string_view> backend_namespaces() {
  return kBackendNs;
}
std::span<const std::string_view> service_namespaces() {
  return kServiceNs;
}

std::optional<double> duration_seconds(std::string_view s) {
  std::size_t i = 0;
  double n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  const std::string_view unit = s.substr(i);
  if (unit == "ns") {
    return n / 1e9;
  }
  if (unit == "us" || unit == "\xC2\xB5s") {
    return n / 1e6;
  }
  if (unit == "ms") {
    return n / 1e3;
  }
  if (unit == "s") {
    return n;
  }
  if (unit == "m") {
    return n * 60;
  }
  if (unit == "h") {
    return n * 3600;
  }
  return std::nullopt;
}

void check_object(Context& cx,
                  const std::string& ptr,
                  Value obj,
                  const ObjectSpec& spec,
                  bool (*skip_unknown)(std::string_view)) {
  std::vector<Issue> issues;
  for (const Member& m : obj.members()) {
    const std::string_view key = m.key_view();
    if (is_comment_key(key)) {
      continue;
    }
    const Field* f = find_field(spec.fields, key);
    if (f == nullptr) {
      if (skip_unknown && skip_unknown(key)) {
        continue;
      }
      std::string fixed(key);
      for (auto& c : fixed) {
        if (c == '-') {
          c = '_';
        }
      }
      if (fixed != key && find_field(spec.fields, fixed) != nullptr) {
        std::string effect = "ignored";
        if (fixed == "jwk_url" && !obj.get("jwk_url") && !obj.get("jwk_local_path")) {
          effect = "ignored, so this validator has no key source and every request is answered 401";
        } else if (fixed == "propagate_claims") {
          effect = "ignored, so no claim reaches the backend";
        }
        cx.at_key(Rule::krakend_v1_hyphenated_key,
                  ptr,
                  m,
                  fmt::format("\"{}\" is a KrakenD v1 key; v2 reads \"{}\" and this key is {}",
                              key,
                              fixed,
                              effect),
                  fmt::format("rename it to \"{}\"", fixed));
        continue;
      }
      std::string hint;
      for (const auto& r : kRenames) {
        if (r.from == key && find_field(spec.fields, r.to)) {
          hint = fmt::format("renamed to \"{}\" in KrakenD v2", r.to);
        }
      }
      if (hint.empty()) {
        hint = did_you_mean(closest_field(key, spec.fields));
      }
      cx.at_key(
          Rule::krakend_unknown_key,
          ptr,
          m,
          fmt::format(
              "unknown key \"{}\" in {}: 'krakend check --lint' rejects it and KrakenD ignores it",
              key,
              spec.what),
          hint);
      continue;
    }
    issues.clear();
    const Value v(&cx.doc(), m.value);
    check_field(*f, v, issues);
    if (issues.empty()) {
      continue;
    }
    const std::string field_ptr = pointer_join(ptr, key);
    for (const auto& is : issues) {
      report_issue(cx, field_ptr, *f, is, spec);
    }
  }
}

} // namespace tollgate::core::lint::krakend
