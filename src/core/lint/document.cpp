#include "core/lint/document.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace tollgate::core::lint {

namespace {
const Node kNullNode{};
} // namespace

const Node& Value::node() const {
  if (m_doc == nullptr) {
    return kNullNode;
  }
  return m_doc->node_list()[m_index];
}

NodeKind Value::kind() const {
  return node().kind;
}

bool Value::is_integer() const {
  return is_number() && (node().flags & kFlagInteger) != 0;
}

std::string_view Value::str() const {
  const Node& n = node();
  if (n.kind != NodeKind::string && n.kind != NodeKind::number) {
    return {};
  }
  return {n.data, n.a};
}

bool Value::boolean() const {
  return node().kind == NodeKind::boolean && (node().flags & kFlagTrue);
}

double Value::number() const {
  const Node& n = node();
  if (n.kind != NodeKind::number) {
    return 0;
  }
  // YAML hex and octal integers (0x1F, 0o17) are normalised by the YAML reader into decimal text.
  std::string tmp(n.data, n.a);
  return std::strtod(tmp.c_str(), nullptr);
}

std::size_t Value::size() const {
  const Node& n = node();
  return (n.kind == NodeKind::array || n.kind == NodeKind::object) ? n.b : 0;
}

Value Value::at(std::size_t i) const {
  const Node& n = node();
  if (n.kind != NodeKind::array || i >= n.b) {
    return {};
  }
  return Value(m_doc, m_doc->item_list()[n.a + i]);
}

std::span<const Member> Value::members() const {
  const Node& n = node();
  if (n.kind != NodeKind::object) {
    return {};
  }
  return {m_doc->member_list().data() + n.a, n.b};
}

const Member* Value::member(std::string_view key) const {
  const auto ms = members();
  for (std::size_t i = ms.size(); i-- > 0;) {
    if (ms[i].key_view() == key) {
      return &ms[i];
    }
  }
  return nullptr;
}

Value Value::get(std::string_view key) const {
  const Member* m = member(key);
  return m ? Value(m_doc, m->value) : Value();
}

std::uint32_t Value::offset() const {
  return node().offset;
}

Document::Document(std::string text, SourceFormat format)
    : m_text(std::move(text)), m_format(format) {}

const char* Document::own(std::string_view s) {
  constexpr std::size_t kChunk = 64 * 1024;
  if (s.size() > m_arena_left) {
    const std::size_t size = std::max(kChunk, s.size());
    m_arena.push_back(std::make_unique<char[]>(size));
    m_arena_next = m_arena.back().get();
    m_arena_left = size;
  }
  char* out = m_arena_next;
  std::copy(s.begin(), s.end(), out);
  m_arena_next += s.size();
  m_arena_left -= s.size();
  return out;
}

void Document::index_lines() const {
  if (!m_line_starts.empty()) {
    return;
  }
  const std::string_view t = m_text;
  std::size_t start = m_bom ? 3 : 0;
  m_line_starts.push_back(static_cast<std::uint32_t>(start));
  for (std::size_t i = start; i < t.size(); ++i) {
    // A line ends at LF, CRLF or a lone CR.
    if (t[i] == '\n' || (t[i] == '\r' && (i + 1 >= t.size() || t[i + 1] != '\n'))) {
      m_line_starts.push_back(static_cast<std::uint32_t>(i + 1));
    }
  }
}

std::size_t Document::line_count() const {
  index_lines();
  return m_line_starts.size();
}

Position Document::position(std::uint32_t offset) const {
  index_lines();
  auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
  const std::size_t line = it == m_line_starts.begin() ? 0 : (it - m_line_starts.begin()) - 1;
  const std::uint32_t start = m_line_starts[line];
  Position p;
  p.line = static_cast<std::uint32_t>(line + 1);
  p.column = offset >= start ? offset - start + 1 : 1;
  std::uint32_t units = 0;
  for (std::uint32_t i = start; i < offset && i < m_text.size(); ++i) {
    const auto c = static_cast<unsigned char>(m_text[i]);
    if ((c & 0xC0) == 0x80) {
      continue; // continuation byte
    }
    units += c >= 0xF0 ? 2 : 1; // 4-byte sequences are surrogate pairs in UTF-16
  }
  p.column_utf16 = units + 1;
  return p;
}

std::string_view Document::line_text(std::uint32_t line) const {
  index_lines();
  if (line == 0 || line > m_line_starts.size()) {
    return {};
  }
  const std::size_t start = m_line_starts[line - 1];
  std::size_t end = line < m_line_starts.size() ? m_line_starts[line] : m_text.size();
  while (end > start && (m_text[end - 1] == '\n' || m_text[end - 1] == '\r')) {
    --end;
  }
  return std::string_view(m_text).substr(start, end - start);
}

void Document::index_parents() const {
  if (!m_parent.empty() || m_nodes.empty()) {
    return;
  }
  constexpr std::uint32_t kNone = UINT32_MAX;
  m_parent.assign(m_nodes.size(), kNone);
  m_slot.assign(m_nodes.size(), 0);
  for (std::uint32_t i = 0; i < m_nodes.size(); ++i) {
    const Node& n = m_nodes[i];
    for (std::uint32_t k = 0; n.kind == NodeKind::array && k < n.b; ++k) {
      const std::uint32_t child = m_items[n.a + k];
      if (m_parent[child] == kNone && child != m_root) {
        m_parent[child] = i;
        m_slot[child] = k;
      }
    }
    for (std::uint32_t k = 0; n.kind == NodeKind::object && k < n.b; ++k) {
      const std::uint32_t child = m_members[n.a + k].value;
      if (m_parent[child] == kNone && child != m_root) {
        m_parent[child] = i;
        m_slot[child] = n.a + k;
      }
    }
  }
}

std::string Document::pointer_of(std::uint32_t node) const {
  index_parents();
  std::vector<std::string> parts;
  std::uint32_t cur = node;
  std::size_t guard = 0;
  while (cur != m_root && cur < m_parent.size() && m_parent[cur] != UINT32_MAX
         && guard++ < m_nodes.size()) {
    const std::uint32_t parent = m_parent[cur];
    if (m_nodes[parent].kind == NodeKind::array) {
      parts.push_back(std::to_string(m_slot[cur]));
    } else {
      parts.push_back(pointer_escape(m_members[m_slot[cur]].key_view()));
    }
    cur = parent;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += '/';
    out += *it;
  }
  return out;
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_join(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  out += pointer_escape(key);
  return out;
}

std::string pointer_join(std::string_view base, std::size_t index) {
  std::string out(base);
  out += '/';
  out += std::to_string(index);
  return out;
}

Value resolve_pointer(const Document& doc, std::string_view pointer) {
  Value cur = doc.root();
  if (pointer.empty()) {
    return cur;
  }
  if (pointer.front() != '/') {
    return {};
  }
  std::size_t pos = 1;
  while (true) {
    const std::size_t end = std::min(pointer.find('/', pos), pointer.size());
    std::string token;
    for (std::size_t i = pos; i < end; ++i) {
      if (pointer[i] == '~') {
        if (i + 1 >= end || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
          return {};
        }
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    if (cur.is_object()) {
      cur = cur.get(token);
    } else if (cur.is_array()) {
      std::size_t idx = 0;
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), idx);
      if (ec != std::errc() || p != token.data() + token.size() || token.empty()
          || (token.size() > 1 && token[0] == '0')) {
        return {};
      }
      cur = cur.at(idx);
    } else {
      return {};
    }
    if (!cur || end == pointer.size()) {
      return cur;
    }
    pos = end + 1;
  }
}

} // namespace tollgate::core::lint
