// YAML into the lint document model over libyaml's event parser (no libyaml document tree, so
// memory stays close to the size of our own flat nodes). libyaml counts marks in characters;
// the model keeps byte offsets, so marks are mapped back to bytes here.
#include "core/lint/document.hpp"

#include <fmt/format.h>
#include <yaml.h>

#include <cstring>
#include <string>
#include <unordered_map>

namespace tollgate::core::lint {

namespace {

// Maps libyaml's character index (BOM excluded, CRLF counted as two) to a byte offset. Events
// arrive in increasing order, so a forward cursor makes the whole walk linear.
class OffsetMapper {
public:
  OffsetMapper(std::string_view s, std::size_t base) : m_s(s), m_base(base), m_byte(base) {
    m_ascii = true;
    for (char c : s) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        m_ascii = false;
        break;
      }
    }
  }
  std::uint32_t map(std::size_t index) {
    if (m_ascii) {
      return static_cast<std::uint32_t>(std::min(m_base + index, m_s.size()));
    }
    if (index < m_char) {
      m_char = 0;
      m_byte = m_base;
    }
    while (m_char < index && m_byte < m_s.size()) {
      const auto c = static_cast<unsigned char>(m_s[m_byte]);
      m_byte += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      ++m_char;
    }
    return static_cast<std::uint32_t>(std::min(m_byte, m_s.size()));
  }

private:
  std::string_view m_s;
  std::size_t m_base;
  bool m_ascii;
  std::size_t m_char = 0;
  std::size_t m_byte;
};

struct Frame {
  NodeKind kind = NodeKind::array;
  std::uint32_t node = 0;
  std::size_t mark = 0; // scratch position where this container's children start
  bool want_key = true;
  bool merge = false; // the pending key is a `<<` merge key
  Member pending;
  std::string anchor;
  std::vector<std::uint32_t> merges; // `<<` sources, in order
};

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) {
      return false;
    }
  }
  return true;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  std::size_t int_digits = 0;
  while (i < s.size() && is_digit(s[i])) {
    ++i;
    ++int_digits;
  }
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    std::size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  return i == s.size();
}

class YamlReader {
public:
  explicit YamlReader(Document& doc) : m_doc(doc), m_s(doc.text()), m_map(m_s, base_of(m_s)) {}
  ~YamlReader() {
    if (m_initialized) {
      yaml_parser_delete(&m_parser);
    }
  }

  std::optional<ParseError> run() {
    if (m_s.size() >= 2
        && ((m_s[0] == '\xFE' && m_s[1] == '\xFF') || (m_s[0] == '\xFF' && m_s[1] == '\xFE'))) {
      return ParseError{0, "the file is UTF-16: save it as UTF-8"};
    }
    m_doc.set_bom(base_of(m_s) == 3);
    if (!yaml_parser_initialize(&m_parser)) {
      return ParseError{0, "out of memory starting the YAML parser"};
    }
    m_initialized = true;
    yaml_parser_set_input_string(
        &m_parser, reinterpret_cast<const unsigned char*>(m_s.data()), m_s.size());
    bool seen_document = false;
    bool have_root = false;
    while (true) {
      yaml_event_t ev;
      if (!yaml_parser_parse(&m_parser, &ev)) {
        return parser_error();
      }
      const yaml_event_type_t type = ev.type;
      std::optional<ParseError> err;
      switch (type) {
      case YAML_DOCUMENT_START_EVENT:
        if (seen_document) {
          yaml_event_delete(&ev);
          return finish(have_root); // only the first document is read, as the gateways do
        }
        seen_document = true;
        break;
      case YAML_SCALAR_EVENT:
        err = on_scalar(ev, have_root);
        break;
      case YAML_ALIAS_EVENT:
        err = on_alias(ev, have_root);
        break;
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        err = on_start(ev);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        err = on_end(have_root);
        break;
      default:
        break;
      }
      yaml_event_delete(&ev);
      if (err) {
        return err;
      }
      if (type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT) {
        return finish(have_root);
      }
    }
  }

private:
  static std::size_t base_of(std::string_view s) {
    return s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  }

