// The lint document model: values, positions (1-based, columns in bytes), pointers, both readers.
#include "core/lint/document.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core::lint;

namespace {

std::unique_ptr<Document> json(std::string text) {
  auto out = parse_json(std::move(text));
  REQUIRE_MESSAGE(!out.error, (out.error ? out.error->message : ""));
  return std::move(out.doc);
}

std::unique_ptr<Document> yaml(std::string text) {
  auto out = parse_yaml(std::move(text));
  REQUIRE_MESSAGE(!out.error, (out.error ? out.error->message : ""));
  return std::move(out.doc);
}

// Line and column of the value at `pointer`.
Position at(const Document& d, std::string_view pointer) {
  const Value v = resolve_pointer(d, pointer);
  REQUIRE_MESSAGE(static_cast<bool>(v), pointer);
  return d.position(v.offset());
}

std::pair<std::uint32_t, std::uint32_t> lc(Position p) {
  return {p.line, p.column};
}

using LC = std::pair<std::uint32_t, std::uint32_t>;

} // namespace

TEST_CASE("lint::parse_json keeps values and byte positions") {
  auto d =
      json("{\n  \"a\": {\"b\": [1, \"x\", true, null, -2.5e3]},\n  \"c\": \"\\u00e9\\n\"\n}\n");
  const Value root = d->root();
  CHECK(root.is_object());
  CHECK(root.get("a").get("b").size() == 5);
  CHECK(root.get("a").get("b").at(0).is_integer());
  CHECK(root.get("a").get("b").at(1).str() == "x");
  CHECK(root.get("a").get("b").at(2).is_true());
  CHECK(root.get("a").get("b").at(3).is_null());
  CHECK(root.get("a").get("b").at(4).number() == doctest::Approx(-2500));
  CHECK_FALSE(root.get("a").get("b").at(4).is_integer());
  CHECK(root.get("c").str() == "\xC3\xA9\n");
  CHECK(lc(at(*d, "")) == LC{1, 1});
  CHECK(lc(at(*d, "/a")) == LC{2, 8});
  CHECK(lc(at(*d, "/a/b/1")) == LC{2, 18});
  CHECK(lc(at(*d, "/c")) == LC{3, 8});
  const Member* m = root.member("c");
  REQUIRE(m != nullptr);
  CHECK(lc(d->position(m->key_offset)) == LC{3, 3});
  CHECK(d->line_text(2) == "  \"a\": {\"b\": [1, \"x\", true, null, -2.5e3]},");
}

TEST_CASE("lint::pointers escape ~ and / (RFC 6901)") {
  auto d = json(R"({"auth/validator": {"a~b": [10, 20]}, "": 1})");
  CHECK(pointer_escape("auth/validator") == "auth~1validator");
  CHECK(pointer_escape("a~b") == "a~0b");
  CHECK(pointer_join("/extra_config", "auth/validator") == "/extra_config/auth~1validator");
  CHECK(pointer_join("/endpoints", std::size_t{3}) == "/endpoints/3");
  CHECK(resolve_pointer(*d, "/auth~1validator/a~0b/1").number() == 20);
  CHECK(resolve_pointer(*d, "/").number() == 1);
  CHECK_FALSE(resolve_pointer(*d, "/auth~1validator/a~0b/01"));
  CHECK_FALSE(resolve_pointer(*d, "/auth~2validator"));
  CHECK_FALSE(resolve_pointer(*d, "no-slash"));
  const Value inner = resolve_pointer(*d, "/auth~1validator/a~0b/0");
  CHECK(d->pointer_of(inner.index()) == "/auth~1validator/a~0b/0");
}

TEST_CASE("lint::Document::position counts bytes, UTF-16 units, CRLF and BOM") {
  SUBCASE("multi-byte characters before the value") {
    auto d = json("{\"é😀\": \"v\"}");
    const Value v = d->root().get("é😀");
    const Position p = d->position(v.offset());
    CHECK(p.column == 1 + 1 + 1 + 2 + 4 + 1 + 2); // { " é(2) 😀(4) " : space
    CHECK(p.column_utf16 == 1 + 1 + 1 + 1 + 2 + 1 + 2);
  }
  SUBCASE("CRLF line ends") {
    auto d = json("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}");
    CHECK(lc(at(*d, "/b")) == LC{3, 8});
    CHECK(d->line_text(2) == "  \"a\": 1,");
  }
  SUBCASE("a byte order mark is not part of line 1") {
    auto d = json("\xEF\xBB\xBF{\"a\": 1}");
    CHECK(d->has_bom());
    CHECK(lc(at(*d, "")) == LC{1, 1});
    CHECK(lc(at(*d, "/a")) == LC{1, 7});
  }
}

