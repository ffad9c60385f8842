#include "core/http/redact.hpp"

#include "core/http/url.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <algorithm>
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

bool keeps_scheme(std::string_view name) {
  return util::iequals(name, "authorization") || util::iequals(name, "proxy-authorization");
}

bool is_sensitive_header(std::string_view name) {
  return keeps_scheme(name) || util::iequals(name, "cookie") || util::iequals(name, "set-cookie")
         || util::iequals(name, "dpop") || is_sensitive_name(name);
}

// "Basic [redacted]" for credentials with a scheme, "[redacted]" for anything else.
std::string redacted_value(std::string_view name, std::string_view value) {
  std::string out;
  if (keeps_scheme(name)) {
    if (const auto sp = value.find(' '); sp != std::string_view::npos) {
      out += value.substr(0, sp + 1);
    }
  }
  out += kRedacted;
  return out;
}

bool is_name_char(char c) {
  return is_b64url_char(c);
}

// "name: ..." or ":name: ..." at the start of `text`, as libcurl prints a header inside brackets.
bool looks_like_header(std::string_view text) {
  std::size_t i = !text.empty() && text.front() == ':' ? 1 : 0;
  const std::size_t start = i;
  while (i < text.size() && is_name_char(text[i])) {
    ++i;
  }
  return i > start && i < text.size() && text[i] == ':';
}

// The query of every URL or path in `text` ("/cb?code=abc", "https://idp/x?token=...") redacted
// as a form body; a '?' in a word without a '/' is left alone.
std::string redact_queries(std::string_view text) {
  constexpr std::string_view kWordStart = " \t[(\"'<";
  constexpr std::string_view kQueryEnd = " \t)\"'>";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto q = text.find('?', i);
    if (q == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    const auto word = text.find_last_of(kWordStart, q);
    const std::size_t word_start = word == std::string_view::npos || word < i ? i : word + 1;
    const bool is_url = text.substr(word_start, q - word_start).find('/') != std::string_view::npos;
    auto end = text.find_first_of(kQueryEnd, q + 1);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    out += text.substr(i, q + 1 - i);
    out += is_url ? redact_form(text.substr(q + 1, end - q - 1))
                  : std::string(text.substr(q + 1, end - q - 1));
    i = end;
  }
  return redact_jwts(out);
}

// Free text of a libcurl note: a sensitive "name: value" loses the rest of the text, a sensitive
// "name=value" its value; then URL queries and JWTs.
std::string redact_free_text(std::string_view text) {
  constexpr std::string_view kValueEnd = "& \t\"';,)]";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_name_char(text[i]) || (i > 0 && is_name_char(text[i - 1]))) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_name_char(text[j])) {
      ++j;
    }
    const std::string_view name = text.substr(i, j - i);
    out += name;
    i = j;
    if (i >= text.size() || (text[i] != ':' && text[i] != '=')) {
      continue;
    }
    if (text[i] == ':' && is_sensitive_header(name)) {
      const std::string_view value = util::trim(text.substr(i + 1));
      out += ": ";
      out += value.find(kRedacted) != std::string_view::npos ? std::string(value)
                                                             : redacted_value(name, value);
      return redact_queries(out);
    }
    if (text[i] == '=' && is_sensitive_name(name)) {
      auto end = text.find_first_of(kValueEnd, i + 1);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      out += '=';
      if (end > i + 1) {
        out += kRedacted;
      }
      i = end;
    }
  }
  return redact_queries(out);
}

void collect_secrets(const util::Json& j, SecretValues& into) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (is_sensitive_name(it.key()) && it->is_string()) {
        into.add(it->get_ref<const std::string&>());
      } else {
        collect_secrets(*it, into);
      }
    }
  } else if (j.is_array()) {
    for (const auto& e : j) {
      collect_secrets(e, into);
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
  // An HTTP/2 pseudo-header (":path: /cb?code=...") has its name after a leading colon.
  const auto colon = line.find(':', !line.empty() && line.front() == ':' ? 1 : 0);
  // A request or status line: "GET /path?query HTTP/1.1", "HTTP/2 200".
  if (colon == std::string_view::npos
      || (line.find(' ') != std::string_view::npos && line.find(' ') < colon)) {
    return redact_queries(line);
  }
  const std::string_view name = util::trim(line.substr(0, colon));
  const std::string_view value = util::trim(line.substr(colon + 1));
  if (is_sensitive_header(name)) {
    return std::string(line.substr(0, colon + 1)) + " " + redacted_value(name, value);
  }
  return std::string(line.substr(0, colon + 1)) + redact_queries(line.substr(colon + 1));
}

std::string redact_info_line(std::string_view line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    const auto open = line.find('[', i);
    if (open == std::string_view::npos) {
      out += redact_free_text(line.substr(i));
      break;
    }
    out += redact_free_text(line.substr(i, open - i));
    const auto close = line.find(']', open);
    if (close == std::string_view::npos) {
      out += redact_free_text(line.substr(open));
      break;
    }
    std::string_view group = line.substr(open + 1, close - open - 1);
    if (looks_like_header(group)) {
      // libcurl prints the header last on the line, and its value may itself contain ']'.
      const auto last = line.rfind(']');
      group = line.substr(open + 1, last - open - 1);
      out += '[' + redact_header_line(group) + ']';
      i = last + 1;
    } else {
      out += '[' + redact_free_text(group) + ']';
      i = close + 1;
    }
  }
  return out;
}

void SecretValues::add(std::string_view value) {
  if (value.size() < 4 || value == kRedacted) {
    return;
  }
  for (const auto& v : m_values) {
    if (v == value) {
      return;
    }
  }
  const auto at = std::find_if(m_values.begin(), m_values.end(), [&](const std::string& v) {
    return v.size() < value.size();
  });
  m_values.insert(at, std::string(value));
}

void SecretValues::add_request(const std::vector<std::string>& header_lines,
                               std::string_view body,
                               bool json) {
  for (std::string_view line : header_lines) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view name = util::trim(line.substr(0, colon));
    const std::string_view value = util::trim(line.substr(colon + 1));
    if (!is_sensitive_header(name)) {
      continue;
    }
    add(value);
    if (keeps_scheme(name)) {
      if (const auto sp = value.find(' '); sp != std::string_view::npos) {
        add(util::trim(value.substr(sp + 1)));
      }
    }
  }
  if (body.empty()) {
    return;
  }
  if (json) {
    const util::Json doc = util::Json::parse(body, nullptr, false);
    if (!doc.is_discarded()) {
      collect_secrets(doc, *this);
    }
    return;
  }
  for (std::string_view part : util::split(body, '&')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const auto decoded = form_decode(part);
    if (!decoded.empty() && is_sensitive_name(decoded.front().first)) {
      add(part.substr(eq + 1));
      add(decoded.front().second);
    }
  }
}

std::string SecretValues::scrub(std::string_view text) const {
  if (m_values.empty()) {
    return std::string(text);
  }
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, kRedacted.size()) == kRedacted) {
      out += kRedacted;
      i += kRedacted.size();
      continue;
    }
    bool hit = false;
    for (const auto& v : m_values) {
      if (text.substr(i, v.size()) == v) {
        out += kRedacted;
        i += v.size();
        hit = true;
        break;
      }
    }
    if (!hit) {
      out += text[i++];
    }
  }
  return out;
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
