#pragma once

#include <string>
#include <string_view>

namespace tollgate::core::http {

// Redaction for -v traces: secrets and tokens never reach stderr. The replacement keeps the shape
// ("Authorization: Basic [redacted]", "client_secret=[redacted]") so a trace still shows what was
// sent.
inline constexpr std::string_view kRedacted = "[redacted]";

// Is `name` (a form parameter or JSON member) one whose value is a secret or a token?
// client_secret, password, refresh_token, access_token, id_token, device_code, code,
// code_verifier, token, client_assertion, subject_token, ...
bool is_sensitive_name(std::string_view name);

// One header line: Authorization / Proxy-Authorization keep their scheme, Cookie / Set-Cookie
// lose their value, and a request line has its query redacted like a form body.
std::string redact_header_line(std::string_view line);

// An application/x-www-form-urlencoded body or query string.
std::string redact_form(std::string_view body);

// A JSON body: sensitive members at any depth. Text that is not JSON is returned with anything
// that looks like a JWT replaced.
std::string redact_json_text(std::string_view body);

// Replace every substring that looks like a compact JWS/JWE ("eyJ...") in free text.
std::string redact_jwts(std::string_view text);

} // namespace tollgate::core::http
