#include "core/util/time.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core::util;

TEST_CASE("util::parse_instant reads unix seconds and RFC 3339") {
  CHECK(*parse_instant("1764632400") == 1764632400.0);
  CHECK(*parse_instant("1764632400.25") == 1764632400.25);
  CHECK(*parse_instant("2025-12-01T23:40:00Z") == 1764632400.0);
  CHECK(*parse_instant("2025-12-02T08:40:00+09:00") == 1764632400.0);
  CHECK(*parse_instant("2025-12-01t23:40:00.5z") == 1764632400.5);
  CHECK(*parse_instant("1970-01-01T00:00:00Z") == 0.0);
  CHECK(*parse_instant("2000-02-29T12:00:00-01:30") == 951831000.0);
}

TEST_CASE("util::parse_instant refuses ambiguous or broken times") {
  for (const char* bad : {"",
                          "tomorrow",
                          "2026-11-22",
                          "2026-11-22T10:15:00",
                          "2026-13-01T00:00:00Z",
                          "2026-11-22T25:00:00Z",
                          "2026-11-22T10:15:00Zjunk",
                          "12:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_instant(bad).ok());
  }
  CHECK(parse_instant("2026-11-22T10:15:00").error().message.find("no time zone")
        != std::string::npos);
}

TEST_CASE("util::parse_duration_seconds") {
  CHECK(*parse_duration_seconds("90") == 90);
  CHECK(*parse_duration_seconds("15m") == 900);
  CHECK(*parse_duration_seconds("1h30m") == 5400);
  CHECK(*parse_duration_seconds("2d") == 172800);
  for (const char* bad : {"", "m", "5x", "-5m", "1h30", "1.5h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration_seconds(bad).ok());
  }
}

TEST_CASE("util::format_instant and relative phrases") {
  CHECK(format_instant(1764632400) == "2025-12-01T23:40:00Z");
  CHECK(format_duration(250) == "4m 10s");
  CHECK(format_duration(3 * 3600 + 125) == "3h 2m");
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(2 * 86400 + 5 * 3600) == "2d 5h");
  CHECK(relative_phrase(1000, 750) == "in 4m 10s");
  CHECK(relative_phrase(1000, 1000 + 3 * 3600) == "3h ago");
  CHECK(format_instant(1e300).find("out of calendar range") != std::string::npos);
}
