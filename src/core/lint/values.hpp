#pragma once

// Small judgements about values that several rules share.

#include <string_view>

namespace tollgate::core::lint {

// True when a string holds a placeholder that something substitutes before the gateway reads it:
// ${VAR} and ${{VAR}} (APISIX standalone/ADC environment substitution), $env:// and $secret://
// (APISIX secret references), or a Go template action {{ ... }}. Such values are not judged.
bool has_placeholder(std::string_view s);

// Exact, case-sensitive "https://" prefix (krakend-jose's test).
bool is_https(std::string_view url);
// Starts with "http://" in any case.
bool is_plain_http(std::string_view url);

// A Keycloak realm URL part such as ".../realms/NAME/protocol/openid-connect/certs".
bool looks_like_keycloak(std::string_view url);

} // namespace tollgate::core::lint
