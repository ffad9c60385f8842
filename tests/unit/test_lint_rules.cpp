// The rule registry, rule selection, detection, placeholders, suppressions and verdicts.
#include "core/lint/detect.hpp"
#include "core/lint/lint.hpp"
#include "core/lint/values.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace tollgate::core::lint;

namespace {

FileReport lint(std::string path, std::string text, LintOptions opts = {}) {
  return lint_text(std::move(path), std::move(text), opts);
}

std::multiset<std::string> ids(const FileReport& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) {
    out.insert(std::string(rule_info(f.rule).id));
  }
  return out;
}

bool has(const FileReport& r, std::string_view id) {
  return ids(r).count(std::string(id)) > 0;
}

const char* kValidator =
    R"({"version": 3, "endpoints": [{"endpoint": "/a", "input_headers": ["X-User"],
  "backend": [{"url_pattern": "/a", "host": ["http://a"]}],
  "extra_config": {"auth/validator": {"alg": "RS256", "jwk_url": "JWK", "cache": true,
    "failed_jwk_key_cooldown": "10s", "issuer": "https://sso/realms/r", "audience": ["a"]}}}]})";

std::string with_url(std::string url) {
  std::string s = kValidator;
  s.replace(s.find("JWK"), 3, url);
  return s;
}

} // namespace

TEST_CASE("lint::rule table: one row per rule, unique ids, the severity policy") {
  std::set<std::string_view> seen;
  std::size_t i = 0;
  for (const auto& r : all_rules()) {
    CHECK(static_cast<std::size_t>(r.rule) == i++);
    CHECK(seen.insert(r.id).second);
    CHECK(!r.why.empty());
    CHECK(!r.help.empty());
    CHECK(find_rule(r.id) == &r);
    const bool prefixed =
        r.id.starts_with("krakend/") || r.id.starts_with("apisix/") || r.id.starts_with("online/");
    CHECK((prefixed || r.gateway == "any"));
  }
  CHECK(rule_info(Rule::krakend_validator_insecure_jwk_url).severity == Severity::error);
  CHECK(rule_info(Rule::krakend_validator_scopes_without_key).severity == Severity::error);
  CHECK(rule_info(Rule::apisix_permissive_without_permissions).severity == Severity::warning);
  CHECK(rule_info(Rule::apisix_unknown_plugin_key).severity == Severity::warning);
  CHECK(rule_info(Rule::krakend_validator_no_issuer).severity == Severity::info);
  CHECK(rule_info(Rule::krakend_validator_cache_without_cooldown).severity == Severity::info);
  CHECK(rule_info(Rule::apisix_missing_end_flag).severity == Severity::error);
}

TEST_CASE("lint::RuleSet::from_flags") {
  auto set = RuleSet::from_flags({"krakend/*"}, {"krakend/validator-no-cache"});
  REQUIRE(set.ok());
  CHECK_FALSE(set->enabled(Rule::krakend_validator_insecure_jwk_url));
  CHECK(set->enabled(Rule::krakend_validator_no_cache));
  CHECK(set->enabled(Rule::apisix_plugin_schema));
  auto all = RuleSet::from_flags({"*"}, {});
  REQUIRE(all.ok());
  CHECK_FALSE(all->enabled(Rule::duplicate_key));
  auto bad = RuleSet::from_flags({"krakend/validator-no-cach"}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("did you mean 'krakend/validator-no-cache'") != std::string::npos);
  CHECK(suggest_rule("validator-no-cache") == "krakend/validator-no-cache");
  CHECK(match_rules("apisix/*").size() > 10);
  CHECK(match_rules("nothing/*").empty());
}

