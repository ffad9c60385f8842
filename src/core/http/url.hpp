#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::core::http {

// The parts of an absolute http(s) URL that policy decisions need (RFC 3986 section 3).
struct Url {
  std::string scheme; // lower case
  std::string userinfo;
  std::string host;  // lower case; IPv6 without brackets
  std::string port;  // "" when absent
  std::string path;  // "" or starting with '/'
  std::string query; // without '?', "" when absent
  bool has_query = false;
  bool ipv6 = false;

  // "https://host:port" (brackets around IPv6, default ports dropped).
  std::string origin() const;
  // The URL without userinfo or fragment.
  std::string str() const;
};

// Parse an absolute http:// or https:// URL; anything else (other schemes, no host, spaces) is a
// usage error naming `what`.
Result<Url> parse_url(std::string_view text, std::string_view what = "URL");

// Resolve a reference (a Location header) against `base` (RFC 3986 section 5.2).
Result<Url> resolve_reference(const Url& base, std::string_view ref);

// 127.0.0.0/8, ::1 and "localhost": hosts where plain http cannot be intercepted on the wire.
bool is_loopback_host(const Url& url);

// The URL for messages: no userinfo, no fragment.
std::string display_url(std::string_view url);

// application/x-www-form-urlencoded (WHATWG URL "urlencoded serializer"; RFC 6749 appendix B).
using Params = std::vector<std::pair<std::string, std::string>>;
std::string form_encode(const Params& params);
std::string percent_encode(std::string_view s); // one form component
// Decode a query string or form body; malformed escapes are kept literally.
Params form_decode(std::string_view text);

// `base` with `params` appended as a query (after '?' or '&').
std::string with_query(const std::string& base, const Params& params);

} // namespace tollgate::core::http
