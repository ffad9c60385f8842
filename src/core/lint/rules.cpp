// The rule table. Sources for the behaviour each rule describes are in
// ../shared/spec/gateway-configs.md (KrakenD part A, APISIX part B, "Additional traps").
#include "core/lint/rules.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint {

namespace {

using enum Severity;
constexpr Layer F = Layer::file, S = Layer::schema, R = Layer::runtime, J = Layer::judgement,
                O = Layer::online;

const RuleInfo kRules[] = {
    {Rule::syntax_error,
     "syntax-error",
     error,
     "any",
     F,
     "the file is not valid JSON or YAML",
     "The file could not be parsed, so no gateway can load it. The finding points at the first "
     "character the parser could not accept. Fix the syntax and lint again."},
    {Rule::unknown_gateway,
     "unknown-gateway",
     error,
     "any",
     F,
     "the file is not a KrakenD, APISIX or ADC config",
     "The file parsed but has none of the shapes tollgate lint knows: a KrakenD v3 config (an "
     "object with \"version\" or \"endpoints\"), an APISIX Admin API body (route with \"uri\"/"
     "\"uris\", service, plugin_config), a standalone apisix.yaml/apisix.json (top-level "
     "\"routes\", \"services\", \"upstreams\", ...), an APISIX config.yaml, or an ADC file "
     "(services holding routes). Pass --gateway to choose."},
    {Rule::json_byte_order_mark,
     "json-byte-order-mark",
     error,
     "any",
     F,
     "a JSON file starts with a UTF-8 byte order mark",
     "Go's encoding/json, which KrakenD uses, rejects a byte order mark (\"invalid character 'ï' "
     "looking for beginning of value\"). Save the file as UTF-8 without BOM."},
    {Rule::duplicate_key,
     "duplicate-key",
     warning,
     "any",
     S,
     "a key appears twice in one object; the later value wins",
     "JSON and YAML readers keep the last of repeated keys, so the earlier value is silently "
     "ignored. Remove one of them."},
    {Rule::suppression_unknown_rule,
     "suppression-unknown-rule",
     warning,
     "any",
     F,
     "an inline suppression names a rule that does not exist",
     "A '# tollgate-lint: disable ...' comment or '@tollgate-lint' key names an unknown rule id, "
     "so it silences nothing. Run 'tollgate lint --list-rules' for the ids."},

    // ---- KrakenD -------------------------------------------------------------------------
    {Rule::krakend_flexible_config_template,
     "krakend/flexible-config-template",
     error,
     "krakend",
     F,
     "the file is a flexible-configuration template; render it first",
     "The file contains Go template actions ({{ ... }}) and is not valid JSON: it is a KrakenD "
     "flexible-configuration template. Render it with 'FC_ENABLE=1 FC_OUT=out.json krakend check "
     "-c FILE' (with the FC_SETTINGS/FC_TEMPLATES/FC_PARTIALS you run KrakenD with) and lint "
     "out.json."},
    {Rule::krakend_version,
     "krakend/version",
     error,
     "krakend",
     S,
     "\"version\" must be 3",
     "KrakenD v2 reads only syntax version 3; any other value stops it at start-up with "
     "\"unsupported version: N (want: 3)\"."},
    {Rule::krakend_unknown_key,
     "krakend/unknown-key",
     error,
     "krakend",
     S,
     "a key KrakenD's schema does not allow here",
     "The KrakenD schema sets additionalProperties: false on the root, endpoints, backends and "
     "auth blocks, so 'krakend check --lint' rejects the key; 'krakend run' ignores it, so the "
     "setting you meant never takes effect. Keys starting with @ $ _ # are comments and allowed."},
    {Rule::krakend_unknown_namespace,
     "krakend/unknown-namespace",
     error,
     "krakend",
     S,
     "an extra_config namespace KrakenD does not know at this level",
     "'krakend check --lint' rejects unknown extra_config namespaces, and at run time the block "
     "is ignored: a misspelled auth/validator leaves the endpoint public."},
    {Rule::krakend_legacy_namespace,
     "krakend/legacy-namespace",
     error,
     "krakend",
     S,
     "a KrakenD v1 namespace name (github.com/devopsfaith/...)",
     "The v2 schema does not list the old github.com/devopsfaith/... names, so 'krakend check "
     "--lint' rejects them. Use the v2 name (auth/validator, auth/signer, ...)."},
    {Rule::krakend_v1_hyphenated_key,
     "krakend/v1-hyphenated-key",
     error,
     "krakend",
     S,
     "a v1 hyphenated key (jwk-url, propagate-claims) that v2 ignores",
     "KrakenD v2 reads jwk_url and propagate_claims; the v1 spellings are ignored at run time. "
     "A validator with only jwk-url has no key source and answers 401 to every request."},
    {Rule::krakend_schema_type,
     "krakend/schema-type",
     error,
     "krakend",
     S,
     "a value of the wrong JSON type",
     "The schema rejects the value. Inside auth/validator a type mismatch also makes the whole "
     "block fail to unmarshal, and the endpoint answers 401 to every request."},
    {Rule::krakend_schema_value,
     "krakend/schema-value",
     error,
     "krakend",
     S,
     "a value outside the allowed set, pattern or range",
     "The schema rejects the value (enum, pattern, range, item count or uniqueness). Some of "
     "these also stop KrakenD at start-up, e.g. an unknown alg (\"JOSE: unknown algorithm\")."},
    {Rule::krakend_schema_required,
     "krakend/schema-required",
     error,
     "krakend",
     S,
     "a required key is missing",
     "The schema requires the key (endpoint and backend on endpoints, url_pattern on backends, "
     "alg on validators, ...)."},
    {Rule::krakend_endpoint_invalid_path,
     "krakend/endpoint-invalid-path",
     error,
     "krakend",
     R,
     "an endpoint path KrakenD refuses at start-up",
     "Paths not starting with '/', with '*' before the end, or under /__debug, /__echo, "
     "/__health pass the schema but KrakenD logs \"ignoring the 'M /path' endpoint, since it is "
     "invalid!!!\" and does not serve it."},
    {Rule::krakend_backend_undefined_param,
     "krakend/backend-undefined-param",
     error,
     "krakend",
     R,
     "a url_pattern {param} that the endpoint path does not define",
     "KrakenD fails at start-up with \"undefined output param\" (or WrongNumberOfParamsError) "
     "when a backend url_pattern uses a {placeholder} the endpoint does not have (JWT.x and "
     "respN_x excepted)."},
    {Rule::krakend_noop_multiple_backends,
     "krakend/noop-multiple-backends",
     error,
     "krakend",
     R,
     "output_encoding no-op with more than one backend",
     "KrakenD fails with \"can not use NoOp encoding with more than one backends connected to "
     "the same endpoint\"."},
    {Rule::krakend_validator_key_source,
     "krakend/validator-key-source",
     error,
     "krakend",
     S,
     "auth/validator needs exactly one of jwk_url and jwk_local_path",
     "The schema's oneOf requires alg plus exactly one key source; giving both fails it too, "
     "although the documentation says jwk_local_path has preference."},
    {Rule::krakend_validator_insecure_jwk_url,
     "krakend/validator-insecure-jwk-url",
     error,
     "krakend",
     R,
     "jwk_url is not https:// and disable_jwk_security is not true: 401 on every request",
     "krakend-jose requires a jwk_url starting with the exact lower-case 'https://' unless "
     "disable_jwk_security is true; otherwise the endpoint handler is replaced by one that "
     "answers 401 to every request, with only a WARNING in the log. Use https, or set "
     "disable_jwk_security for a development IdP."},
    {Rule::krakend_validator_local_path_insecure,
     "krakend/validator-local-path-insecure",
     error,
     "krakend",
     R,
     "jwk_local_path without disable_jwk_security: 401 on every request",
     "The https check tests jwk_url, which is empty when keys come from jwk_local_path, so "
     "without disable_jwk_security: true every request is answered 401."},
    {Rule::krakend_validator_local_path_cache,
     "krakend/validator-local-path-cache",
     error,
     "krakend",
     R,
     "jwk_local_path with cache: true stops KrakenD at start-up",
     "krakend-jose fails fatally with \"cache could not be used with jwk_local_path\". Remove "
     "cache (local keys need no cache)."},
    {Rule::krakend_validator_roles_key_not_nested,
     "krakend/validator-roles-key-not-nested",
     error,
     "krakend",
     R,
     "a dotted roles_key without roles_key_is_nested: 403 on every request",
     "Without roles_key_is_nested: true a key like realm_access.roles is looked up as one "
     "literal claim name, which Keycloak tokens never have, so every request gets 403."},
    {Rule::krakend_validator_roles_key_too_short,
     "krakend/validator-roles-key-too-short",
     error,
     "krakend",
     R,
     "a nested roles_key shorter than 4 characters crashes the endpoint set-up",
     "With roles_key_is_nested the code slices RolesKey[:4] to test for an 'http' prefix; a "
     "dotted key of 3 characters (a.b) panics when the endpoint is built."},
    {Rule::krakend_validator_scopes_without_key,
     "krakend/validator-scopes-without-key",
     error,
     "krakend",
     R,
     "scopes without scopes_key: the scope check is silently skipped",
     "The scope check runs only when scopes is non-empty and scopes_key is set. Add scopes_key "
     "(Keycloak: \"scope\")."},
    {Rule::krakend_validator_scopes_key_url,
     "krakend/validator-scopes-key-url",
     error,
     "krakend",
     R,
     "a URL-style scopes_key is split at its dots: 403 on every request",
     "Dots in scopes_key always mean nesting, with no exception for claim names like "
     "https://example.com/scopes, so the claim is never found."},
    {Rule::krakend_validator_fingerprint_encoding,
     "krakend/validator-fingerprint-encoding",
     error,
     "krakend",
     R,
     "jwk_fingerprints must be padded base64url SHA-256 digests",
     "krakend-jose decodes pins with base64.URLEncoding: a value with '+' or '/' (standard "
     "alphabet) or without padding stops KrakenD with \"decoding fingerprint #i\"; a value that "
     "is not 32 bytes never matches, so keys are never fetched."},
    {Rule::krakend_validator_cypher_key,
     "krakend/validator-cypher-key",
     error,
     "krakend",
     R,
     "cypher_key is not padded standard base64: 401 on every request",
     "The Go field is []byte, which encoding/json decodes only from padded standard base64; any "
     "other string fails the unmarshal of the whole block."},
    {Rule::krakend_validator_cache_duration,
     "krakend/validator-cache-duration",
     error,
     "krakend",
     R,
     "cache_duration outside 0..4294967295: 401 on every request",
     "The Go type is uint32, so a negative or too large value fails the unmarshal of the "
     "validator block and the endpoint answers 401 to every request."},
    {Rule::krakend_validator_in_backend,
     "krakend/validator-in-backend",
     error,
     "krakend",
     S,
     "auth/validator inside a backend protects nothing",
     "Validators are read from the endpoint's extra_config only; at backend level the schema "
     "rejects the namespace and the runtime ignores it. Move it to the endpoint."},
    {Rule::krakend_service_validator_fields,
     "krakend/service-validator-fields",
     error,
     "krakend",
     S,
     "validator fields at service level protect nothing",
     "The service-level auth/validator is only the shared JWK cache and accepts only "
     "shared_cache_duration. Put alg, jwk_url, roles... in each endpoint's extra_config."},
    {Rule::krakend_signer_key_source,
     "krakend/signer-key-source",
     error,
     "krakend",
     S,
     "auth/signer needs jwk_url, or jwk_local_path with disable_jwk_security",
     "The signer schema's oneOf requires {alg, jwk_url} or {alg, jwk_local_path, "
     "disable_jwk_security}."},
    {Rule::krakend_signer_insecure_jwk_url,
     "krakend/signer-insecure-jwk-url",
     error,
     "krakend",
     R,
     "signer jwk_url is not https:// without disable_jwk_security: 401 on every request",
     "The signer applies the same https rule as the validator; the endpoint answers 401."},
    {Rule::krakend_validator_jwk_security_disabled,
     "krakend/validator-jwk-security-disabled",
     warning,
     "krakend",
     J,
     "disable_jwk_security allows plain HTTP and turns off certificate checks",
     "disable_jwk_security: true lets keys be fetched over plain HTTP and also sets TLS "
     "InsecureSkipVerify for an https jwk_url, so anyone on the path can replace the keys."},
    {Rule::krakend_validator_no_cache,
     "krakend/validator-no-cache",
     warning,
     "krakend",
     J,
     "no cache: true, so keys are fetched from the IdP on every request",
     "Without cache: true krakend-jose downloads the JWKS for every request. Set cache: true."},
    {Rule::krakend_validator_short_cache_duration,
     "krakend/validator-short-cache-duration",
     warning,
     "krakend",
     J,
     "cache_duration under 60 s",
     "A key cache shorter than a minute refetches keys very often; the default is 900 s."},
    {Rule::krakend_validator_cooldown_ignored,
     "krakend/validator-cooldown-ignored",
     warning,
     "krakend",
     J,
     "failed_jwk_key_cooldown under 1 s is ignored",
     "krakend-jose ignores cooldowns under one second, so unknown kids still reach the IdP."},
    {Rule::krakend_validator_cache_with_local_ca,
     "krakend/validator-cache-with-local-ca",
     warning,
     "krakend",
     J,
     "cache together with jwk_local_ca",
     "The schema says not to use cache with jwk_local_ca; the code does not enforce it."},
    {Rule::krakend_validator_roles_without_key,
     "krakend/validator-roles-without-key",
     warning,
     "krakend",
     J,
     "roles checked against a top-level \"roles\" claim",
     "roles_key defaults to 'roles', a claim Keycloak access tokens do not have (roles are in "
     "realm_access.roles or resource_access.<client>.roles), so every user gets 403. Set "
     "roles_key and roles_key_is_nested: true."},
    {Rule::krakend_validator_scopes_key_without_scopes,
     "krakend/validator-scopes-key-without-scopes",
     warning,
     "krakend",
     J,
     "scopes_key without scopes checks nothing",
     "The scope check runs only when scopes is non-empty."},
    {Rule::krakend_validator_propagated_header_not_forwarded,
     "krakend/validator-propagated-header-not-forwarded",
     warning,
     "krakend",
     J,
     "a propagate_claims header missing from the endpoint's input_headers",
     "KrakenD sets the header, but only headers listed in input_headers reach the backend."},
    {Rule::krakend_validator_fingerprints_unused,
     "krakend/validator-fingerprints-unused",
     warning,
     "krakend",
     J,
     "jwk_fingerprints with a plain-HTTP jwk_url pin nothing",
     "Pins are checked only when dialling TLS."},
    {Rule::krakend_endpoint_unprotected,
     "krakend/endpoint-unprotected",
     warning,
     "krakend",
     J,
     "an endpoint without auth/validator in a config that tried to protect all endpoints",
     "Validator fields were put at service level, which protects nothing; this endpoint has no "
     "validator of its own and is public."},
    {Rule::krakend_shared_cache_unused,
     "krakend/shared-cache-unused",
     warning,
     "krakend",
     J,
     "shared_cache_duration set but no endpoint uses cache: true",
     "The service-level JWK cache only takes effect for validators with cache: true."},
    {Rule::krakend_validator_no_issuer,
     "krakend/validator-no-issuer",
     info,
     "krakend",
     J,
     "no issuer: tokens from any issuer signed by these keys are accepted",
     "Set issuer to the realm URL so that tokens of another realm sharing keys are refused."},
    {Rule::krakend_validator_no_audience,
     "krakend/validator-no-audience",
     info,
     "krakend",
     J,
     "no audience: tokens for any client are accepted",
     "Set audience so that tokens issued for other clients are refused."},
    {Rule::krakend_validator_cache_without_cooldown,
     "krakend/validator-cache-without-cooldown",
     info,
     "krakend",
     J,
     "cache: true without failed_jwk_key_cooldown",
     "The schema recommends a cooldown (e.g. 10s) so that tokens with unknown kids do not make "
     "KrakenD call the IdP again and again."},
    {Rule::krakend_validator_leeway_raised,
     "krakend/validator-leeway-raised",
     info,
     "krakend",
     J,
     "a leeway under 1 s is raised to 1 s",
     "krakend-jose applies at least one second of clock-skew tolerance, so \"0s\" does not turn "
     "it off."},

    // ---- APISIX --------------------------------------------------------------------------
    {Rule::apisix_plugin_schema,
     "apisix/plugin-schema",
     error,
     "apisix",
     S,
     "authz-keycloak fails APISIX's plugin schema",
     "The Admin API answers 400 \"failed to check the configuration of plugin authz-keycloak "
     "err: ...\"; in a standalone apisix.yaml the loader skips the whole route, so its URIs "
     "match no route. The message quotes what APISIX prints."},
    {Rule::apisix_route_schema,
     "apisix/route-schema",
     error,
     "apisix",
     S,
     "the route, service or plugin_config object fails APISIX's schema",
     "APISIX answers \"invalid configuration: ...\" (Admin API) or skips the item (standalone) "
     "for unknown keys, wrong types, and uri together with uris."},
    {Rule::apisix_route_needs_target,
     "apisix/route-needs-target",
     error,
     "apisix",
     S,
     "a route needs plugins, upstream, upstream_id, service_id or script with its uri",
     "The route schema's anyOf requires one of them next to uri/uris (plugin_config_id alone "
     "is not enough), and forbids script together with plugins or plugin_config_id."},
    {Rule::apisix_misspelled_plugin,
     "apisix/misspelled-plugin",
     error,
     "apisix",
     S,
     "a plugin name close to authz-keycloak",
     "APISIX answers \"unknown plugin [name]\"; a misspelled authz-keycloak also leaves the "
     "route unprotected where the item is accepted."},
    {Rule::apisix_plugin_not_enabled,
     "apisix/plugin-not-enabled",
     error,
     "apisix",
     S,
     "config.yaml's plugins list leaves out authz-keycloak, which another file uses",
     "A custom plugins: list in config.yaml replaces the default list; routes using "
     "authz-keycloak are then rejected (\"unknown plugin [authz-keycloak]\") or dropped."},
    {Rule::apisix_lazy_load_openid_discovery,
     "apisix/lazy-load-openid-discovery",
     error,
     "apisix",
     R,
     "lazy_load_paths with an openid-configuration discovery URL: 503 on every request",
     "Keycloak's openid-configuration has no resource_registration_endpoint; only "
     "uma2-configuration has it. The plugin answers 503 \"Unable to determine registration "
     "endpoint.\". Use .../.well-known/uma2-configuration."},
    {Rule::apisix_enforcing_without_permissions,
     "apisix/enforcing-without-permissions",
     error,
     "apisix",
     R,
     "ENFORCING with no permissions and no lazy_load_paths: 403 on every request",
     "With an empty permission list the plugin denies locally with 403 not_authorized. Add "
     "permissions or lazy_load_paths: true."},
    {Rule::apisix_missing_end_flag,
     "apisix/missing-end-flag",
     error,
     "apisix",
     F,
     "standalone apisix.yaml without #END at the end: APISIX does not load it",
     "APISIX reads only the last 10 bytes and needs #END followed by at most 6 bytes of "
     "whitespace; otherwise it logs \"missing valid end flag in file\" and keeps the old routes."},
    {Rule::apisix_duplicate_id,
     "apisix/duplicate-id",
     error,
     "apisix",
     S,
     "two items with the same id in one standalone list: the earlier is lost",
     "The standalone loader keys items by id, so a repeated id silently replaces the earlier "
     "item."},
    {Rule::apisix_unknown_plugin_key,
     "apisix/unknown-plugin-key",
     warning,
     "apisix",
     S,
     "a key authz-keycloak does not know (APISIX ignores it silently)",
     "The plugin schema allows unknown keys, so a misspelled option has no effect. 'audience' "
     "was removed in APISIX 3.0: rename it to client_id."},
    {Rule::apisix_disabled_plugin_schema,
     "apisix/disabled-plugin-schema",
     warning,
     "apisix",
     S,
     "a disabled authz-keycloak block fails the schema and will fail when enabled",
     "APISIX accepts a plugin with _meta.disable: true even when its config is invalid; "
     "enabling it later is rejected or drops the route."},
    {Rule::apisix_permissive_without_permissions,
     "apisix/permissive-without-permissions",
     warning,
     "apisix",
     J,
     "PERMISSIVE with no permissions and no lazy_load_paths asks Keycloak about everything",
     "The decision request goes out without a permission parameter (entitlement mode): any "
     "permission on any resource of the client lets the request through."},
    {Rule::apisix_method_as_scope_scoped_permission,
     "apisix/method-as-scope-scoped-permission",
     warning,
     "apisix",
     J,
     "http_method_as_scope on a permission that already has a scope drops the method",
     "The plugin appends \", GET\" to res#scope; Keycloak does not trim, so it asks for a "
     "scope named \" GET\", which does not exist and is silently dropped: the method is never "
     "checked."},
    {Rule::apisix_permission_format,
     "apisix/permission-format",
     warning,
     "apisix",
     J,
     "a malformed permission string",
     "Keycloak splits RESOURCE#SCOPE1,SCOPE2 without trimming: '#', 'a#', 'a#x,,y', several "
     "'#', or spaces around '#' and ',' ask for resources or scopes that do not exist."},
    {Rule::apisix_plain_http_endpoint,
     "apisix/plain-http-endpoint",
     warning,
     "apisix",
     J,
     "an IdP endpoint over plain HTTP",
     "APISIX logs \"Using authz-keycloak <field> with no TLS is a security risk\": tokens and "
     "the client secret travel in clear text."},
    {Rule::apisix_ssl_verify_disabled,
     "apisix/ssl-verify-disabled",
     warning,
     "apisix",
     J,
     "ssl_verify: false",
     "APISIX logs \"Keeping ssl_verify disabled in authz-keycloak configuration is a security "
     "risk\"; the IdP's certificate is not checked."},
    {Rule::apisix_plaintext_client_secret,
     "apisix/plaintext-client-secret",
     warning,
     "apisix",
     J,
     "a plaintext client_secret in the file",
     "Reference the secret instead: $env://NAME or $secret://manager/id (or ${{NAME}} in "
     "standalone files)."},
    {Rule::apisix_token_expiry_leeway,
     "apisix/token-expiry-leeway",
     warning,
     "apisix",
     J,
     "an expiry leeway that makes the cached service-account token always expired",
     "When the IdP sends no expires_in the plugin caches the token for expires_in - 1 - leeway "
     "seconds; a leeway >= expires_in - 1 fetches a new token for every request."},
    {Rule::apisix_password_grant_token_endpoint,
     "apisix/password-grant-token-endpoint",
     warning,
     "apisix",
     J,
     "the password-grant shortcut without an explicit token_endpoint",
     "This path does not run discovery, so it answers 503 \"Unable to determine token "
     "endpoint.\" until a normal request on the same worker has. Set token_endpoint."},
    {Rule::apisix_password_grant_uri_query,
     "apisix/password-grant-uri-query",
     warning,
     "apisix",
     J,
     "the password-grant URI contains '?'",
     "It is compared with request_uri exactly (query included), so it only fires for that exact "
     "query string."},
    {Rule::apisix_password_grant_uri_unmatched,
     "apisix/password-grant-uri-unmatched",
     warning,
     "apisix",
     J,
     "password_grant_token_generation_incoming_uri that the route's uri can never match",
     "The plugin runs only for requests routed to this route; a URI outside the route's "
     "uri/uris never reaches it."},
    {Rule::apisix_max_body_size_unused,
     "apisix/max-body-size-unused",
     warning,
     "apisix",
     J,
     "max_req_body_size without the password-grant shortcut has no effect",
     "Only the password-grant path reads max_req_body_size."},
    {Rule::apisix_plugin_config_reference,
     "apisix/plugin-config-reference",
     warning,
     "apisix",
     J,
     "plugin_config_id names a plugin config that is missing or has errors",
     "The route's plugins come from that plugin config; when it is missing or invalid the "
     "route is rejected or runs without them."},
    {Rule::apisix_missing_id,
     "apisix/missing-id",
     info,
     "apisix",
     J,
     "a standalone item without id gets arr_<index>",
     "Items without an id are named by their position, so inserting an item renames the ones "
     "after it."},

    // ---- online ---------------------------------------------------------------------------
    {Rule::online_jwks_unreachable,
     "online/jwks-unreachable",
     error,
     "any",
     O,
     "jwk_url does not answer with a JWKS",
     "The gateway cannot fetch keys from this URL, so every token is refused."},
    {Rule::online_jwks_no_usable_key,
     "online/jwks-no-usable-key",
     error,
     "any",
     O,
     "the JWKS has no key usable with the configured alg",
     "No key in the set has a key type and curve that fit alg (and no conflicting alg or "
     "use), so signature checks can never pass."},
    {Rule::online_issuer_mismatch,
     "online/issuer-mismatch",
     error,
     "any",
     O,
     "issuer differs from the discovery document's issuer",
     "Tokens carry the discovery issuer exactly; a different trailing slash, /auth prefix or "
     "scheme makes every token fail the issuer check."},
    {Rule::online_discovery_unreachable,
     "online/discovery-unreachable",
     error,
     "any",
     O,
     "the discovery URL does not answer with a discovery document",
     "APISIX answers 503 to every request when discovery fails."},
    {Rule::online_discovery_not_uma2,
     "online/discovery-not-uma2",
     error,
     "any",
     O,
     "lazy_load_paths with a discovery document that has no resource_registration_endpoint",
     "Lazy path loading needs the UMA2 document; every request gets 503."},
    {Rule::online_endpoint_mismatch,
     "online/endpoint-mismatch",
     warning,
     "any",
     O,
     "token_endpoint or resource_registration_endpoint differs from discovery",
     "Explicit endpoints override the discovered ones; a value that differs usually points at "
     "another realm or host."},
};

static_assert(std::size(kRules) == static_cast<std::size_t>(Rule::count_),
              "one table row per Rule");

} // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
  case Severity::error:
    return "error";
  case Severity::warning:
    return "warning";
  case Severity::info:
    return "info";
  }
  return "error";
}

