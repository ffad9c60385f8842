#include "core/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tollgate::core::util;

TEST_CASE("util::parse_json_strict keeps member order and values") {
  auto r = parse_json_strict(R"({"b":1,"a":[true,null,"x",1.5,-3,18446744073709551615]})", "doc");
  REQUIRE(r.ok());
  CHECK(r->dump() == R"({"b":1,"a":[true,null,"x",1.5,-3,18446744073709551615]})");
}

TEST_CASE("util::parse_json_strict refuses duplicate names at any depth, after unescaping") {
  for (const char* text : {R"({"a":1,"a":2})",
                           R"({"a":1,"\u0061":2})",
                           R"({"x":{"k":1,"k":1}})",
                           R"([{"ok":1},{"k":1,"m":2,"k":3}])"}) {
    CAPTURE(text);
    auto r = parse_json_strict(text, "doc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("appears twice") != std::string::npos);
  }
  // Same names in sibling objects are fine.
  CHECK(parse_json_strict(R"([{"k":1},{"k":2}])", "doc").ok());
}

TEST_CASE("util::parse_json_strict finds duplicates among many members") {
  std::string big = "{";
  for (int i = 0; i < 200; ++i) {
    big += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  }
  CHECK(parse_json_strict(big + "\"end\":0}", "doc").ok());
  CHECK_FALSE(parse_json_strict(big + "\"key117\":0}", "doc").ok());
}

TEST_CASE("util::parse_json_strict enforces the depth limit") {
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  CHECK(parse_json_strict(ok, "doc").ok());
  auto r = parse_json_strict(deep, "doc");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("deeper than 64") != std::string::npos);
}

TEST_CASE(
    "util::parse_json_strict refuses invalid UTF-8, bad syntax (with the byte) and big numbers") {
  auto utf = parse_json_strict("{\"a\":\"\xff\"}", "doc");
  REQUIRE_FALSE(utf.ok());
  CHECK(utf.error().message.find("UTF-8") != std::string::npos);
  auto syntax = parse_json_strict(R"({"a":1,})", "the header");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().message.rfind("the header is not valid JSON at byte", 0) == 0);
  CHECK_FALSE(parse_json_strict("[99999999999999999999]", "doc").ok());
  CHECK_FALSE(parse_json_strict("[1e400]", "doc").ok());
  CHECK_FALSE(parse_json_strict("{} {}", "doc").ok());
  CHECK_FALSE(parse_json_strict("", "doc").ok());
}

TEST_CASE("util::append_json_string escapes control characters and quotes") {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01", 7));
  CHECK(out == R"("a\"b\\c\n\u0001")");
  CHECK(quote(std::string(100, 'x'), 10) == "\"xxxxxxxxxx...\"");
}
