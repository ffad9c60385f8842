#include "core/http/url.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

namespace tollgate::core::http {
namespace {

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+'
         || c == '-' || c == '.';
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.remove_prefix(3);
    } else if (in.rfind("./", 0) == 0) {
      in.remove_prefix(2);
    } else if (in.rfind("/./", 0) == 0) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      if (in.empty()) {
        in = "/";
      }
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const auto next = in.find('/', in.front() == '/' ? 1 : 0);
      out.append(in.substr(0, next));
      in = next == std::string_view::npos ? std::string_view() : in.substr(next);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string form_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
               && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

std::string Url::origin() const {
  std::string out = scheme + "://" + (ipv6 ? "[" + host + "]" : host);
  const bool default_port =
      port.empty() || (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
  if (!default_port) {
    out += ":" + port;
  }
  return out;
}

std::string Url::str() const {
  std::string out = scheme + "://" + (ipv6 ? "[" + host + "]" : host);
  if (!port.empty()) {
    out += ":" + port;
  }
  out += path;
  if (has_query) {
    out += "?" + query;
  }
  return out;
}

Result<Url> parse_url(std::string_view text, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return usage_error(
        "bad_url",
        fmt::format("{} '{}' {}", what, util::excerpt(util::terminal_safe(text), 120), why));
  };
  if (text.empty()) {
    return usage_error("bad_url", fmt::format("{} is empty", what));
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("contains a space or a control character");
    }
  }
  const auto colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return bad("is not an absolute http:// or https:// URL");
  }
  Url u;
  for (char c : text.substr(0, colon)) {
    if (!is_scheme_char(c)) {
      return bad("is not an absolute http:// or https:// URL");
    }
  }
  u.scheme = util::to_lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") {
    return bad(fmt::format("has scheme '{}': only http:// and https:// are supported", u.scheme));
  }
  std::string_view rest = text.substr(colon + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const auto auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail =
      auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("has an unterminated IPv6 address");
    }
    u.host = util::to_lower(authority.substr(1, close - 1));
    u.ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return bad("has junk after the IPv6 address");
      }
      port = after.substr(1);
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, u.host.c_str(), &a6) != 1) {
      return bad("has an invalid IPv6 address");
    }
  } else {
    const auto pc = authority.rfind(':');
    if (pc != std::string_view::npos) {
      port = authority.substr(pc + 1);
      authority = authority.substr(0, pc);
    }
    u.host = util::to_lower(authority);
  }
  if (u.host.empty()) {
    return bad("has no host");
  }
  for (char c : port) {
    if (c < '0' || c > '9') {
      return bad("has an invalid port");
    }
  }
  if (port.size() > 5 || (!port.empty() && std::stoul(std::string(port)) > 65535)) {
    return bad("has an invalid port");
  }
  u.port = std::string(port);
  if (const auto q = tail.find('?'); q != std::string_view::npos) {
    u.path = std::string(tail.substr(0, q));
    u.query = std::string(tail.substr(q + 1));
    u.has_query = true;
  } else {
    u.path = std::string(tail);
  }
  return u;
}

Result<Url> resolve_reference(const Url& base, std::string_view ref) {
  if (const auto hash = ref.find('#'); hash != std::string_view::npos) {
    ref = ref.substr(0, hash);
  }
  // An absolute reference: scheme ":" ...
  const auto colon = ref.find(':');
  const auto first_sep = ref.find_first_of("/?");
  if (colon != std::string_view::npos && (first_sep == std::string_view::npos || colon < first_sep)
      && colon > 0) {
    return parse_url(ref, "redirect target");
  }
  if (ref.rfind("//", 0) == 0) {
    return parse_url(base.scheme + ":" + std::string(ref), "redirect target");
  }
  Url u = base;
  u.userinfo.clear();
  std::string_view path = ref;
  std::string query;
  bool has_query = false;
  if (const auto q = ref.find('?'); q != std::string_view::npos) {
    path = ref.substr(0, q);
    query = std::string(ref.substr(q + 1));
    has_query = true;
  }
  if (path.empty()) {
    if (has_query) {
      u.query = query;
      u.has_query = true;
    }
    return u;
  }
  if (path.front() == '/') {
    u.path = remove_dot_segments(path);
  } else {
    std::string merged;
    const auto slash = base.path.rfind('/');
    merged = (slash == std::string::npos ? std::string("/") : base.path.substr(0, slash + 1))
             + std::string(path);
    u.path = remove_dot_segments(merged);
  }
  u.query = query;
  u.has_query = has_query;
  return u;
}

bool is_loopback_host(const Url& url) {
  if (url.host == "localhost") {
    return true;
  }
  if (url.ipv6) {
    in6_addr a6{};
    return inet_pton(AF_INET6, url.host.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  in_addr a4{};
  if (inet_pton(AF_INET, url.host.c_str(), &a4) != 1) {
    return false;
  }
  return (ntohl(a4.s_addr) >> 24) == 127;
}

std::string display_url(std::string_view url) {
  auto parsed = parse_url(url);
  if (!parsed) {
    return util::excerpt(util::terminal_safe(url), 200);
  }
  return parsed->str();
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
        || c == '.' || c == '_' || c == '*') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string form_encode(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

Params form_decode(std::string_view text) {
  Params out;
  for (std::string_view part : util::split(text, '&')) {
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(form_unescape(part), "");
    } else {
      out.emplace_back(form_unescape(part.substr(0, eq)), form_unescape(part.substr(eq + 1)));
    }
  }
  return out;
}

std::string with_query(const std::string& base, const Params& params) {
  if (params.empty()) {
    return base;
  }
  return base + (base.find('?') == std::string::npos ? "?" : "&") + form_encode(params);
}

} // namespace tollgate::core::http