TEST_CASE("lint::parse_json refuses what JSON does not allow, with a position") {
  struct Case {
    const char* text;
    std::uint32_t offset;
    const char* words;
  };
  const Case cases[] = {
      {"{\"a\": 1,}", 7, "trailing comma"},
      {"[1, 2,]", 5, "trailing comma"},
      {"{\"a\": 1 // c\n}", 8, "comments"},
      {"{'a': 1}", 1, "double quotes"},
      {"{\"a\": \"x}", 6, "unterminated"},
      {"{\"a\" 1}", 5, "expected ':'"},
      {"{\"a\": 01}", 6, "leading zeros"},
      {"{\"a\": tru}", 6, "expected a value"},
      {"{\"a\": 1} x", 9, "after the end"},
      {"", 0, "empty"},
      {"{\"a\": \"\\q\"}", 7, "invalid escape"},
      {"{\"a\": \"\xC3\x28\"}", 7, "UTF-8"},
      {"[1 2]", 3, "expected ','"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto out = parse_json(c.text);
    REQUIRE(out.error);
    CHECK(out.error->offset == c.offset);
    CHECK(out.error->message.find(c.words) != std::string::npos);
    CHECK(out.doc != nullptr); // the text stays available for positions
  }
  std::string deep(300, '[');
  auto out = parse_json(deep);
  REQUIRE(out.error);
  CHECK(out.error->message.find("nesting") != std::string::npos);
}

TEST_CASE("lint::duplicate keys are recorded and the later one wins") {
  auto d = json(R"({"a": 1, "b": 2, "a": 3})");
  CHECK(d->root().get("a").number() == 3);
  REQUIRE(d->duplicates().size() == 1);
  CHECK(d->member_list()[d->duplicates()[0].later].key_view() == "a");
  std::string big = "{";
  for (int i = 0; i < 40; ++i) {
    big += "\"k" + std::to_string(i) + "\": 0, ";
  }
  big += "\"k7\": 1}";
  auto d2 = json(big);
  CHECK(d2->duplicates().size() == 1);
  auto y = yaml("a: 1\nb: 2\na: 3\n");
  CHECK(y->root().get("a").number() == 3);
  CHECK(y->duplicates().size() == 1);
}

TEST_CASE("lint::parse_yaml resolves core-schema scalars") {
  auto d = yaml("a: 3\nb: '3'\nc: true\nd: ~\ne: 1.5\nf: 0x1F\ng: 0o17\nh: yes\ni: \"\"\nj:\nk: "
                ".inf\nl: -7\n");
  const Value r = d->root();
  CHECK(r.get("a").is_integer());
  CHECK(r.get("b").is_string());
  CHECK(r.get("c").is_true());
  CHECK(r.get("d").is_null());
  CHECK(r.get("e").number() == doctest::Approx(1.5));
  CHECK(r.get("f").number() == 31);
  CHECK(r.get("g").number() == 15);
  CHECK(r.get("h").str() == "yes"); // YAML 1.2: yes is a string
  CHECK(r.get("i").is_string());
  CHECK(r.get("j").is_null());
  CHECK(r.get("k").is_number());
  CHECK(r.get("l").number() == -7);
}

TEST_CASE("lint::parse_yaml positions in block and flow collections") {
  auto d = yaml("routes:\n  - id: r1\n    uris: [/a, \"/b\"]\n    plugins: {authz-keycloak: "
                "{client_id: x}}\n");
  CHECK(lc(at(*d, "/routes/0")) == LC{2, 5});
  CHECK(lc(at(*d, "/routes/0/id")) == LC{2, 9});
  CHECK(lc(at(*d, "/routes/0/uris/1")) == LC{3, 16});
  CHECK(lc(at(*d, "/routes/0/plugins/authz-keycloak/client_id")) == LC{4, 43});
  const Member* m = resolve_pointer(*d, "/routes/0").member("uris");
  REQUIRE(m != nullptr);
  CHECK(lc(d->position(m->key_offset)) == LC{3, 5});
}

TEST_CASE("lint::parse_yaml multi-line strings") {
  auto d = yaml("a: |\n  line one\n  line two\nb: >\n  folded\n  text\nc: \"x\n  y\"\nd: after\n");
  CHECK(d->root().get("a").str() == "line one\nline two\n");
  CHECK(d->root().get("b").str() == "folded text\n");
  CHECK(d->root().get("c").str() == "x y");
  CHECK(lc(at(*d, "/a")) == LC{1, 4});
  CHECK(lc(at(*d, "/d")) == LC{9, 4});
}

TEST_CASE("lint::parse_yaml anchors, aliases and merge keys") {
  auto d = yaml("base: &kc\n  client_id: a\n  timeout: 3000\nroutes:\n  - plugins:\n      "
                "authz-keycloak: *kc\n"
                "  - plugins:\n      authz-keycloak:\n        <<: *kc\n        timeout: 5000\n");
  const Value first = resolve_pointer(*d, "/routes/0/plugins/authz-keycloak");
  CHECK(first.get("client_id").str() == "a");
  CHECK(first.index() == d->root().get("base").index()); // an alias shares the anchored node
  CHECK(lc(d->position(first.get("timeout").offset())) == LC{3, 12});
  const Value merged = resolve_pointer(*d, "/routes/1/plugins/authz-keycloak");
  CHECK(merged.get("timeout").number() == 5000); // explicit keys beat merged ones
  CHECK(merged.get("client_id").str() == "a");
  CHECK(merged.size() == 2);
  CHECK(d->duplicates().empty());
  auto bad = parse_yaml("a: *nope\n");
  REQUIRE(bad.error);
  CHECK(bad.error->message.find("unknown alias") != std::string::npos);
}

TEST_CASE("lint::parse_yaml maps libyaml's character marks to bytes (BOM, CRLF, UTF-8)") {
  SUBCASE("BOM") {
    auto d = yaml("\xEF\xBB\xBF"
                  "a: 1\nb: 2\n");
    CHECK(d->has_bom());
    CHECK(lc(at(*d, "/b")) == LC{2, 4});
    CHECK(lc(at(*d, "/a")) == LC{1, 4});
  }
  SUBCASE("CRLF") {
    auto d = yaml("a: 1\r\nb:\r\n  c: x\r\n");
    CHECK(lc(at(*d, "/b/c")) == LC{3, 6});
  }
  SUBCASE("multi-byte characters earlier on the line and in the file") {
    auto d = yaml("é: \"ü\"\nx: {ä: 1, b: 2}\n");
    CHECK(lc(at(*d, "/é")) == LC{1, 5});
    CHECK(lc(at(*d, "/x/b")) == LC{2, 15});
  }
}

TEST_CASE("lint::parse_yaml errors carry positions; only the first document is read") {
  auto out = parse_yaml("a: 1\n b: 2\n");
  REQUIRE(out.error);
  CHECK(out.doc->position(out.error->offset).line == 2);
  auto tabs = parse_yaml("a:\n\t- 1\n");
  REQUIRE(tabs.error);
  CHECK(tabs.doc->position(tabs.error->offset).line == 2);
  auto multi = parse_yaml("a: 1\n---\nb: 2\n");
  REQUIRE(!multi.error);
  CHECK(multi.doc->root().get("a").number() == 1);
  CHECK_FALSE(multi.doc->root().get("b"));
  auto empty = parse_yaml("");
  REQUIRE(!empty.error);
  CHECK(empty.doc->root().is_null());
  auto utf16 = parse_yaml(std::string("\xFF\xFE"
                                      "a\0:\0",
                                      6));
  REQUIRE(utf16.error);
  CHECK(utf16.error->message.find("UTF-16") != std::string::npos);
  auto complex = parse_yaml("? [a, b]\n: 1\n");
  REQUIRE(complex.error);
}
