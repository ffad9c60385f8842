#include "core/util/base64url.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tollgate::core::util;

TEST_CASE("util::b64url_decode_strict decodes canonical base64url") {
  std::string out;
  CHECK(b64url_decode_strict("", out));
  CHECK(out.empty());
  CHECK(b64url_decode_strict("Zm9v", out));
  CHECK(out == "foo");
  out.clear();
  CHECK(b64url_decode_strict("Zm9vYg", out));
  CHECK(out == "foob");
  out.clear();
  CHECK(b64url_decode_strict("Zm9vYmE", out));
  CHECK(out == "fooba");
  out.clear();
  CHECK(b64url_decode_strict("-_8", out)); // 0xfb 0xff
  CHECK(out == std::string("\xfb\xff"));
}

TEST_CASE("util::b64url_decode_strict refuses every non-canonical form with its offset") {
  Base64Problem p;
  std::string out;
  SUBCASE("padding") {
    CHECK_FALSE(b64url_decode_strict("Zm9vYg==", out, &p));
    CHECK(p.offset == 6);
    CHECK(p.reason.find("padding") != std::string::npos);
  }
  SUBCASE("standard alphabet") {
    CHECK_FALSE(b64url_decode_strict("ab+c", out, &p));
    CHECK(p.offset == 2);
    CHECK(p.reason.find("standard base64") != std::string::npos);
  }
  SUBCASE("whitespace") {
    CHECK_FALSE(b64url_decode_strict("Zm9v Yg", out, &p));
    CHECK(p.offset == 4);
  }
  SUBCASE("length mod 4 == 1") {
    CHECK_FALSE(b64url_decode_strict("Zm9vY", out, &p));
    CHECK(p.reason.find("length") != std::string::npos);
  }
  SUBCASE("non-zero trailing bits") {
    CHECK(b64url_decode_strict("Zg", out));           // 'f'
    CHECK_FALSE(b64url_decode_strict("Zh", out, &p)); // same byte, stray low bits
    CHECK(p.offset == 1);
    CHECK(p.reason.find("trailing bits") != std::string::npos);
    out.clear();
    CHECK(b64url_decode_strict("Zm8", out)); // "fo"
    CHECK(out == "fo");
    out.clear();
    CHECK_FALSE(b64url_decode_strict("Zm9", out, &p)); // "fo" with a stray low bit
    CHECK_FALSE(b64url_decode_strict("Zm9vYmF", out, &p));
  }
  SUBCASE("non-ASCII byte") {
    CHECK_FALSE(b64url_decode_strict("Zm\xc3\xa9", out, &p));
    CHECK(p.offset == 2);
    CHECK(p.reason.find("0xc3") != std::string::npos);
  }
  CHECK(out.empty()); // nothing is appended on failure
}

TEST_CASE("util::b64url_encode round-trips every byte value and length") {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    const std::string in = all.substr(0, len);
    const std::string enc = b64url_encode(in);
    CHECK(enc.find_first_of("+/=") == std::string::npos);
    std::string back;
    REQUIRE(b64url_decode_strict(enc, back));
    CHECK(back == in);
  }
}

TEST_CASE("util::b64url_decode names the input in its error") {
  auto r = b64url_decode("a=", "the payload");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message
        == "the payload is not valid base64url at offset 1: '=' padding is not allowed");
  CHECK(r.error().cls == tollgate::core::ErrorClass::usage);
}

TEST_CASE("util::b64_decode accepts padded standard base64 only") {
  std::string out;
  CHECK(b64_decode("Zm9vYg==", out));
  CHECK(out == "foob");
  out.clear();
  CHECK_FALSE(b64_decode("Zm9vYg", out));
  CHECK_FALSE(b64_decode("Zm9v-g==", out));
  CHECK_FALSE(b64_decode("Zm=vYg==", out));
}
