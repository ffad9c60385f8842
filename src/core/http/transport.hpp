#pragma once

// The boundary between the core and the run-time HTTP module (src/modules/http, libcurl). The
// module only moves bytes: policy (which URLs are allowed, redirects, size and JSON checks, error
// wording, redaction) stays in the core so that it is unit-tested without a network. This header
// is the whole ABI: plain structs and one abstract class, built by the same compiler from the same
// tree as the executable. Bump kTransportAbi whenever a layout here changes.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::core::http {

inline constexpr int kTransportAbi = 2;

// What the module reports to the trace callback; the core redacts and formats it.
enum class TraceKind {
  info,       // libcurl's own notes ("Connected to ...", "Re-using existing connection")
  header_out, // the request line and headers, as sent
  header_in,  // one response header line, as received
};
// `transfer` is the one the data belongs to (the core traces its request body after its headers).
struct Transfer;
using TraceFn = void (*)(
    void* ctx, const Transfer* transfer, TraceKind kind, const char* data, std::size_t len);

// Settings shared by every transfer of one transport.
struct TransportConfig {
  int abi = kTransportAbi;
  std::string user_agent;
  std::string cacert;    // CA bundle replacing the system store; "" = system store
  bool insecure = false; // skip peer and host verification (--insecure)
  long connect_timeout_ms = 0;
  long max_host_connections = 8;   // kept-alive connections per host (batch modes)
  bool (*interrupted)() = nullptr; // polled while transfers run; true aborts them all
  TraceFn trace = nullptr;         // null: no tracing (and no cost)
  void* trace_ctx = nullptr;
};

// Why a transfer produced no HTTP response.
enum class Failure {
  none,
  resolve,         // DNS
  refused,         // ECONNREFUSED
  connect,         // any other connect error (unreachable, reset during connect)
  connect_timeout, // no TCP connection within the connect timeout
  timeout,         // the whole transfer exceeded its timeout
  tls_verify,      // certificate verification failed; see tls_verify_result
  tls,             // other TLS failures (handshake, host name mismatch, bad CA file)
  too_large,       // the body exceeded max_bytes
  interrupted,     // the interrupted() callback said so
  io,              // send/receive failure, connection closed early, bad response
  other,
};

// One request and, once the transport hands it back, its outcome. The transport never follows
// redirects: a 3xx comes back as a response for the core to judge.
struct Transfer {
  // request
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers; // "Name: value" lines
  std::string body;                 // sent when non-empty or when method is POST
  long timeout_ms = 3000;
  std::size_t max_bytes = 1024 * 1024;
  bool direct = false; // never through a proxy, whatever the environment says (loopback targets)

  // outcome
  Failure failure = Failure::none;
  std::string detail;         // libcurl's error text for failures
  long tls_verify_result = 0; // OpenSSL X509_V_ERR_* code for tls_verify
  long status = 0;            // HTTP status of the response
  std::vector<std::pair<std::string, std::string>> response_headers; // names as received
  std::string response_body;
  bool connection_reused = false;
  double seconds = 0;

  void* user = nullptr; // the caller's own bookkeeping; the transport never touches it
};

// Runs transfers concurrently over kept-alive connections. Not thread-safe: one per thread.
class Transport {
public:
  virtual ~Transport() = default;
  // Queue a transfer; it must stay alive and unmodified until wait() returns it.
  virtual void start(Transfer& t) = 0;
  // Drive the queued transfers for up to `max_wait_ms` and return those that finished
  // (possibly none). Returns at once when nothing is queued.
  virtual std::vector<Transfer*> wait(long max_wait_ms) = 0;
  virtual std::size_t in_flight() const = 0;
};

// The module's one exported symbol: make a transport, or return null when `config->abi` is not
// the module's ABI (a stale module next to a newer executable).
using TransportFactoryFn = Transport* (*)(const TransportConfig* config);
inline constexpr const char* kTransportFactorySymbol = "tollgate_http_transport_v1";
inline constexpr const char* kTransportModuleName = "tollgate_http.so";

} // namespace tollgate::core::http