TEST_CASE("lint::detect_shape is lenient") {
  auto shape = [](const char* text, std::optional<Gateway> g = std::nullopt) {
    auto out = parse_yaml(text);
    REQUIRE(!out.error);
    return detect_shape(out.doc->root(), SourceFormat::yaml, out.doc->text(), g);
  };
  CHECK(shape("version: 2\n") == Shape::krakend);
  CHECK(shape("endpoints: []\n") == Shape::krakend);
  CHECK(shape("uri: 5\nbogus: 1\n") == Shape::apisix_route);
  CHECK(shape("uris: [/a]\n") == Shape::apisix_route);
  CHECK(shape("plugins: {authz-keycloak: {}}\n") == Shape::apisix_plugin_config);
  CHECK(shape("plugins: {}\nupstream: {}\n") == Shape::apisix_service);
  CHECK(shape("routes: []\n#END\n") == Shape::apisix_standalone);
  CHECK(shape("services: [{name: s, routes: []}]\n") == Shape::adc);
  CHECK(shape("services: [{name: s, upstream: {nodes: [{host: a, port: 80, weight: 1}]}}]\n")
        == Shape::adc);
  CHECK(shape("upstreams: [{id: 1, nodes: [{host: a, port: 80, weight: 1}]}]\n#END\n")
        == Shape::apisix_standalone);
  CHECK(shape("deployment: {role: data_plane}\nplugins: [authz-keycloak]\n")
        == Shape::apisix_config);
  CHECK(shape("hello: world\n") == Shape::unknown);
  CHECK(shape("- a\n") == Shape::unknown);
  CHECK(shape("hello: world\n", Gateway::krakend) == Shape::krakend);
  CHECK(shape("endpoints: []\n", Gateway::apisix) == Shape::apisix_service);
  CHECK(guess_format("x.json", "a: 1") == SourceFormat::json);
  CHECK(guess_format("x.yml", "{}") == SourceFormat::yaml);
  CHECK(guess_format("-", "  {\"a\": 1}") == SourceFormat::json);
  CHECK(guess_format("-", "a: 1") == SourceFormat::yaml);
}

TEST_CASE("lint::has_end_flag reads the last 10 bytes like APISIX") {
  CHECK(has_end_flag("routes: []\n#END"));
  CHECK(has_end_flag("routes: []\n#END\n"));
  CHECK(has_end_flag("routes: []\n#END\n\n\n  \n"));
  CHECK_FALSE(has_end_flag("routes: []\n#END\n\n\n\n\n\n\n"));
  CHECK_FALSE(has_end_flag("routes: []\n"));
  CHECK_FALSE(has_end_flag("#END\nroutes: []\n"));
}

TEST_CASE("lint::placeholders are not judged") {
  CHECK(has_placeholder("${JWK_URL}"));
  CHECK(has_placeholder("${{KEYCLOAK}}/realms/x"));
  CHECK(has_placeholder("$env://SECRET"));
  CHECK(has_placeholder("$secret://vault/1/kc"));
  CHECK(has_placeholder("{{ .settings.url }}"));
  CHECK_FALSE(has_placeholder("/items/{id}"));
  CHECK_FALSE(has_placeholder("http://x"));
  auto r = lint("k.json", with_url("${JWK_URL}"));
  CHECK_FALSE(has(r, "krakend/validator-insecure-jwk-url"));
  auto r2 = lint("k.json", with_url("http://sso/certs"));
  CHECK(has(r2, "krakend/validator-insecure-jwk-url"));
  auto a = lint("a.yaml",
                "uri: /a\nupstream_id: 1\nplugins:\n  authz-keycloak:\n    client_id: c\n"
                "    client_secret: ${{SECRET}}\n    discovery: ${{KC}}/uma2\n    timeout: ${{T}}\n"
                "    permissions: [r]\n");
  CHECK(a.findings.empty());
}

TEST_CASE("lint::a clean KrakenD validator has no findings; each fault is reported at once (K3)") {
  auto clean = lint("k.json", with_url("https://sso/realms/r/protocol/openid-connect/certs"));
  CHECK(clean.findings.empty());
  CHECK(clean.shape == Shape::krakend);
  std::string bad = with_url("http://sso/certs");
  bad.replace(bad.find("\"RS256\""), 7, "\"rs256\"");
  auto r = lint("k.json", bad);
  CHECK(has(r, "krakend/validator-insecure-jwk-url"));
  CHECK(has(r, "krakend/schema-value"));
}

TEST_CASE("lint::suppressions") {
  SUBCASE("YAML comment on the line and on the line above") {
    const std::string text =
        "uri: /a\nupstream_id: 1\nplugins:\n  authz-keycloak:\n    client_id: c\n"
        "    discovery: https://sso/uma2\n"
        "    ssl_verify: false  # tollgate-lint: disable apisix/ssl-verify-disabled -- lab\n"
        "    # tollgate-lint: disable apisix/permission-format\n"
        "    permissions: [\"a#b, c\"]\n";
    auto r = lint("a.yaml", text);
    CHECK_FALSE(has(r, "apisix/ssl-verify-disabled"));
    CHECK_FALSE(has(r, "apisix/permission-format"));
    auto raw = lint(
        "a.yaml", text.substr(0, text.find("  # tollgate")) + "\n    permissions: [\"a#b, c\"]\n");
    CHECK(has(raw, "apisix/ssl-verify-disabled"));
    CHECK(has(raw, "apisix/permission-format"));
  }
  SUBCASE("disable-file and an unknown rule") {
    auto r = lint("a.yaml",
                  "# tollgate-lint: disable-file apisix/*, apisix/nope\nuri: /a\nplugins: "
                  "{authz-keycloak: {}}\n");
    CHECK(ids(r) == std::multiset<std::string>{"suppression-unknown-rule"});
    CHECK(r.findings[0].pos.line == 1);
    CHECK(r.findings[0].pos.column == 41);
  }
  SUBCASE("KrakenD comment key covers its object") {
    std::string s = with_url("http://sso/certs");
    s.replace(s.find("\"alg\""),
              5,
              "\"@tollgate-lint\": \"disable krakend/validator-insecure-jwk-url\", \"alg\"");
    auto r = lint("k.json", s);
    CHECK_FALSE(has(r, "krakend/validator-insecure-jwk-url"));
    CHECK_FALSE(has(r, "krakend/unknown-key"));
  }
}

