#pragma once

// The rule registry: every finding names one of these rules. Ids are stable once released (CI
// configurations and inline suppressions refer to them); severities follow one policy for all
// layers (error: the gateway refuses the config, or the route fails or skips a check for every
// request; warning: works but probably wrong or insecure; info: advice).

#include "core/util/result.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::lint {

enum class Severity { error, warning, info };
std::string_view severity_name(Severity s);

enum class Layer { file, schema, runtime, judgement, online };
std::string_view layer_name(Layer l);

enum class Rule : std::size_t {
  // whole-file and generic
  syntax_error,
  unknown_gateway,
  json_byte_order_mark,
  duplicate_key,
  suppression_unknown_rule,
  // KrakenD
  krakend_flexible_config_template,
  krakend_version,
  krakend_unknown_key,
  krakend_unknown_namespace,
  krakend_legacy_namespace,
  krakend_v1_hyphenated_key,
  krakend_schema_type,
  krakend_schema_value,
  krakend_schema_required,
  krakend_endpoint_invalid_path,
  krakend_backend_undefined_param,
  krakend_noop_multiple_backends,
  krakend_validator_key_source,
  krakend_validator_insecure_jwk_url,
  krakend_validator_local_path_insecure,
  krakend_validator_local_path_cache,
  krakend_validator_roles_key_not_nested,
  krakend_validator_roles_key_too_short,
  krakend_validator_scopes_without_key,
  krakend_validator_scopes_key_url,
  krakend_validator_fingerprint_encoding,
  krakend_validator_cypher_key,
  krakend_validator_cache_duration,
  krakend_validator_in_backend,
  krakend_service_validator_fields,
  krakend_signer_key_source,
  krakend_signer_insecure_jwk_url,
  krakend_validator_jwk_security_disabled,
  krakend_validator_no_cache,
  krakend_validator_short_cache_duration,
  krakend_validator_cooldown_ignored,
  krakend_validator_cache_with_local_ca,
  krakend_validator_roles_without_key,
  krakend_validator_scopes_key_without_scopes,
  krakend_validator_propagated_header_not_forwarded,
  krakend_validator_fingerprints_unused,
  krakend_endpoint_unprotected,
  krakend_shared_cache_unused,
  krakend_validator_no_issuer,
  krakend_validator_no_audience,
  krakend_validator_cache_without_cooldown,
  krakend_validator_leeway_raised,
  // APISIX
  apisix_plugin_schema,
  apisix_route_schema,
  apisix_route_needs_target,
  apisix_misspelled_plugin,
  apisix_plugin_not_enabled,
  apisix_lazy_load_openid_discovery,
  apisix_enforcing_without_permissions,
  apisix_missing_end_flag,
  apisix_duplicate_id,
  apisix_unknown_plugin_key,
  apisix_disabled_plugin_schema,
  apisix_permissive_without_permissions,
  apisix_method_as_scope_scoped_permission,
  apisix_permission_format,
  apisix_plain_http_endpoint,
  apisix_ssl_verify_disabled,
  apisix_plaintext_client_secret,
  apisix_token_expiry_leeway,
  apisix_password_grant_token_endpoint,
  apisix_password_grant_uri_query,
  apisix_password_grant_uri_unmatched,
  apisix_max_body_size_unused,
  apisix_plugin_config_reference,
  apisix_missing_id,
  // live checks against the IdP (need an online probe)
  online_jwks_unreachable,
  online_jwks_no_usable_key,
  online_issuer_mismatch,
  online_discovery_unreachable,
  online_discovery_not_uma2,
  online_endpoint_mismatch,
  count_
};

struct RuleInfo {
  Rule rule;
  std::string_view id; // "krakend/validator-insecure-jwk-url"
  Severity severity;
  std::string_view gateway; // "krakend", "apisix" (APISIX and ADC files) or "any"
  Layer layer;
  std::string_view why;  // one line for --list-rules and SARIF shortDescription
  std::string_view help; // what happens and how to fix it (SARIF fullDescription and help)
};

const RuleInfo& rule_info(Rule r);
std::span<const RuleInfo> all_rules();
const RuleInfo* find_rule(std::string_view id);

// Which rules run. Patterns are an id, or a prefix ending in "/*" ("krakend/*"), or "*".
// --enable beats --disable; online rules run only when a probe is supplied.
class RuleSet {
public:
  RuleSet();
  // Unknown ids or patterns matching nothing are a usage error with a "did you mean" hint.
  static Result<RuleSet> from_flags(const std::vector<std::string>& disable,
                                    const std::vector<std::string>& enable);
  bool enabled(Rule r) const { return m_on[static_cast<std::size_t>(r)]; }
  void set(Rule r, bool on) { m_on[static_cast<std::size_t>(r)] = on; }

private:
  std::vector<bool> m_on;
};

// Rules whose id matches `pattern` (see RuleSet); empty when none does.
std::vector<Rule> match_rules(std::string_view pattern);
// The closest rule id to `id` by edit distance, or empty when none is close.
std::string suggest_rule(std::string_view id);

} // namespace tollgate::core::lint
