#include "core/oidc/device.hpp"

#include "core/util/interrupt.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace tollgate::core::oidc {

Result<DeviceAuthorization> parse_device_authorization(const util::Json& doc,
                                                       std::string_view endpoint) {
  auto bad = [&](std::string_view why) {
    return network_error(
        "bad_device_response",
        fmt::format("{}: the device authorization response {}", http::display_url(endpoint), why));
  };
  if (!doc.is_object()) {
    return bad("is not a JSON object");
  }
  DeviceAuthorization d;
  d.raw = doc;
  auto str = [&](const char* k, std::string& out) {
    if (doc.contains(k) && doc[k].is_string()) {
      out = doc[k].get<std::string>();
      return true;
    }
    return false;
  };
  if (!str("device_code", d.device_code) || !str("user_code", d.user_code)
      || !str("verification_uri", d.verification_uri)) {
    return bad("lacks device_code, user_code or verification_uri (RFC 8628 3.2)");
  }
  // Google's early implementation said verification_url; accept it for the display.
  str("verification_uri_complete", d.verification_uri_complete);
  if (!doc.contains("expires_in") || !doc["expires_in"].is_number_integer()
      || doc["expires_in"].get<std::int64_t>() <= 0) {
    return bad("has no positive integer \"expires_in\"");
  }
  d.expires_in = doc["expires_in"].get<std::int64_t>();
  if (doc.contains("interval")) {
    if (!doc["interval"].is_number_integer() || doc["interval"].get<std::int64_t>() < 0) {
      return bad("has an \"interval\" that is not a non-negative integer");
    }
    d.interval = doc["interval"].get<std::int64_t>();
  }
  return d;
}

Result<DeviceAuthorization> start_device_authorization(http::HttpClient& http,
                                                       const std::string& endpoint,
                                                       const Client& client,
                                                       const GrantExtras& extras) {
  http::Params form;
  if (!extras.scope.empty()) {
    form.emplace_back("scope", extras.scope);
  }
  for (const auto& r : extras.resources) {
    form.emplace_back("resource", r);
  }
  TOLLGATE_TRY(auto doc, post_form(http, endpoint, client, std::move(form)));
  return parse_device_authorization(doc, endpoint);
}

PollClock system_poll_clock() {
  PollClock c;
  c.now = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  c.sleep = [](double seconds) -> Result<void> {
    using namespace std::chrono;
    const auto until =
        steady_clock::now() + duration_cast<steady_clock::duration>(duration<double>(seconds));
    while (steady_clock::now() < until) {
      if (util::interrupted()) {
        return Error{ErrorClass::interrupted, "interrupted", "interrupted"};
      }
      const steady_clock::duration left = until - steady_clock::now();
      std::this_thread::sleep_for(std::min<steady_clock::duration>(left, milliseconds(100)));
    }
    return {};
  };
  return c;
}

Result<TokenResponse> poll_device_token(http::HttpClient& http,
                                        const std::string& token_endpoint,
                                        const Client& client,
                                        const DeviceAuthorization& a,
                                        const PollClock& clock) {
  const double deadline = clock.now() + static_cast<double>(a.expires_in);
  // An interval of 0 would make a hot loop against the IdP; poll at most once a second.
  double interval = std::max(1.0, static_cast<double>(a.interval));
  while (true) {
    TOLLGATE_CHECK(clock.sleep(interval));
    if (clock.now() >= deadline) {
      return network_error("expired_token",
                           fmt::format("the device code expired after {} s before the sign-in was "
                                       "completed at {}",
                                       a.expires_in,
                                       util::terminal_safe(a.verification_uri)));
    }
    http::Params form{{"grant_type", kDeviceCodeGrant}, {"device_code", a.device_code}};
    auto doc = post_form(http, token_endpoint, client, std::move(form));
    if (doc) {
      return parse_token_response(*doc, token_endpoint);
    }
    const Error& e = doc.error();
    if (e.code == "authorization_pending") {
      continue;
    }
    if (e.code == "slow_down") {
      interval += 5; // RFC 8628 3.5
      continue;
    }
    if (e.code == "timeout") {
      interval *= 2; // RFC 8628 3.5: back off on connection timeouts
      continue;
    }
    if (e.code == "expired_token") {
      return network_error("expired_token",
                           fmt::format("the device code expired before the sign-in was completed "
                                       "({})",
                                       e.message));
    }
    if (e.code == "access_denied") {
      return network_error("access_denied",
                           fmt::format("the user denied the device authorization ({})", e.message));
    }
    return e;
  }
}

} // namespace tollgate::core::oidc