TEST_CASE("lint::unreadable input is one finding and the unreadable verdict") {
  auto t = lint("krakend.tmpl", "{\n  \"version\": 3,\n  \"port\": {{ .service.port }}\n}\n");
  CHECK(t.unreadable);
  REQUIRE(t.findings.size() == 1);
  CHECK(rule_info(t.findings[0].rule).id == "krakend/flexible-config-template");
  CHECK(t.findings[0].pos.line == 3);
  CHECK(t.findings[0].pos.column == 11);
  CHECK(t.findings[0].pointer.empty());
  auto s = lint("x.json", "{\"a\": 1,,}");
  CHECK(ids(s) == std::multiset<std::string>{"syntax-error"});
  CHECK(s.findings[0].pos.column == 9);
  auto u = lint("x.yaml", "hello: world\n");
  CHECK(ids(u) == std::multiset<std::string>{"unknown-gateway"});
  CHECK(verdict({u}, false) == Verdict::unreadable);
  LintOptions off;
  off.rules = *RuleSet::from_flags({"*"}, {});
  auto quiet = lint("x.json", "{", off);
  CHECK(quiet.findings.size() == 1); // still says why, even with every rule disabled
}

TEST_CASE("lint::verdict: errors, --strict warnings, infos never") {
  FileReport ok, warn, err;
  Finding w;
  w.severity = Severity::warning;
  warn.findings.push_back(w);
  Finding e;
  e.severity = Severity::error;
  err.findings.push_back(e);
  Finding i;
  i.severity = Severity::info;
  ok.findings.push_back(i);
  CHECK(verdict({ok}, true) == Verdict::ok);
  CHECK(verdict({ok, warn}, false) == Verdict::ok);
  CHECK(verdict({ok, warn}, true) == Verdict::negative);
  CHECK(verdict({err, ok}, false) == Verdict::negative);
  FileReport io;
  io.io_error = "cannot read";
  CHECK(verdict({err, io}, false) == Verdict::unreadable);
}

TEST_CASE("lint::cross_check: config.yaml without authz-keycloak next to a route using it") {
  auto cfg = lint("config.yaml", "deployment:\n  role: traditional\nplugins:\n  - key-auth\n");
  auto route =
      lint("route.json",
           R"({"uri": "/a", "upstream_id": 1, "plugins": {"authz-keycloak": {"client_id": "c",
     "discovery": "https://sso/realms/r/.well-known/uma2-configuration", "lazy_load_paths": true}}})");
  std::vector<FileReport> all{cfg, route};
  cross_check(all, LintOptions{});
  REQUIRE(all[0].findings.size() == 1);
  CHECK(rule_info(all[0].findings[0].rule).id == "apisix/plugin-not-enabled");
  CHECK(all[0].findings[0].pos.line == 3);
  CHECK(all[1].findings.empty());
  std::vector<FileReport> alone{cfg};
  cross_check(alone, LintOptions{});
  CHECK(alone[0].findings.empty());
}

TEST_CASE("lint::find_template_action ignores actions inside JSON strings") {
  CHECK(find_template_action(R"({"url_pattern": "/{{.Id}}",})") == std::nullopt);
  CHECK(find_template_action("{\"a\": \"\\\"{{ .x }}\",\n \"p\": {{ .port }}}")
        == std::optional<std::uint32_t>(26));
  auto r = lint("k.json", "{\"version\": 3, \"endpoints\": [{\"endpoint\": \"/{{.x}}\",}]}");
  CHECK(ids(r) == std::multiset<std::string>{"syntax-error"});
}

TEST_CASE("lint::standalone consumers are keyed by username and need no id") {
  auto r = lint("apisix.yaml",
                "consumers:\n  - username: alice\n    plugins: {key-auth: {key: k}}\nroutes:\n"
                "  - id: a\n    uri: /a\n    upstream_id: u\n#END\n");
  CHECK(r.findings.empty());
}
