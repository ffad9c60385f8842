#include "core/http/redact.hpp"

#include "core/http/url.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <array>

namespace tollgate::core::http {
namespace {

constexpr std::array<std::string_view, 17> kSensitive = {"client_secret",
                                                         "password",
                                                         "refresh_token",
                                                         "access_token",
                                                         "id_token",
                                                         "device_code",
                                                         "code",
                                                         "code_verifier",
                                                         "token",
                                                         "client_assertion",
                                                         "subject_token",
                                                         "actor_token",
                                                         "assertion",
                                                         "rpt",
                                                         "claim_token",
                                                         "secret",
                                                         "registration_access_token"};

bool is_b64url_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
         || c == '_';
}

void redact_tree(util::Json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (is_sensitive_name(it.key()) && (it->is_string() || it->is_number())) {
        *it = std::string(kRedacted);
      } else {
        redact_tree(*it);
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j) {
      redact_tree(e);
    }
  } else if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s.find("eyJ") != std::string::npos) {
      j = redact_jwts(s);
    }
  }
}

} // namespace

bool is_sensitive_name(std::string_view name) {
  for (auto s : kSensitive) {
    if (util::iequals(name, s)) {
      return true;
    }
  }
  return false;
}

std::string redact_form(std::string_view body) {
  std::string out;
  bool first = true;
  for (std::string_view part : util::split(body, '&')) {
    if (!first) {
      out += '&';
    }
    first = false;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out += part;
      continue;
    }
    const auto decoded = form_decode(part.substr(0, eq));
    const std::string key = decoded.empty() ? std::string() : decoded.front().first;
    out += part.substr(0, eq + 1);
    if (is_sensitive_name(key) && eq + 1 < part.size()) {
      out += kRedacted;
    } else {
      out += redact_jwts(part.substr(eq + 1));
    }
  }
  return out;
}

std::string redact_header_line(std::string_view line) {
  const auto colon = line.find(':');
  // A request line: "GET /path?query HTTP/1.1".
  if (line.find(' ') != std::string_view::npos
      && (colon == std::string_view::npos || line.find(' ') < colon)) {
    const auto q = line.find('?');
    if (q == std::string_view::npos) {
      return redact_jwts(line);
    }
    const auto end = line.find(' ', q);
    std::string out(line.substr(0, q + 1));
    out += redact_form(line.substr(q + 1, end == std::string_view::npos ? end : end - q - 1));
    if (end != std::string_view::npos) {
      out += line.substr(end);
    }
    return out;
  }
  if (colon == std::string_view::npos) {
    return redact_jwts(line);
  }
  const std::string_view name = util::trim(line.substr(0, colon));
  std::string_view value = util::trim(line.substr(colon + 1));
  if (util::iequals(name, "authorization") || util::iequals(name, "proxy-authorization")) {
    const auto sp = value.find(' ');
    std::string out(line.substr(0, colon + 1));
    out += ' ';
    if (sp != std::string_view::npos) {
      out += value.substr(0, sp + 1);
    }
    out += kRedacted;
    return out;
  }
  if (util::iequals(name, "cookie") || util::iequals(name, "set-cookie")
      || util::iequals(name, "dpop") || is_sensitive_name(name)) {
    return std::string(line.substr(0, colon + 1)) + " " + std::string(kRedacted);
  }
  return redact_jwts(line);
}

std::string redact_json_text(std::string_view body) {
  util::Json doc = util::Json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    return redact_jwts(body);
  }
  redact_tree(doc);
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string redact_jwts(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find("eyJ", i);
    if (at == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    // A JWT: base64url "eyJ..." header, then at least one '.' followed by more base64url.
    std::size_t j = at;
    int dots = 0;
    while (j < text.size() && (is_b64url_char(text[j]) || text[j] == '.')) {
      dots += text[j] == '.' ? 1 : 0;
      ++j;
    }
    out += text.substr(i, at - i);
    if (dots >= 2) {
      out += kRedacted;
    } else {
      out += text.substr(at, j - at);
    }
    i = j;
  }
  return out;
}

} // namespace tollgate::core::http
