#include "core/cache/cache.hpp"

#include "core/util/file.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tollgate::core::cache {
namespace {

// 2: entries carry their trust context ("cacert"). Format 1 entries are ignored, because some may
// have been fetched with --insecure.
constexpr int kFormat = 2;
constexpr std::size_t kMaxEntryBytes = 64 * 1024 * 1024;
constexpr std::string_view kSuffix = ".json";

// mkdir -p; directories we create are private (0700, as the XDG spec asks for its base dirs).
Result<void> make_dirs(const std::string& dir) {
  std::string path;
  for (std::string_view part : util::split(dir, '/')) {
    path += part;
    if (!path.empty() && path != "/") {
      if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        return usage_error(
            "unwritable",
            fmt::format("cannot create cache directory '{}': {}", path, std::strerror(errno)));
      }
    }
    path += '/';
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return usage_error("unwritable", fmt::format("cache directory '{}' is not a directory", dir));
  }
  if (st.st_uid != ::geteuid()) {
    return usage_error("unwritable",
                       fmt::format("cache directory '{}' belongs to another user; not used", dir));
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
    return usage_error(
        "unwritable",
        fmt::format("cannot make cache directory '{}' private: {}", dir, std::strerror(errno)));
  }
  return {};
}

std::optional<std::string> read_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()
      || static_cast<std::uint64_t>(st.st_size) > kMaxEntryBytes) {
    ::close(fd);
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ::close(fd);
      if (n < 0) {
        return std::nullopt;
      }
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxEntryBytes) {
      ::close(fd);
      return std::nullopt;
    }
  }
}

bool is_hex_name(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// What DiskCache itself writes: "<32 hex>.json" and, left by a killed writer,
// "<32 hex>.json.tmp.XXXXXX" (mkstemp). Nothing else in the directory is ours to remove.
bool is_own_name(std::string_view name) {
  constexpr std::string_view kTmp = ".json.tmp.";
  if (name.size() == 32 + kSuffix.size()) {
    return is_hex_name(name.substr(0, 32)) && name.substr(32) == kSuffix;
  }
  return name.size() == 32 + kTmp.size() + 6 && is_hex_name(name.substr(0, 32))
         && name.substr(32, kTmp.size()) == kTmp;
}

bool is_entry_name(std::string_view name) {
  return is_own_name(name) && name.size() == 32 + kSuffix.size();
}

} // namespace

std::optional<std::int64_t> parse_max_age(std::string_view cc) {
  for (std::string_view part : util::split(cc, ',')) {
    part = util::trim(part);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || !util::iequals(util::trim(part.substr(0, eq)), "max-age")) {
      continue;
    }
    std::string_view v = util::trim(part.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      v = v.substr(1, v.size() - 2);
    }
    if (v.empty() || v.size() > 18) {
      if (v.size() > 18
          && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return kMaxMaxAgeSeconds; // RFC 9111 1.2.2: overflowing values mean "a very long time"
      }
      return std::nullopt;
    }
    std::int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return std::nullopt;
}

std::int64_t ttl_for(const Entry& e, const Policy& p) {
  if (p.ttl) {
    return *p.ttl;
  }
  if (e.max_age) {
    return std::clamp(*e.max_age, kMinMaxAgeSeconds, kMaxMaxAgeSeconds);
  }
  return kDefaultTtlSeconds;
}

bool is_fresh(const Entry& e, const Policy& p, double now) {
  const double age = now - e.fetched_at;
  // An entry from the future (clock moved back) is not trusted as fresh.
  return age >= -60 && age < static_cast<double>(ttl_for(e, p));
}

std::string default_dir(const char* xdg, const char* home) {
  if (xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/tollgate";
  }
  if (home != nullptr && home[0] == '/') {
    return std::string(home) + "/.cache/tollgate";
  }
  return {};
}

