#include "core/util/time.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>

namespace tollgate::core::util {

UnixTime SystemClock::now() const {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

namespace {

bool read_digits(std::string_view s, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Error bad_instant(std::string_view text) {
  return usage_error("bad_time",
                     fmt::format("'{}' is not a time: use unix seconds (1764632400) or RFC 3339 "
                                 "(2026-11-22T10:15:00Z)",
                                 text.substr(0, 64)));
}

} // namespace

Result<UnixTime> parse_instant(std::string_view text) {
  if (text.empty()) {
    return bad_instant(text);
  }
  const bool numeric = text.find_first_not_of("0123456789.") == std::string_view::npos
                       || (text[0] == '-' && text.size() > 1
                           && text.find_first_not_of("0123456789.", 1) == std::string_view::npos);
  if (numeric) {
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
      return bad_instant(text);
    }
    return v;
  }
  std::size_t pos = 0;
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!read_digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-'
      || !read_digits(text, pos, 2, mon) || pos >= text.size() || text[pos++] != '-'
      || !read_digits(text, pos, 2, day) || pos >= text.size()
      || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return bad_instant(text);
  }
  ++pos;
  if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':'
      || !read_digits(text, pos, 2, min) || pos >= text.size() || text[pos++] != ':'
      || !read_digits(text, pos, 2, sec)) {
    return bad_instant(text);
  }
  double frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t start = pos;
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
    if (pos == start + 1) {
      return bad_instant(text);
    }
    // from_chars on "0.123": the digits after the point, as written.
    std::string f(1, '0');
    f.append(text.substr(start, pos - start));
    std::from_chars(f.data(), f.data() + f.size(), frac);
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return bad_instant(text);
  }
  int offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':'
        || !read_digits(text, pos, 2, om) || oh > 23 || om > 59) {
      return bad_instant(text);
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return usage_error("bad_time",
                       fmt::format("'{}' has no time zone: add 'Z' for UTC or an offset like "
                                   "+01:00",
                                   text.substr(0, 64)));
  }
  if (pos != text.size()) {
    return bad_instant(text);
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  return static_cast<double>(days * 86400 + hour * 3600 + min * 60 + sec - offset) + frac;
}

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  auto bad = [&] {
    return usage_error("bad_duration",
                       fmt::format("'{}' is not a duration: use seconds or a number with s, m, h "
                                   "or d (90, 15m, 1h30m, 2d)",
                                   text.substr(0, 64)));
  };
  if (text.empty()) {
    return bad();
  }
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
    if (ec != std::errc() || v < 0) {
      return bad();
    }
    pos = static_cast<std::size_t>(p - text.data());
    std::int64_t mult = 1;
    if (pos < text.size()) {
      switch (text[pos]) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      default:
        return bad();
      }
      ++pos;
    } else if (total != 0) {
      return bad(); // "1h30" is ambiguous
    }
    if (v > (INT64_MAX / 2) / mult) {
      return bad();
    }
    total += v * mult;
  }
  return total;
}

std::string format_instant(UnixTime t, bool local) {
  if (!std::isfinite(t) || t > 253402300799.0 || t < -62135596800.0) {
    return fmt::format("{} (out of calendar range)", t);
  }
  const auto secs = static_cast<std::time_t>(std::floor(t));
  std::tm tm{};
  if (local) {
    localtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
    // +0100 -> +01:00
    const std::string_view s(buf);
    if (s.size() < 5) {
      return std::string(s);
    }
    return fmt::format("{}:{}", s.substr(0, s.size() - 2), s.substr(s.size() - 2));
  }
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_duration(double seconds) {
  auto s = static_cast<std::int64_t>(std::llround(std::fabs(seconds)));
  const std::int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
  if (d > 0) {
    return h > 0 ? fmt::format("{}d {}h", d, h) : fmt::format("{}d", d);
  }
  if (h > 0) {
    return m > 0 ? fmt::format("{}h {}m", h, m) : fmt::format("{}h", h);
  }
  if (m > 0) {
    return sec > 0 ? fmt::format("{}m {}s", m, sec) : fmt::format("{}m", m);
  }
  return fmt::format("{}s", sec);
}

std::string relative_phrase(UnixTime t, UnixTime now) {
  if (t > now) {
    return "in " + format_duration(t - now);
  }
  return format_duration(now - t) + " ago";
}

} // namespace tollgate::core::util
