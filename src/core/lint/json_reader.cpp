// Strict JSON (RFC 8259) into the lint document model, keeping the byte offset of every value and
// key. Errors name what was expected, and the common hand-editing mistakes (trailing commas,
// comments, single quotes) by name.
#include "core/lint/document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace tollgate::core::lint {

namespace {

class JsonReader {
public:
  explicit JsonReader(Document& doc) : m_doc(doc), m_s(doc.text()) {}

  std::optional<ParseError> run() {
    if (m_s.size() >= 3 && m_s.substr(0, 3) == "\xEF\xBB\xBF") {
      m_doc.set_bom(true);
      m_pos = 3;
    }
    skip_ws();
    if (failed()) {
      return m_error;
    }
    if (m_pos >= m_s.size()) {
      return fail(m_pos, "the file is empty: expected a JSON value");
    }
    const std::uint32_t root = parse_value(0);
    if (failed()) {
      return m_error;
    }
    skip_ws();
    if (failed()) {
      return m_error;
    }
    if (m_pos < m_s.size()) {
      return fail(m_pos, "unexpected text after the end of the JSON document");
    }
    m_doc.set_root(root);
    return std::nullopt;
  }

private:
  bool failed() const { return m_error.has_value(); }

  std::optional<ParseError> fail(std::size_t at, std::string message) {
    if (!m_error) {
      m_error = ParseError{static_cast<std::uint32_t>(at), std::move(message)};
    }
    return m_error;
  }

  void skip_ws() {
    while (m_pos < m_s.size()) {
      const char c = m_s[m_pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++m_pos;
      } else if (c == '/' && m_pos + 1 < m_s.size()
                 && (m_s[m_pos + 1] == '/' || m_s[m_pos + 1] == '*')) {
        fail(m_pos, "comments are not allowed in JSON");
        return;
      } else {
        return;
      }
    }
  }

  std::string describe_here() const {
    if (m_pos >= m_s.size()) {
      return "the end of the file";
    }
    const unsigned char c = static_cast<unsigned char>(m_s[m_pos]);
    if (c >= 0x20 && c < 0x7F) {
      return fmt::format("'{}'", static_cast<char>(c));
    }
    return fmt::format("byte 0x{:02X}", c);
  }

  std::uint32_t add_node(Node n) {
    m_doc.nodes().push_back(n);
    return static_cast<std::uint32_t>(m_doc.nodes().size() - 1);
  }

  std::uint32_t parse_value(std::size_t depth) {
    skip_ws();
    if (failed()) {
      return 0;
    }
    if (m_pos >= m_s.size()) {
      fail(m_pos, "unexpected end of the file: expected a value");
      return 0;
    }
    const char c = m_s[m_pos];
    switch (c) {
    case '{':
      return parse_object(depth + 1);
    case '[':
      return parse_array(depth + 1);
    case '"': {
      Node n;
      n.kind = NodeKind::string;
      n.offset = static_cast<std::uint32_t>(m_pos);
      std::string_view sv;
      if (!parse_string(sv)) {
        return 0;
      }
      n.data = sv.data();
      n.a = static_cast<std::uint32_t>(sv.size());
      return add_node(n);
    }
    case 't':
      return parse_literal("true", NodeKind::boolean, kFlagTrue);
    case 'f':
      return parse_literal("false", NodeKind::boolean, 0);
    case 'n':
      return parse_literal("null", NodeKind::null, 0);
    case '\'':
      fail(m_pos, "strings must use double quotes in JSON, not single quotes");
      return 0;
    default:
      if (c == '-' || (c >= '0' && c <= '9')) {
        return parse_number();
      }
      fail(m_pos, fmt::format("expected a value, found {}", describe_here()));
      return 0;
    }
  }

  std::uint32_t parse_literal(std::string_view word, NodeKind kind, std::uint8_t flags) {
    if (m_s.substr(m_pos, word.size()) != word) {
      fail(m_pos, fmt::format("expected a value, found {}", describe_here()));
      return 0;
    }
    Node n;
    n.kind = kind;
    n.flags = flags;
    n.offset = static_cast<std::uint32_t>(m_pos);
    m_pos += word.size();
    return add_node(n);
  }