  std::optional<ParseError> finish(bool have_root) {
    if (!have_root) {
      // An empty document is a null root.
      Node n;
      m_doc.set_root(add_node(n));
    }
    return std::nullopt;
  }

  std::string where(const yaml_mark_t& mark) {
    const Position p = m_doc.position(m_map.map(mark.index));
    return fmt::format("line {} column {}", p.line, p.column);
  }

  ParseError parser_error() {
    const std::string problem = m_parser.problem ? m_parser.problem : "invalid YAML";
    if (m_parser.error == YAML_READER_ERROR) {
      // Reader errors carry a raw byte offset, not a mark.
      return {static_cast<std::uint32_t>(std::min(m_parser.problem_offset, m_s.size())),
              fmt::format("{} in the YAML input", problem)};
    }
    std::string message = problem;
    if (m_parser.context) {
      message +=
          fmt::format(" ({} that starts at {})", m_parser.context, where(m_parser.context_mark));
    }
    return {m_map.map(m_parser.problem_mark.index), message};
  }

  std::uint32_t add_node(const Node& n) {
    m_doc.nodes().push_back(n);
    return static_cast<std::uint32_t>(m_doc.nodes().size() - 1);
  }

  // A stable pointer to the scalar's bytes: into the source when the text is there verbatim
  // (most plain scalars), otherwise a copy in the document's arena.
  const char* keep(const unsigned char* value, std::size_t len, std::uint32_t at) {
    const char* v = reinterpret_cast<const char*>(value);
    if (at + len <= m_s.size() && std::memcmp(m_s.data() + at, v, len) == 0) {
      return m_s.data() + at;
    }
    return m_doc.own(std::string_view(v, len));
  }

  void set_text(Node& n, std::string_view text) {
    n.data = m_doc.own(text);
    n.a = static_cast<std::uint32_t>(text.size());
  }