std::string encode_entry(const Entry& e) {
  util::Json j = util::Json::object();
  j["tollgate_cache"] = kFormat;
  j["url"] = e.url;
  j["fetched_at"] = e.fetched_at;
  j["max_age"] = e.max_age ? util::Json(*e.max_age) : util::Json(nullptr);
  j["content_type"] = e.content_type;
  j["body"] = e.body;
  j["cacert"] = e.cacert;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<Entry> decode_entry(std::string_view text) {
  auto parsed = util::parse_json_strict(text, "cache entry");
  if (!parsed || !parsed->is_object()) {
    return std::nullopt;
  }
  const util::Json& j = *parsed;
  auto str = [&](const char* k) {
    return j.contains(k) && j[k].is_string();
  };
  if (!j.contains("tollgate_cache") || j["tollgate_cache"] != kFormat || !str("url") || !str("body")
      || !str("content_type") || !str("cacert") || !j.contains("fetched_at")
      || !j["fetched_at"].is_number() || !j.contains("max_age")
      || !(j["max_age"].is_null() || j["max_age"].is_number_integer())) {
    return std::nullopt;
  }
  Entry e;
  e.url = j["url"].get<std::string>();
  e.body = j["body"].get<std::string>();
  e.content_type = j["content_type"].get<std::string>();
  e.cacert = j["cacert"].get<std::string>();
  e.fetched_at = j["fetched_at"].get<double>();
  if (!j["max_age"].is_null()) {
    e.max_age = j["max_age"].get<std::int64_t>();
  }
  return e;
}

std::string DiskCache::path_for(const std::string& url, const std::string& cacert) const {
  // The system store keys by the URL alone; a CA bundle adds its path (a URL has no newline).
  const std::string key = cacert.empty() ? url : url + "\ncacert:" + cacert;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string name;
  for (int i = 0; i < 16; ++i) {
    name += fmt::format("{:02x}", digest[i]);
  }
  return m_dir + "/" + name + std::string(kSuffix);
}

std::optional<Entry> DiskCache::get(const std::string& url, const std::string& cacert) const {
  if (m_dir.empty()) {
    return std::nullopt;
  }
  auto text = read_private(path_for(url, cacert));
  if (!text) {
    return std::nullopt;
  }
  auto e = decode_entry(*text);
  if (!e || e->url != url || e->cacert != cacert) {
    return std::nullopt;
  }
  return e;
}

Result<void> DiskCache::put(const Entry& e) const {
  if (m_dir.empty()) {
    return usage_error("unwritable", "no cache directory (neither XDG_CACHE_HOME nor HOME is set)");
  }
  TOLLGATE_CHECK(make_dirs(m_dir));
  return util::write_file_atomic(path_for(e.url, e.cacert), encode_entry(e), 0600);
}

Result<std::vector<Listed>> DiskCache::list() const {
  std::vector<Listed> out;
  if (m_dir.empty()) {
    return out;
  }
  DIR* d = ::opendir(m_dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) {
      return out;
    }
    return usage_error(
        "unreadable",
        fmt::format("cannot read cache directory '{}': {}", m_dir, std::strerror(errno)));
  }
  while (dirent* ent = ::readdir(d)) {
    const std::string name = ent->d_name;
    if (!is_entry_name(name)) {
      continue;
    }
    Listed l;
    l.file = m_dir + "/" + name;
    struct stat st {};
    if (::lstat(l.file.c_str(), &st) == 0) {
      l.bytes = static_cast<std::uint64_t>(st.st_size);
    }
    if (auto text = read_private(l.file)) {
      l.entry = decode_entry(*text);
      if (l.entry && path_for(l.entry->url, l.entry->cacert) != l.file) {
        l.entry.reset(); // a file under the wrong name is not trusted
      }
    }
    out.push_back(std::move(l));
  }
  ::closedir(d);
  std::sort(
      out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.file < b.file; });
  return out;
}

Result<std::size_t> DiskCache::clear() const {
  std::size_t removed = 0;
  if (m_dir.empty()) {
    return removed;
  }
  // O_NOFOLLOW: a cache directory that is a symlink may point anywhere; it is not cleared. The
  // entries are then looked up and removed relative to this descriptor, never through a path.
  const int dfd = ::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) {
      return removed;
    }
    struct stat st {};
    if (::lstat(m_dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      return usage_error(
          "unwritable", fmt::format("cache directory '{}' is a symbolic link; not cleared", m_dir));
    }
    return usage_error(
        "unwritable",
        fmt::format("cannot read cache directory '{}': {}", m_dir, std::strerror(errno)));
  }
  struct stat dst {};
  if (::fstat(dfd, &dst) != 0 || dst.st_uid != ::geteuid()) {
    ::close(dfd);
    return usage_error(
        "unwritable",
        fmt::format("cache directory '{}' belongs to another user; not cleared", m_dir));
  }
  DIR* d = ::fdopendir(::dup(dfd));
  if (d == nullptr) {
    const int err = errno;
    ::close(dfd);
    return usage_error(
        "unwritable",
        fmt::format("cannot read cache directory '{}': {}", m_dir, std::strerror(err)));
  }
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) {
    if (is_own_name(ent->d_name)) {
      names.emplace_back(ent->d_name);
    }
  }
  ::closedir(d);
  for (const auto& name : names) {
    // Only regular files of ours: a symlink or anything else under an entry name is left alone.
    struct stat st {};
    if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)
        || st.st_uid != ::geteuid()) {
      continue;
    }
    if (::unlinkat(dfd, name.c_str(), 0) == 0) {
      ++removed;
    } else if (errno != ENOENT) {
      const int err = errno;
      ::close(dfd);
      return usage_error("unwritable",
                         fmt::format("cannot remove '{}/{}': {}", m_dir, name, std::strerror(err)));
    }
  }
  ::close(dfd);
  return removed;
}

} // namespace tollgate::core::cache
