#pragma once

// The one document model lint rules are written against: a read-only tree built from JSON or YAML,
// where every value and every object key remembers the byte offset it starts at, so a finding can
// name its line and column (1-based, columns counting bytes). Nodes are small PODs in flat arrays;
// strings point into the source text unless they needed unescaping.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::lint {

enum class SourceFormat { json, yaml };

enum class NodeKind : std::uint8_t { null, boolean, number, string, array, object };

struct Node {
  NodeKind kind = NodeKind::null;
  std::uint8_t flags = 0;
  std::uint32_t offset = 0; // byte offset of the value's first character
  std::uint32_t a = 0;      // string/number: text size; array/object: first item/member index
  std::uint32_t b = 0;      // array/object: item/member count
  const char* data = nullptr;
};
inline constexpr std::uint8_t kFlagTrue = 1;    // boolean value
inline constexpr std::uint8_t kFlagInteger = 2; // number without fraction or exponent
inline constexpr std::uint8_t kFlagQuoted = 4;  // YAML scalar that was quoted or a block scalar

struct Member {
  const char* key = nullptr;
  std::uint32_t key_size = 0;
  std::uint32_t key_offset = 0; // byte offset of the key's first character (a quote for "k")
  std::uint32_t value = 0;      // node index
  std::string_view key_view() const { return {key, key_size}; }
};

// 1-based line and column; `column` counts bytes, `column_utf16` UTF-16 code units (SARIF).
struct Position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::uint32_t column_utf16 = 1;
};

// A key that appears twice in one object: the later one wins in every gateway's reader.
struct DuplicateKey {
  std::uint32_t object = 0; // node index of the object
  std::uint32_t first = 0;  // member index of the first occurrence
  std::uint32_t later = 0;  // member index of the later occurrence
};

class Document;

// A cheap handle on one node; a default-constructed Value is "absent" and every accessor on it
// answers as for a missing value (false, empty, 0), so lookups chain without checks.
class Value {
public:
  Value() = default;
  Value(const Document* doc, std::uint32_t index) : m_doc(doc), m_index(index) {}

  explicit operator bool() const { return m_doc != nullptr; }
  const Document* document() const { return m_doc; }
  std::uint32_t index() const { return m_index; }
  NodeKind kind() const;
  bool is_null() const { return m_doc && kind() == NodeKind::null; }
  bool is_bool() const { return m_doc && kind() == NodeKind::boolean; }
  bool is_number() const { return m_doc && kind() == NodeKind::number; }
  bool is_integer() const;
  bool is_string() const { return m_doc && kind() == NodeKind::string; }
  bool is_array() const { return m_doc && kind() == NodeKind::array; }
  bool is_object() const { return m_doc && kind() == NodeKind::object; }

  // String content (unescaped); for numbers the literal text. Empty for other kinds.
  std::string_view str() const;
  bool boolean() const;
  bool is_true() const { return is_bool() && boolean(); }
  double number() const;

  std::size_t size() const; // items or members; 0 for scalars
  Value at(std::size_t i) const;
  // The value of `key` (the last occurrence when a key repeats, as the gateways read it).
  Value get(std::string_view key) const;
  const Member* member(std::string_view key) const;
  std::span<const Member> members() const;

  std::uint32_t offset() const;

private:
  const Node& node() const;
  const Document* m_doc = nullptr;
  std::uint32_t m_index = 0;
};

class Document {
public:
  Document(std::string text, SourceFormat format);
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  SourceFormat format() const { return m_format; }
  std::string_view text() const { return m_text; }
  bool has_bom() const { return m_bom; }
  Value root() const { return m_nodes.empty() ? Value() : Value(this, m_root); }
  Value value(std::uint32_t index) const { return Value(this, index); }

  // Line and column of a byte offset. A leading UTF-8 byte order mark is not part of line 1.
  Position position(std::uint32_t offset) const;
  std::size_t line_count() const;
  // The text of a 1-based line without its line break.
  std::string_view line_text(std::uint32_t line) const;

  // The RFC 6901 pointer of a node along the first path that reaches it (aliases share nodes).
  std::string pointer_of(std::uint32_t node) const;
  const std::vector<DuplicateKey>& duplicates() const { return m_duplicates; }

  // --- building (the readers only) ---
  std::vector<Node>& nodes() { return m_nodes; }
  std::vector<Member>& members_store() { return m_members; }
  std::vector<std::uint32_t>& items_store() { return m_items; }
  std::vector<DuplicateKey>& duplicates_store() { return m_duplicates; }
  void set_root(std::uint32_t index) { m_root = index; }
  void set_bom(bool bom) { m_bom = bom; }
  // Copy bytes into the document's arena and return a stable pointer to the copy.
  const char* own(std::string_view s);

  const std::vector<Node>& node_list() const { return m_nodes; }
  const std::vector<Member>& member_list() const { return m_members; }
  const std::vector<std::uint32_t>& item_list() const { return m_items; }

private:
  void index_lines() const;
  void index_parents() const;

  std::string m_text;
  SourceFormat m_format;
  bool m_bom = false;
  std::uint32_t m_root = 0;
  std::vector<Node> m_nodes;
  std::vector<Member> m_members;
  std::vector<std::uint32_t> m_items;
  std::vector<DuplicateKey> m_duplicates;
  std::vector<std::unique_ptr<char[]>> m_arena;
  std::size_t m_arena_left = 0;
  char* m_arena_next = nullptr;
  mutable std::vector<std::uint32_t> m_line_starts;
  // Built on first use by pointer_of: parent node and the member/item slot in it.
  mutable std::vector<std::uint32_t> m_parent;
  mutable std::vector<std::uint32_t> m_slot;
};

// RFC 6901: "~" becomes "~0" and "/" becomes "~1".
std::string pointer_escape(std::string_view key);
std::string pointer_join(std::string_view base, std::string_view key);
std::string pointer_join(std::string_view base, std::size_t index);
// Resolve a pointer against a document; absent Value when a step does not exist or the pointer
// is malformed.
Value resolve_pointer(const Document& doc, std::string_view pointer);

// Where a reader gave up: byte offset and a one-line reason.
struct ParseError {
  std::uint32_t offset = 0;
  std::string message;
};

// A parsed document, or the reason it could not be parsed. `doc` is always set: after an error it
// holds the text (for positions) and a partial tree that must not be linted.
struct ParseOutcome {
  std::unique_ptr<Document> doc;
  std::optional<ParseError> error;
};

// Strict RFC 8259 JSON (UTF-8, no comments, no trailing commas); duplicate keys are recorded, not
// refused. A leading byte order mark is accepted and recorded.
ParseOutcome parse_json(std::string text);
// YAML 1.2 core-schema scalars over libyaml events: anchors and aliases, `<<` merge keys, block and
// flow collections. Only the first document is read.
ParseOutcome parse_yaml(std::string text);

// Record the repeated keys of a finished object (used by both readers).
void record_duplicate_keys(Document& doc, std::uint32_t object);

// Maximum nesting of containers either reader accepts.
inline constexpr std::size_t kMaxLintDepth = 256;

} // namespace tollgate::core::lint