std::string_view layer_name(Layer l) {
  switch (l) {
  case Layer::file:
    return "file";
  case Layer::schema:
    return "schema";
  case Layer::runtime:
    return "runtime";
  case Layer::judgement:
    return "judgement";
  case Layer::online:
    return "online";
  }
  return "file";
}

const RuleInfo& rule_info(Rule r) {
  return kRules[static_cast<std::size_t>(r)];
}

std::span<const RuleInfo> all_rules() {
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id) {
      return &r;
    }
  }
  return nullptr;
}

std::vector<Rule> match_rules(std::string_view pattern) {
  std::vector<Rule> out;
  const bool all = pattern == "*";
  const bool prefix = pattern.size() > 2 && pattern.substr(pattern.size() - 2) == "/*";
  const std::string_view stem = prefix ? pattern.substr(0, pattern.size() - 1) : pattern;
  for (const auto& r : kRules) {
    if (all || (prefix && r.id.substr(0, stem.size()) == stem) || (!prefix && r.id == pattern)) {
      out.push_back(r.rule);
    }
  }
  return out;
}

std::string suggest_rule(std::string_view id) {
  std::string best;
  std::size_t best_d = id.size() / 3 + 2;
  for (const auto& r : kRules) {
    const std::size_t d = util::edit_distance(id, r.id);
    // Also try without the gateway prefix, for "validator-no-cache" → "krakend/validator-no-cache".
    const auto slash = r.id.find('/');
    const std::size_t d2 =
        slash == std::string_view::npos ? d : util::edit_distance(id, r.id.substr(slash + 1));
    const std::size_t m = std::min(d, d2);
    if (m < best_d) {
      best_d = m;
      best = std::string(r.id);
    }
  }
  return best;
}

RuleSet::RuleSet() : m_on(static_cast<std::size_t>(Rule::count_), true) {}

Result<RuleSet> RuleSet::from_flags(const std::vector<std::string>& disable,
                                    const std::vector<std::string>& enable) {
  RuleSet set;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& pattern : pass == 0 ? disable : enable) {
      const auto rules = match_rules(pattern);
      if (rules.empty()) {
        const std::string hint = suggest_rule(pattern);
        return usage_error(
            "unknown_rule",
            fmt::format("no lint rule matches '{}'{} (see tollgate lint --list-rules)",
                        pattern,
                        hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
      }
      for (Rule r : rules) {
        set.set(r, pass == 1);
      }
    }
  }
  return set;
}

} // namespace tollgate::core::lint
