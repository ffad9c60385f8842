#pragma once

#include "core/oidc/token.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace tollgate::core::oidc {

inline constexpr const char* kDeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

// RFC 8628 3.2: the device authorization response.
struct DeviceAuthorization {
  std::string device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete; // "" when not sent
  std::int64_t expires_in = 0;
  std::int64_t interval = 5; // RFC 8628 3.2: 5 seconds when absent
  util::Json raw;
};

Result<DeviceAuthorization> parse_device_authorization(const util::Json& doc,
                                                       std::string_view endpoint);

// RFC 8628 3.1: ask the device authorization endpoint for a user code.
Result<DeviceAuthorization> start_device_authorization(http::HttpClient& http,
                                                       const std::string& endpoint,
                                                       const Client& client,
                                                       const GrantExtras& extras);

// The time seams of the poll loop: `now` in seconds (any epoch), `sleep` waits and returns an
// interrupted Error when the user pressed Ctrl-C.
struct PollClock {
  std::function<double()> now;
  std::function<Result<void>(double seconds)> sleep;
};
// steady_clock and an interruptible sleep (checks util::interrupted() every 100 ms).
PollClock system_poll_clock();

// RFC 8628 3.4/3.5: poll the token endpoint until the user approves: wait `interval` before
// each request, keep waiting on authorization_pending, add 5 s to the interval on slow_down (for
// this and every later request), back off exponentially on a timeout, and stop on expired_token,
// access_denied, any other error, or when expires_in has passed.
Result<TokenResponse> poll_device_token(http::HttpClient& http,
                                        const std::string& token_endpoint,
                                        const Client& client,
                                        const DeviceAuthorization& authorization,
                                        const PollClock& clock);

} // namespace tollgate::core::oidc
