#include "core/oidc/profile.hpp"

#include <doctest/doctest.h>

using namespace tollgate::core;
using namespace tollgate::core::oidc;

TEST_CASE("oidc::parse_profiles reads every key") {
  auto f = parse_profiles(R"(profiles:
  dev:
    issuer: https://sso.example.com/realms/dev
    token_endpoint: https://sso.example.com/t
    client_id: cli
    client_secret_file: secrets/dev
    client_auth: none
    audience: api
    timeout_ms: 1500
    cacert: ~/ca.pem
  empty: {}
)",
                          "/etc/tg/config.yaml",
                          "/home/a");
  REQUIRE(f);
  REQUIRE(f->profiles.size() == 2);
  const Profile& p = f->profiles[0];
  CHECK(p.name == "dev");
  CHECK(p.line == 2);
  CHECK(*p.issuer == "https://sso.example.com/realms/dev");
  CHECK(*p.token_endpoint == "https://sso.example.com/t");
  CHECK(*p.client_secret_file == "/etc/tg/secrets/dev");
  CHECK(*p.client_auth == "none");
  CHECK(*p.audience == "api");
  CHECK(*p.timeout_ms == 1500);
  CHECK(*p.cacert == "/home/a/ca.pem");
  CHECK_FALSE(f->profiles[1].issuer);
  CHECK(*select_profile(*f, "") == nullptr);
  CHECK((*select_profile(*f, "dev"))->name == "dev");
  CHECK(select_profile(*f, "prod").error().message.find("(profiles: dev, empty)")
        != std::string::npos);
}

TEST_CASE("oidc::parse_profiles errors carry file:line:col") {
  auto err = [](const std::string& text) {
    return parse_profiles(text, "c.yaml", nullptr).error().message;
  };
  CHECK(err("profiles:\n  a:\n    client_id: x\n    client_id: y\n")
        == "c.yaml:4:5: key 'client_id' appears twice in profile 'a'");
  CHECK(err("profiles:\n  a:\n    timeout_ms: 0\n").rfind("c.yaml:3:17: timeout_ms '0'", 0) == 0);
  CHECK(err("profiles:\n  a:\n    issuer: \n").rfind("c.yaml:3:12: 'issuer' is empty", 0) == 0);
  CHECK(err("profiles: [a]\n").rfind("c.yaml:1:11: 'profiles' must be a mapping", 0) == 0);
  CHECK(err("profiles:\n  a: x\n").rfind("c.yaml:2:6: profile 'a' must be a mapping", 0) == 0);
  CHECK(err("a: 1\n---\nb: 2\n").find("a second YAML document") != std::string::npos);
  CHECK(err("profiles:\n  a:\n  - b\n").rfind("c.yaml:", 0) == 0); // YAML syntax error from libyaml
}

TEST_CASE("oidc::parse_profiles accepts empty files") {
  CHECK(parse_profiles("", "c.yaml", nullptr)->profiles.empty());
  CHECK(parse_profiles("# nothing\n", "c.yaml", nullptr)->profiles.empty());
  CHECK(parse_profiles("profiles:\n", "c.yaml", nullptr)->profiles.empty());
  CHECK(default_config_path("/x", "/h") == "/x/tollgate/config.yaml");
  CHECK(default_config_path(nullptr, "/h") == "/h/.config/tollgate/config.yaml");
}
