#pragma once

#include "core/util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tollgate::core::util {

// Seconds since the Unix epoch. Fractions matter for NumericDate claims (RFC 7519 section 2).
using UnixTime = double;

// The clock seam: `--at` replaces it, tests pass fixed values.
struct Clock {
  virtual ~Clock() = default;
  virtual UnixTime now() const = 0;
};

struct SystemClock final : Clock {
  UnixTime now() const override;
};

struct FixedClock final : Clock {
  explicit FixedClock(UnixTime t) : at(t) {}
  UnixTime now() const override { return at; }
  UnixTime at;
};

// Parse an instant given as unix seconds ("1764632400", "1764632400.5") or RFC 3339
// ("2026-11-22T10:15:00Z", "2026-11-22T11:15:00+01:00", fractions allowed).
Result<UnixTime> parse_instant(std::string_view text);

// Parse a duration with an optional s|m|h|d suffix ("90", "15m", "1h30m", "2d").
Result<std::int64_t> parse_duration_seconds(std::string_view text);

// "2026-11-22T10:15:00Z" (UTC) or "2026-11-22 11:15:00 +01:00" (local time zone).
std::string format_instant(UnixTime t, bool local = false);

// A short human duration: "4m 10s", "3h 2m", "2d 5h", "0s".
std::string format_duration(double seconds);

// "expires in 4m 10s" / "expired 3h 2m ago" style phrase for `t` relative to `now`:
// returns "in 4m 10s" when t > now, "3h 2m ago" otherwise.
std::string relative_phrase(UnixTime t, UnixTime now);

} // namespace tollgate::core::util
