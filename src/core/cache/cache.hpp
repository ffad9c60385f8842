#pragma once

#include "core/util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::cache {

inline constexpr std::int64_t kDefaultTtlSeconds = 15 * 60; // KrakenD's key refresh interval
inline constexpr std::int64_t kMinMaxAgeSeconds = 60;
inline constexpr std::int64_t kMaxMaxAgeSeconds = 24 * 60 * 60;

// One cached document (a discovery document or a JWKS) with what freshness needs.
struct Entry {
  std::string url;
  double fetched_at = 0;               // unix seconds
  std::optional<std::int64_t> max_age; // the server's Cache-Control max-age, as sent
  std::string content_type;
  std::string body;
  // The CA bundle (--cacert, canonical path) whose trust fetched it; "" for the system store. Part
  // of the key: an entry is only ever served to runs with the same trust.
  std::string cacert;
};

// What a command allows the cache to do (--no-cache, --cache-ttl, --offline).
struct Policy {
  bool enabled = true;             // false: neither read nor write (--no-cache)
  bool offline = false;            // cache only: never touch the network
  std::optional<std::int64_t> ttl; // --cache-ttl: replaces both the default and max-age
};

// RFC 9111 5.2.2.1: the max-age directive of a Cache-Control value, if any.
std::optional<std::int64_t> parse_max_age(std::string_view cache_control);

// How long `e` stays fresh: --cache-ttl when given, else max-age clamped to [1 min, 24 h], else
// 15 minutes.
std::int64_t ttl_for(const Entry& e, const Policy& p);
bool is_fresh(const Entry& e, const Policy& p, double now);

// $XDG_CACHE_HOME/tollgate, else $HOME/.cache/tollgate ("" when neither is usable). A relative
// XDG_CACHE_HOME is ignored, as the XDG Base Directory spec says.
std::string default_dir(const char* xdg_cache_home, const char* home);

// A listed entry: its file, size, and the entry itself when it could be read.
struct Listed {
  std::string file;
  std::uint64_t bytes = 0;
  std::optional<Entry> entry; // nullopt: corrupt or unreadable (ignored by get())
};

// The on-disk cache: one JSON file per URL and trust context (named by a hash of both) in a 0700
// directory, written atomically with mode 0600, so concurrent writers never leave a torn file and
// a reader sees either the old or the new entry. A corrupt, truncated or foreign file is treated as
// a miss.
class DiskCache {
public:
  explicit DiskCache(std::string dir) : m_dir(std::move(dir)) {}
  const std::string& dir() const { return m_dir; }

  std::optional<Entry> get(const std::string& url, const std::string& cacert = "") const;
  // Creates the directory (0700) when needed. Failing to cache is never fatal for a command;
  // callers report the error as a warning.
  Result<void> put(const Entry& e) const;
  // Entries in file-name order. A missing directory is an empty list.
  Result<std::vector<Listed>> list() const;
  // Remove every entry (and stray temporary files); returns how many files were removed.
  Result<std::size_t> clear() const;

  std::string path_for(const std::string& url, const std::string& cacert = "") const;

private:
  std::string m_dir;
};

// Serialise / parse one entry file (exposed for unit tests).
std::string encode_entry(const Entry& e);
std::optional<Entry> decode_entry(std::string_view text);

} // namespace tollgate::core::cache