  void resolve_plain(Node& n, std::string_view v) {
    if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") {
      n.kind = NodeKind::null;
    } else if (v == "true" || v == "True" || v == "TRUE") {
      n.kind = NodeKind::boolean;
      n.flags = kFlagTrue;
    } else if (v == "false" || v == "False" || v == "FALSE") {
      n.kind = NodeKind::boolean;
    } else if ((v.size() > 1 && (v[0] == '-' || v[0] == '+') && all_of(v.substr(1), is_digit))
               || all_of(v, is_digit)) {
      n.kind = NodeKind::number;
      n.flags = kFlagInteger;
    } else if (v.size() > 2 && v[0] == '0' && v[1] == 'o' && all_of(v.substr(2), is_octal)) {
      n.kind = NodeKind::number;
      n.flags = kFlagInteger;
      set_text(n, std::to_string(std::stoull(std::string(v.substr(2)), nullptr, 8)));
    } else if (v.size() > 2 && v[0] == '0' && v[1] == 'x' && all_of(v.substr(2), is_hex)) {
      n.kind = NodeKind::number;
      n.flags = kFlagInteger;
      set_text(n, std::to_string(std::stoull(std::string(v.substr(2)), nullptr, 16)));
    } else if (is_core_float(v)) {
      n.kind = NodeKind::number;
    } else if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf") {
      n.kind = NodeKind::number;
      set_text(n, "inf");
    } else if (v == "-.inf" || v == "-.Inf" || v == "-.INF") {
      n.kind = NodeKind::number;
      set_text(n, "-inf");
    } else if (v == ".nan" || v == ".NaN" || v == ".NAN") {
      n.kind = NodeKind::number;
      set_text(n, "nan");
    }
  }

  Node scalar_node(const yaml_event_t& ev) {
    const auto& sc = ev.data.scalar;
    Node n;
    n.offset = m_map.map(ev.start_mark.index);
    n.kind = NodeKind::string;
    n.data = keep(sc.value, sc.length, n.offset);
    n.a = static_cast<std::uint32_t>(sc.length);
    const std::string_view v(n.data, n.a);
    const std::string_view tag = sc.tag ? reinterpret_cast<const char*>(sc.tag) : "";
    const bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE;
    if (!plain) {
      n.flags = kFlagQuoted;
    }
    if (tag == "tag:yaml.org,2002:str" || tag == "!") {
      return n;
    }
    if (plain || tag.substr(0, 18) == "tag:yaml.org,2002:") {
      const char* data = n.data;
      const std::uint32_t size = n.a;
      resolve_plain(n, v);
      if (n.kind == NodeKind::string) {
        n.data = data;
        n.a = size;
      }
    }
    return n;
  }

  std::optional<ParseError> add_value(std::uint32_t node, bool& have_root) {
    if (m_stack.empty()) {
      m_doc.set_root(node);
      have_root = true;
      return std::nullopt;
    }
    Frame& top = m_stack.back();
    if (top.kind == NodeKind::array) {
      m_items.push_back(node);
      return std::nullopt;
    }
    if (top.want_key) {
      const Node& k = m_doc.nodes()[node];
      if (k.kind == NodeKind::array || k.kind == NodeKind::object) {
        return ParseError{k.offset, "a mapping or sequence used as a key is not supported"};
      }
      top.pending = Member{};
      top.pending.key_offset = k.offset;
      if (k.kind == NodeKind::string || k.kind == NodeKind::number) {
        top.pending.key = k.data;
        top.pending.key_size = k.a;
      } else {
        // null/true/false keys: keep the text as written
        const std::string_view text = k.kind == NodeKind::null ? "null"
                                      : (k.flags & kFlagTrue)  ? "true"
                                                               : "false";
        top.pending.key = m_doc.own(text);
        top.pending.key_size = static_cast<std::uint32_t>(text.size());
      }
      top.pending.value = UINT32_MAX;
      // `<<` written plain is a merge key (YAML 1.1 merge, supported by the loaders in use).
      top.merge =
          k.kind == NodeKind::string && !(k.flags & kFlagQuoted) && top.pending.key_view() == "<<";
      top.want_key = false;
      return std::nullopt;
    }
    top.want_key = true;
    if (top.merge) {
      top.merge = false;
      const Node& src = m_doc.nodes()[node];
      if (src.kind == NodeKind::object) {
        top.merges.push_back(node);
        return std::nullopt;
      }
      if (src.kind == NodeKind::array) {
        for (std::uint32_t i = 0; i < src.b; ++i) {
          const std::uint32_t item = m_doc.items_store()[src.a + i];
          if (m_doc.nodes()[item].kind != NodeKind::object) {
            return ParseError{m_doc.nodes()[item].offset,
                              "a '<<' merge list may only hold mappings"};
          }
          top.merges.push_back(item);
        }
        return std::nullopt;
      }
      return ParseError{src.offset, "a '<<' merge key needs a mapping or a list of mappings"};
    }
    top.pending.value = node;
    m_members.push_back(top.pending);
    return std::nullopt;
  }

  std::optional<ParseError> on_scalar(const yaml_event_t& ev, bool& have_root) {
    if (!m_stack.empty() && m_stack.back().kind == NodeKind::object && m_stack.back().want_key
        && !ev.data.scalar.anchor) {
      // A key: no node needed, only its text and offset (keys are strings as written).
      Frame& top = m_stack.back();
      const auto& sc = ev.data.scalar;
      top.pending = Member{};
      top.pending.key_offset = m_map.map(ev.start_mark.index);
      top.pending.key = keep(sc.value, sc.length, top.pending.key_offset);
      top.pending.key_size = static_cast<std::uint32_t>(sc.length);
      top.pending.value = UINT32_MAX;
      top.merge = sc.style == YAML_PLAIN_SCALAR_STYLE && top.pending.key_view() == "<<";
      top.want_key = false;
      return std::nullopt;
    }
    const std::uint32_t node = add_node(scalar_node(ev));
    if (ev.data.scalar.anchor) {
      m_anchors[reinterpret_cast<const char*>(ev.data.scalar.anchor)] = node;
    }
    return add_value(node, have_root);
  }

  std::optional<ParseError> on_alias(const yaml_event_t& ev, bool& have_root) {
    const std::string name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    auto it = m_anchors.find(name);
    if (it == m_anchors.end()) {
      return ParseError{m_map.map(ev.start_mark.index),
                        fmt::format("unknown alias *{} (no anchor &{} before it)", name, name)};
    }
    return add_value(it->second, have_root);
  }

  std::optional<ParseError> on_start(const yaml_event_t& ev) {
    if (m_stack.size() >= kMaxLintDepth) {
      return ParseError{m_map.map(ev.start_mark.index),
                        fmt::format("nesting deeper than {} levels", kMaxLintDepth)};
    }
    if (!m_stack.empty() && m_stack.back().kind == NodeKind::object && m_stack.back().want_key) {
      return ParseError{m_map.map(ev.start_mark.index),
                        "a mapping or sequence used as a key is not supported"};
    }
    Frame f;
    const bool mapping = ev.type == YAML_MAPPING_START_EVENT;
    f.kind = mapping ? NodeKind::object : NodeKind::array;
    Node n;
    n.kind = f.kind;
    n.offset = m_map.map(ev.start_mark.index);
    f.node = add_node(n);
    f.mark = mapping ? m_members.size() : m_items.size();
    const unsigned char* anchor =
        mapping ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
    if (anchor) {
      f.anchor = reinterpret_cast<const char*>(anchor);
    }
    m_stack.push_back(std::move(f));
    return std::nullopt;
  }

  std::optional<ParseError> on_end(bool& have_root) {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    if (f.kind == NodeKind::array) {
      auto& items = m_doc.items_store();
      Node& n = m_doc.nodes()[f.node];
      n.a = static_cast<std::uint32_t>(items.size());
      n.b = static_cast<std::uint32_t>(m_items.size() - f.mark);
      items.insert(
          items.end(), m_items.begin() + static_cast<std::ptrdiff_t>(f.mark), m_items.end());
      m_items.resize(f.mark);
    } else {
      auto& members = m_doc.members_store();
      const auto first = static_cast<std::uint32_t>(members.size());
      const auto explicit_count = static_cast<std::uint32_t>(m_members.size() - f.mark);
      members.insert(
          members.end(), m_members.begin() + static_cast<std::ptrdiff_t>(f.mark), m_members.end());
      m_members.resize(f.mark);
      {
        Node& n = m_doc.nodes()[f.node];
        n.a = first;
        n.b = explicit_count;
      }
      record_duplicate_keys(m_doc, f.node);
      // Merged keys never override explicit ones; earlier merge sources win over later ones.
      for (std::uint32_t src : f.merges) {
        const Node s = m_doc.nodes()[src];
        for (std::uint32_t i = 0; i < s.b; ++i) {
          const Member m = members[s.a + i];
          bool present = false;
          for (std::uint32_t k = first; k < members.size(); ++k) {
            if (members[k].key_view() == m.key_view()) {
              present = true;
              break;
            }
          }
          if (!present) {
            members.push_back(m);
          }
        }
      }
      m_doc.nodes()[f.node].b = static_cast<std::uint32_t>(members.size() - first);
    }
    if (!f.anchor.empty()) {
      m_anchors[f.anchor] = f.node;
    }
    return add_value(f.node, have_root);
  }

  Document& m_doc;
  std::string_view m_s;
  OffsetMapper m_map;
  yaml_parser_t m_parser{};
  std::vector<Frame> m_stack;
  std::vector<std::uint32_t> m_items;
  std::vector<Member> m_members;
  std::unordered_map<std::string, std::uint32_t> m_anchors;
  bool m_initialized = false;
};

} // namespace

ParseOutcome parse_yaml(std::string text) {
  ParseOutcome out;
  out.doc = std::make_unique<Document>(std::move(text), SourceFormat::yaml);
  out.doc->nodes().reserve(out.doc->text().size() / 24 + 16);
  YamlReader reader(*out.doc);
  out.error = reader.run();
  return out;
}

} // namespace tollgate::core::lint
