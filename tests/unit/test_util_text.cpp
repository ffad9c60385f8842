#include "core/util/text.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core::util;

TEST_CASE("util::terminal_safe") {
  CHECK(terminal_safe("plain text") == "plain text");
  CHECK(terminal_safe("a\r\nb\tc") == "a  b c");
  CHECK(terminal_safe("\x1b[2J\x1b]0;t\x07") == "?[2J?]0;t?");
  CHECK(terminal_safe(std::string("nul\0x", 5)) == "nul?x");
  CHECK(terminal_safe("del\x7f") == "del?");
  CHECK(terminal_safe("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x91")
        == "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x91");
  CHECK(terminal_safe("c1 \xc2\x9b"
                      "31m")
        == "c1 ?31m"); // U+009B CSI
  CHECK(terminal_safe("raw \x9b"
                      "31m")
        == "raw ?31m"); // not UTF-8
  CHECK(terminal_safe("overlong \xc0\xaf") == "overlong ??");
  CHECK(terminal_safe("surrogate \xed\xa0\x80") == "surrogate ???");
  CHECK(terminal_safe("cut \xe2\x9c") == "cut ??");
}
