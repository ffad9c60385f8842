#include "core/cache/cache.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace tollgate::core::cache;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/tollgate-unit-XXXXXX";
  return ::mkdtemp(tmpl);
}
} // namespace

TEST_CASE("cache::parse_max_age") {
  CHECK(parse_max_age("max-age=600") == 600);
  CHECK(parse_max_age("public, MAX-AGE=\"120\", must-revalidate") == 120);
  CHECK(parse_max_age("no-cache") == std::nullopt);
  CHECK(parse_max_age("max-age=-1") == std::nullopt);
  CHECK(parse_max_age("max-age=abc") == std::nullopt);
  CHECK(parse_max_age("max-age=99999999999999999999999") == kMaxMaxAgeSeconds);
  CHECK(parse_max_age("") == std::nullopt);
}

TEST_CASE("cache::ttl_for clamps max-age to [1 min, 24 h] and --cache-ttl wins") {
  Entry e;
  Policy p;
  CHECK(ttl_for(e, p) == kDefaultTtlSeconds);
  e.max_age = 0;
  CHECK(ttl_for(e, p) == 60);
  e.max_age = 3600;
  CHECK(ttl_for(e, p) == 3600);
  e.max_age = 10 * 86400;
  CHECK(ttl_for(e, p) == 86400);
  p.ttl = 5;
  CHECK(ttl_for(e, p) == 5);
  e.fetched_at = 1000;
  CHECK(is_fresh(e, p, 1004));
  CHECK_FALSE(is_fresh(e, p, 1005));
  CHECK_FALSE(is_fresh(e, p, 800)); // from the future
}

TEST_CASE("cache::default_dir follows XDG") {
  CHECK(default_dir("/x/cache", "/home/a") == "/x/cache/tollgate");
  CHECK(default_dir("relative", "/home/a") == "/home/a/.cache/tollgate");
  CHECK(default_dir(nullptr, "/home/a") == "/home/a/.cache/tollgate");
  CHECK(default_dir(nullptr, nullptr).empty());
}

TEST_CASE("cache entries round-trip and anything else is a miss") {
  Entry e{"https://idp.example/certs", 1764632400.5, 300, "application/json", R"({"keys":[]})", ""};
  auto back = decode_entry(encode_entry(e));
  REQUIRE(back);
  CHECK(back->url == e.url);
  CHECK(back->fetched_at == e.fetched_at);
  CHECK(back->max_age == 300);
  CHECK(back->body == e.body);
  const std::string text = encode_entry(e);
  CHECK(back->cacert.empty());
  Entry ca = e;
  ca.cacert = "/etc/ca.pem";
  CHECK(decode_entry(encode_entry(ca))->cacert == "/etc/ca.pem");
  CHECK_FALSE(decode_entry(text.substr(0, text.size() / 2)));
  CHECK_FALSE(decode_entry("{}"));
  CHECK_FALSE(decode_entry(
      R"({"tollgate_cache":1,"url":"u","body":"b","content_type":"","fetched_at":1,"max_age":null})"));
}

TEST_CASE("cache::DiskCache stores privately, ignores corrupt files, lists and clears") {
  const std::string root = temp_dir();
  DiskCache cache(root + "/nested/tollgate");
  CHECK_FALSE(cache.get("https://idp.example/certs"));
  Entry e{"https://idp.example/certs", 1000, std::nullopt, "application/json", "{}", ""};
  REQUIRE(cache.put(e));
  struct stat st {};
  REQUIRE(::stat(cache.dir().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat(cache.path_for(e.url).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(cache.get(e.url)->body == "{}");
  CHECK_FALSE(cache.get("https://idp.example/other"));
  CHECK_FALSE(cache.get(e.url, "/some/ca.pem")); // another trust context
  { std::ofstream(cache.path_for(e.url)) << "{\"tollgate_cache\":1,"; }
  CHECK_FALSE(cache.get(e.url));
  auto listed = cache.list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK_FALSE(listed->front().entry);
  REQUIRE(cache.put(e));
  { std::ofstream(cache.path_for(e.url) + ".tmp.abc123") << "x"; } // left by a killed writer
  { std::ofstream(cache.dir() + "/notes.json") << "not ours"; }
  CHECK(*cache.clear() == 2);
  CHECK(cache.list()->empty());
  CHECK(::stat((cache.dir() + "/notes.json").c_str(), &st) == 0); // not tollgate's: kept
  REQUIRE(::symlink(cache.dir().c_str(), (root + "/link").c_str()) == 0);
  auto through_link = DiskCache(root + "/link").clear();
  REQUIRE_FALSE(through_link);
  CHECK(through_link.error().message.find("symbolic link") != std::string::npos);
  std::system(("rm -rf " + root).c_str());
}