  std::uint32_t parse_number() {
    const std::size_t start = m_pos;
    bool integer = true;
    if (m_s[m_pos] == '-') {
      ++m_pos;
    }
    auto digits = [&] {
      const std::size_t from = m_pos;
      while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') {
        ++m_pos;
      }
      return m_pos - from;
    };
    if (m_pos < m_s.size() && m_s[m_pos] == '0') {
      ++m_pos;
      if (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') {
        fail(start, "numbers must not have leading zeros in JSON");
        return 0;
      }
    } else if (digits() == 0) {
      fail(start, "invalid number: expected a digit");
      return 0;
    }
    if (m_pos < m_s.size() && m_s[m_pos] == '.') {
      integer = false;
      ++m_pos;
      if (digits() == 0) {
        fail(m_pos, "invalid number: expected a digit after the decimal point");
        return 0;
      }
    }
    if (m_pos < m_s.size() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
      integer = false;
      ++m_pos;
      if (m_pos < m_s.size() && (m_s[m_pos] == '+' || m_s[m_pos] == '-')) {
        ++m_pos;
      }
      if (digits() == 0) {
        fail(m_pos, "invalid number: expected a digit in the exponent");
        return 0;
      }
    }
    Node n;
    n.kind = NodeKind::number;
    n.flags = integer ? kFlagInteger : 0;
    n.offset = static_cast<std::uint32_t>(start);
    n.data = m_s.data() + start;
    n.a = static_cast<std::uint32_t>(m_pos - start);
    return add_node(n);
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(std::size_t at, std::uint32_t& out) {
    if (at + 4 > m_s.size()) {
      return false;
    }
    out = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
      const char c = m_s[i];
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // Length of the valid UTF-8 sequence at `i`, or 0.
  std::size_t utf8_len(std::size_t i) const {
    const auto b0 = static_cast<unsigned char>(m_s[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + len > m_s.size()) {
      return 0;
    }
    std::uint32_t cp = b0 & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(m_s[i + k]);
      if ((b & 0xC0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    return len;
  }

  // On entry m_pos is at the opening quote; on success it is past the closing quote.
  bool parse_string(std::string_view& out) {
    const std::size_t open = m_pos;
    ++m_pos;
    const std::size_t start = m_pos;
    std::string decoded;
    bool escaped = false;
    while (true) {
      if (m_pos >= m_s.size()) {
        fail(open, "unterminated string: no closing '\"'");
        return false;
      }
      const auto c = static_cast<unsigned char>(m_s[m_pos]);
      if (c == '"') {
        break;
      }
      if (c < 0x20) {
        fail(m_pos,
             c == '\n' ? "unterminated string: a line break inside a string must be written \\n"
                       : "control character inside a string: escape it");
        return false;
      }
      if (c == '\\') {
        if (!escaped) {
          decoded.assign(m_s.data() + start, m_pos - start);
          escaped = true;
        }
        if (m_pos + 1 >= m_s.size()) {
          fail(open, "unterminated string: no closing '\"'");
          return false;
        }
        const char e = m_s[m_pos + 1];
        const char* simple = nullptr;
        switch (e) {
        case '"':
          simple = "\"";
          break;
        case '\\':
          simple = "\\";
          break;
        case '/':
          simple = "/";
          break;
        case 'b':
          simple = "\b";
          break;
        case 'f':
          simple = "\f";
          break;
        case 'n':
          simple = "\n";
          break;
        case 'r':
          simple = "\r";
          break;
        case 't':
          simple = "\t";
          break;
        case 'u':
          break;
        default:
          fail(m_pos, fmt::format("invalid escape '\\{}' in a string", e));
          return false;
        }
        if (simple) {
          decoded += simple;
          m_pos += 2;
          continue;
        }
        std::uint32_t cp = 0;
        if (!hex4(m_pos + 2, cp)) {
          fail(m_pos, "invalid \\u escape: expected four hex digits");
          return false;
        }
        m_pos += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (m_pos + 1 < m_s.size() && m_s[m_pos] == '\\' && m_s[m_pos + 1] == 'u'
              && hex4(m_pos + 2, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            m_pos += 6;
          } else {
            cp = 0xFFFD; // a lone surrogate: Go's decoder substitutes U+FFFD too
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        append_utf8(decoded, cp);
        continue;
      }
      std::size_t len = 1;
      if (c >= 0x80) {
        len = utf8_len(m_pos);
        if (len == 0) {
          fail(m_pos, "invalid UTF-8 in a string");
          return false;
        }
      }
      if (escaped) {
        decoded.append(m_s.data() + m_pos, len);
      }
      m_pos += len;
    }
    if (escaped) {
      const std::size_t size = decoded.size();
      out = std::string_view(m_doc.own(decoded), size);
    } else {
      out = std::string_view(m_s.data() + start, m_pos - start);
    }
    ++m_pos; // closing quote
    return true;
  }

  std::uint32_t open_container(NodeKind kind, std::size_t depth) {
    if (depth > kMaxLintDepth) {
      fail(m_pos, fmt::format("nesting deeper than {} levels", kMaxLintDepth));
      return 0;
    }
    Node n;
    n.kind = kind;
    n.offset = static_cast<std::uint32_t>(m_pos);
    ++m_pos;
    return add_node(n);
  }

  std::uint32_t parse_array(std::size_t depth) {
    const std::size_t open = m_pos;
    const std::uint32_t self = open_container(NodeKind::array, depth);
    if (failed()) {
      return 0;
    }
    const std::size_t mark = m_item_scratch.size();
    skip_ws();
    if (!failed() && m_pos < m_s.size() && m_s[m_pos] == ']') {
      ++m_pos;
    } else {
      while (!failed()) {
        const std::uint32_t child = parse_value(depth);
        if (failed()) {
          break;
        }
        m_item_scratch.push_back(child);
        skip_ws();
        if (failed()) {
          break;
        }
        if (m_pos >= m_s.size()) {
          fail(open, "unexpected end of the file: this array is not closed with ']'");
          break;
        }
        if (m_s[m_pos] == ',') {
          const std::size_t comma = m_pos;
          ++m_pos;
          skip_ws();
          if (!failed() && m_pos < m_s.size() && m_s[m_pos] == ']') {
            fail(comma, "trailing comma before ']' is not allowed in JSON");
          }
          continue;
        }
        if (m_s[m_pos] == ']') {
          ++m_pos;
          break;
        }
        fail(m_pos,
             fmt::format("expected ',' or ']' after an array item, found {}", describe_here()));
      }
    }
    if (failed()) {
      m_item_scratch.resize(mark);
      return 0;
    }
    auto& items = m_doc.items_store();
    Node& n = m_doc.nodes()[self];
    n.a = static_cast<std::uint32_t>(items.size());
    n.b = static_cast<std::uint32_t>(m_item_scratch.size() - mark);
    items.insert(items.end(),
                 m_item_scratch.begin() + static_cast<std::ptrdiff_t>(mark),
                 m_item_scratch.end());
    m_item_scratch.resize(mark);
    return self;
  }

  std::uint32_t parse_object(std::size_t depth) {
    const std::size_t open = m_pos;
    const std::uint32_t self = open_container(NodeKind::object, depth);
    if (failed()) {
      return 0;
    }
    const std::size_t mark = m_member_scratch.size();
    skip_ws();
    if (!failed() && m_pos < m_s.size() && m_s[m_pos] == '}') {
      ++m_pos;
    } else {
      while (!failed()) {
        skip_ws();
        if (failed()) {
          break;
        }
        if (m_pos >= m_s.size()) {
          fail(open, "unexpected end of the file: this object is not closed with '}'");
          break;
        }
        if (m_s[m_pos] != '"') {
          fail(m_pos,
               m_s[m_pos] == '\''
                   ? std::string("keys must use double quotes in JSON, not single quotes")
                   : fmt::format("expected a quoted key, found {}", describe_here()));
          break;
        }
        Member m;
        m.key_offset = static_cast<std::uint32_t>(m_pos);
        std::string_view key;
        if (!parse_string(key)) {
          break;
        }
        m.key = key.data();
        m.key_size = static_cast<std::uint32_t>(key.size());
        skip_ws();
        if (failed()) {
          break;
        }
        if (m_pos >= m_s.size() || m_s[m_pos] != ':') {
          fail(m_pos, fmt::format("expected ':' after the key, found {}", describe_here()));
          break;
        }
        ++m_pos;
        m.value = parse_value(depth);
        if (failed()) {
          break;
        }
        m_member_scratch.push_back(m);
        skip_ws();
        if (failed()) {
          break;
        }
        if (m_pos >= m_s.size()) {
          fail(open, "unexpected end of the file: this object is not closed with '}'");
          break;
        }
        if (m_s[m_pos] == ',') {
          const std::size_t comma = m_pos;
          ++m_pos;
          skip_ws();
          if (!failed() && m_pos < m_s.size() && m_s[m_pos] == '}') {
            fail(comma, "trailing comma before '}' is not allowed in JSON");
          }
          continue;
        }
        if (m_s[m_pos] == '}') {
          ++m_pos;
          break;
        }
        fail(m_pos,
             fmt::format("expected ',' or '}}' after an object member, found {}", describe_here()));
      }
    }
    if (failed()) {
      m_member_scratch.resize(mark);
      return 0;
    }
    auto& members = m_doc.members_store();
    const auto first = static_cast<std::uint32_t>(members.size());
    const auto count = static_cast<std::uint32_t>(m_member_scratch.size() - mark);
    Node& n = m_doc.nodes()[self];
    n.a = first;
    n.b = count;
    members.insert(members.end(),
                   m_member_scratch.begin() + static_cast<std::ptrdiff_t>(mark),
                   m_member_scratch.end());
    m_member_scratch.resize(mark);
    find_duplicates(m_doc, self);
    return self;
  }

public:
  static void find_duplicates(Document& doc, std::uint32_t object) {
    const Node& n = doc.nodes()[object];
    const auto& ms = doc.members_store();
    if (n.b < 2) {
      return;
    }
    if (n.b <= 16) {
      for (std::uint32_t i = 1; i < n.b; ++i) {
        for (std::uint32_t j = 0; j < i; ++j) {
          if (ms[n.a + i].key_view() == ms[n.a + j].key_view()) {
            doc.duplicates_store().push_back({object, n.a + j, n.a + i});
            break;
          }
        }
      }
      return;
    }
    std::unordered_map<std::string_view, std::uint32_t> seen;
    seen.reserve(n.b);
    for (std::uint32_t i = 0; i < n.b; ++i) {
      auto [it, inserted] = seen.emplace(ms[n.a + i].key_view(), n.a + i);
      if (!inserted) {
        doc.duplicates_store().push_back({object, it->second, n.a + i});
      }
    }
  }

private:
  Document& m_doc;
  std::string_view m_s;
  std::size_t m_pos = 0;
  std::optional<ParseError> m_error;
  std::vector<std::uint32_t> m_item_scratch;
  std::vector<Member> m_member_scratch;
};

} // namespace

void record_duplicate_keys(Document& doc, std::uint32_t object) {
  JsonReader::find_duplicates(doc, object);
}

ParseOutcome parse_json(std::string text) {
  ParseOutcome out;
  out.doc = std::make_unique<Document>(std::move(text), SourceFormat::json);
  out.doc->nodes().reserve(out.doc->text().size() / 16 + 16);
  JsonReader reader(*out.doc);
  out.error = reader.run();
  return out;
}

} // namespace tollgate::core::lint
