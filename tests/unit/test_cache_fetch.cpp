#include "core/cache/fetch.hpp"
#include "fakes_http.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <unistd.h>

using namespace tollgate::core;
using tollgate::test::response;
using tollgate::test::ScriptedHttp;

namespace {
struct Fixture {
  std::string root;
  cache::DiskCache disk;
  ScriptedHttp http;
  util::FixedClock clock{1'000'000};
  cache::FetchContext ctx;

  Fixture() : root(make_root()), disk(root + "/tollgate") {
    ctx.http = &http;
    ctx.cache = &disk;
    ctx.clock = &clock;
  }
  ~Fixture() { std::system(("rm -rf " + root).c_str()); }
  static std::string make_root() {
    char tmpl[] = "/tmp/tollgate-unit-XXXXXX";
    return ::mkdtemp(tmpl);
  }
};
const std::string kUrl = "https://idp.example/certs";
} // namespace

TEST_CASE("cache::fetch_json: miss, then hit without a request, then expiry") {
  Fixture f;
  f.http.replies.push_back(
      response(200, R"({"keys":[]})", "application/json", {{"Cache-Control", "max-age=120"}}));
  auto first = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(first);
  CHECK_FALSE(first->from_cache);
  CHECK(first->ttl == 120);
  CHECK(f.http.seen.size() == 1);
  f.clock.at += 119;
  auto hit = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(hit);
  CHECK(hit->from_cache);
  CHECK(f.http.seen.size() == 1);
  f.clock.at += 2;
  f.http.replies.push_back(response(200, R"({"keys":[1]})"));
  auto refetched = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(refetched);
  CHECK_FALSE(refetched->from_cache);
  CHECK(refetched->doc["keys"].size() == 1);
}

TEST_CASE(
    "cache::fetch_json: --offline serves stale entries and fails on a miss without a request") {
  Fixture f;
  f.http.replies.push_back(response(200, R"({"keys":[]})"));
  REQUIRE(cache::fetch_json(f.ctx, kUrl));
  f.ctx.policy.offline = true;
  f.clock.at += 10 * 86400;
  auto stale = cache::fetch_json(f.ctx, kUrl, /*force_network=*/true);
  REQUIRE(stale);
  CHECK(stale->stale);
  auto miss = cache::fetch_json(f.ctx, "https://idp.example/other");
  REQUIRE_FALSE(miss);
  CHECK(miss.error().cls == ErrorClass::network);
  CHECK(miss.error().code == "offline");
  CHECK(f.http.seen.size() == 1);
}

TEST_CASE("cache::fetch_json: force_network bypasses a fresh entry; failures are keyed by status") {
  Fixture f;
  f.http.replies.push_back(response(200, R"({"keys":[]})"));
  f.http.replies.push_back(response(200, R"({"keys":[2]})"));
  f.http.replies.push_back(response(404, R"({"error":"not_found"})"));
  REQUIRE(cache::fetch_json(f.ctx, kUrl));
  auto forced = cache::fetch_json(f.ctx, kUrl, true);
  REQUIRE(forced);
  CHECK(forced->doc["keys"][0] == 2);
  CHECK(f.disk.get(kUrl)->body == R"({"keys":[2]})");
  auto nf = cache::fetch_json(f.ctx, "https://idp.example/nope");
  CHECK(nf.error().code == "http_404");
}

TEST_CASE("cache::fetch_json: an unwritable cache is a warning, not a failure") {
  Fixture f;
  cache::DiskCache bad("/proc/definitely/not/writable");
  f.ctx.cache = &bad;
  f.http.replies.push_back(response(200, R"({"keys":[]})"));
  auto r = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(r);
  REQUIRE(r->warnings.size() == 1);
  CHECK(r->warnings[0].rfind("not cached: ", 0) == 0);
}

TEST_CASE("cache::fetch_json: --insecure never stores; a CA bundle is part of the key") {
  Fixture f;
  f.http.opts.insecure = true;
  f.http.replies.push_back(response(200, R"({"keys":["insecure"]})"));
  auto insecure = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(insecure);
  CHECK(insecure->not_cached == "--insecure");
  CHECK_FALSE(f.disk.get(kUrl));

  f.http.opts.insecure = false;
  f.http.opts.cacert = f.root + "/ca.pem";
  f.http.replies.push_back(response(200, R"({"keys":["ca"]})"));
  REQUIRE(cache::fetch_json(f.ctx, kUrl));
  CHECK_FALSE(f.disk.get(kUrl)); // the system store never sees it
  CHECK(f.disk.get(kUrl, f.root + "/ca.pem")->body == R"({"keys":["ca"]})");
  auto again = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(again);
  CHECK(again->from_cache);

  f.http.opts.cacert.clear();
  f.http.replies.push_back(response(200, R"({"keys":["system"]})"));
  auto system = cache::fetch_json(f.ctx, kUrl);
  REQUIRE(system);
  CHECK_FALSE(system->from_cache);
  CHECK(f.http.seen.size() == 3);
}
