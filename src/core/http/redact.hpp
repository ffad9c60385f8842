#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::http {

// Redaction for -v traces: secrets and tokens never reach stderr. The replacement keeps the shape
// ("Authorization: Basic [redacted]", "client_secret=[redacted]") so a trace still shows what was
// sent.
inline constexpr std::string_view kRedacted = "[redacted]";

// Is `name` (a form parameter or JSON member) one whose value is a secret or a token?
// client_secret, password, refresh_token, access_token, id_token, device_code, code,
// code_verifier, token, client_assertion, subject_token, ...
bool is_sensitive_name(std::string_view name);

// One header line, whatever the casing: Authorization / Proxy-Authorization keep their scheme,
// Cookie / Set-Cookie / DPoP and sensitive names lose their value, and a request line or an
// HTTP/2 pseudo-header (":path: /cb?code=...") has its query redacted like a form body.
std::string redact_header_line(std::string_view line);

// One of libcurl's own notes (CURLINFO_TEXT). Over HTTP/2 they list every request header, e.g.
// libcurl 7.88 "h2h3 [authorization: Basic ...]" and 8.x "[HTTP/2] [1] [authorization: ...]", and
// they carry URLs: every "[name: value]" group is redacted as a header line, any other
// "name: value" or "name=value" with a sensitive name loses its value, URL queries are redacted as
// form bodies, and JWTs anywhere.
std::string redact_info_line(std::string_view line);

// The secret values requests carried (Authorization credentials, cookies, sensitive form and
// JSON members), as sent and decoded. Every trace line is scrubbed of them whatever its syntax: a
// second line of defence for trace formats the syntactic redaction does not know.
class SecretValues {
public:
  // `header_lines` are "Name: value"; `body` is a form body, or JSON when `json`.
  void add_request(const std::vector<std::string>& header_lines, std::string_view body, bool json);
  // Values shorter than 4 bytes are ignored: replacing them everywhere would garble the trace.
  void add(std::string_view value);
  std::string scrub(std::string_view text) const;

private:
  std::vector<std::string> m_values; // longest first
};

// An application/x-www-form-urlencoded body or query string.
std::string redact_form(std::string_view body);

// A JSON body: sensitive members at any depth. Text that is not JSON is returned with anything
// that looks like a JWT replaced.
std::string redact_json_text(std::string_view body);

// Replace every substring that looks like a compact JWS/JWE ("eyJ...") in free text.
std::string redact_jwts(std::string_view text);

} // namespace tollgate::core::http
