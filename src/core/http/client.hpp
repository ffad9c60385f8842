#pragma once

#include "core/http/transport.hpp"
#include "core/http/url.hpp"
#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::http {

inline constexpr long kDefaultTimeoutMs = 3000;
inline constexpr std::size_t kDefaultMaxResponseBytes = 1024 * 1024;
inline constexpr int kMaxRedirects = 3;

// How every request of one client behaves (the network flags of the CLI).
struct ClientOptions {
  long timeout_ms = kDefaultTimeoutMs; // per request, across its redirects
  std::string cacert;                  // CA bundle replacing the system store
  bool insecure = false;               // no certificate or host name verification
  bool allow_http = false;             // plain http:// to hosts other than loopback
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  int max_redirects = kMaxRedirects;
  std::string user_agent = "tollgate/" TOLLGATE_VERSION;
  long max_connections = 8; // kept-alive connections per host that perform_all may open
  // -v: receives finished trace lines ("> GET /x HTTP/1.1", "< HTTP/1.1 200 OK", "* ..."), with
  // secrets and tokens already redacted. Null: no tracing.
  std::function<void(std::string_view line)> trace;
};

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::size_t max_bytes = 0; // 0: ClientOptions::max_response_bytes
  bool follow_redirects = true;
};

struct Response {
  long status = 0;
  std::string url; // after redirects
  std::vector<Header> headers;
  std::string body;
  bool connection_reused = false;

  // The first value of a header (case-insensitive name), "" when absent.
  std::string header(std::string_view name) const;
  // The media type without parameters, lower case: "application/json"; "" when absent.
  std::string media_type() const;
  bool ok() const { return status >= 200 && status < 300; }
};

// Issues HTTP requests. The production implementation sits on a run-time Transport; tests use
// scripted fakes. Not thread-safe.
class HttpClient {
public:
  virtual ~HttpClient() = default;
  // Perform the requests concurrently over kept-alive connections; one result per request, in
  // the same order. A failed request never affects the others.
  virtual std::vector<Result<Response>> perform_all(std::vector<Request> requests) = 0;
  Result<Response> perform(Request request);
  virtual const ClientOptions& options() const = 0;
};

// The transport policy, decided before anything connects: http and https only, and plain http
// only to a loopback host or with allow_http. A refused URL is a usage error that names the URL
// and the flag.
Result<Url> check_url(std::string_view url, const ClientOptions& options);

// Makes the Transport on the first request (so commands that end up not needing the network never
// load the module).
using TransportFactory =
    std::function<Result<std::unique_ptr<Transport>>(const TransportConfig& config)>;

// The real client: policy, redirects (at most max_redirects, never https to http, POST only
// same-origin 307/308), size caps, timeouts, redacted traces, over `factory`'s transport.
std::unique_ptr<HttpClient> make_client(ClientOptions options, TransportFactory factory);

// "https://idp/x: HTTP 404" plus, for OAuth-style JSON error bodies, "invalid_client: ..." and,
// for other bodies, the media type and first bytes. Network class; the code is the OAuth "error"
// value when there is one, else "http_<status>" ("http_404").
Error status_error(const Response& response);

// The body as strict JSON, or a network error "URL: response is not JSON (text/html, first bytes:
// <!DOCTYPE…)" / "URL: response is not valid JSON at byte 12".
Result<util::Json> json_body(const Response& response);

// The first bytes of a body for messages, made util::terminal_safe, whitespace runs as one space:
// at most `max` bytes (plus the rest of a cut UTF-8 character), "…" when cut.
std::string first_bytes(std::string_view body, std::size_t max = 20);

// The one-line cause for a transfer that got no response ("connection refused", "timed out after
// 3000 ms", "TLS: certificate has expired"); exposed for unit tests.
Error transfer_error(const Transfer& t, const ClientOptions& options, long connect_timeout_ms);

// A byte count for messages: "1 MiB", "64 KiB", "1000 bytes".
std::string size_text(std::size_t bytes);

} // namespace tollgate::core::http
