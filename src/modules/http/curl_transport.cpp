// The libcurl implementation of core::http::Transport, built as the run-time module
// tollgate_http.so so that offline commands never pay for loading libcurl and its TLS stack.
// One multi handle owns the connection cache (keep-alive across requests of one process) and runs
// transfers concurrently; easy handles are pooled and reused.
#include "core/http/transport.hpp"

#include <curl/curl.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tollgate::core::http {
namespace {

struct Active {
  Transfer* t = nullptr;
  curl_slist* headers = nullptr;
  bool too_large = false;
  bool aborted = false; // by abort_all() (the interrupted() callback said so)
  char error[CURL_ERROR_SIZE] = {};
  const TransportConfig* cfg = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Active*>(user);
  const std::size_t len = size * n;
  if (a->t->response_body.size() + len > a->t->max_bytes) {
    a->too_large = true;
    return 0; // aborts with CURLE_WRITE_ERROR
  }
  a->t->response_body.append(data, len);
  return len;
}

std::string_view trim_crlf(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Active*>(user);
  const std::size_t len = size * n;
  std::string_view line = trim_crlf(std::string_view(data, len));
  if (line.rfind("HTTP/", 0) == 0) {
    a->t->response_headers.clear(); // a new response (after 1xx): keep only the final one
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return len;
  }
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  a->t->response_headers.emplace_back(std::string(name), std::string(value));
  return len;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t len, void* user) {
  auto* a = static_cast<Active*>(user);
  const TransportConfig* cfg = a->cfg;
  switch (type) {
  case CURLINFO_TEXT:
    cfg->trace(cfg->trace_ctx, a->t, TraceKind::info, data, len);
    break;
  case CURLINFO_HEADER_OUT:
    cfg->trace(cfg->trace_ctx, a->t, TraceKind::header_out, data, len);
    break;
  case CURLINFO_HEADER_IN:
    cfg->trace(cfg->trace_ctx, a->t, TraceKind::header_in, data, len);
    break;
  default:
    break; // bodies are traced by the core, which knows what to redact
  }
  return 0;
}

class CurlTransport final : public Transport {
public:
  explicit CurlTransport(const TransportConfig& cfg) : m_cfg(cfg) {
    m_multi = curl_multi_init();
    curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS, cfg.max_host_connections);
    // Keep that many idle connections: libcurl's default cache size follows the number of easy
    // handles, so it shrinks when a batch of transfers drains and kept-alive connections would
    // be closed, to be opened again for the next batch.
    curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS, cfg.max_host_connections);
    // HTTP/2 multiplexing when the server offers it (libcurl's default for https).
    curl_multi_setopt(m_multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  }

  ~CurlTransport() override {
    for (auto& [easy, active] : m_active) {
      curl_multi_remove_handle(m_multi, easy);
      curl_slist_free_all(active->headers);
      curl_easy_cleanup(easy);
    }
    for (CURL* easy : m_free) {
      curl_easy_cleanup(easy);
    }
    curl_multi_cleanup(m_multi);
  }

  void start(Transfer& t) override {
    CURL* easy = take_handle();
    auto active = std::make_unique<Active>();
    active->t = &t;
    active->cfg = &m_cfg;
    t.failure = Failure::none;
    t.detail.clear();
    t.status = 0;
    t.response_headers.clear();
    t.response_body.clear();
    configure(easy, *active);
    Active* raw = active.get();
    m_active.emplace(easy, std::move(active));
    if (curl_multi_add_handle(m_multi, easy) != CURLM_OK) {
      raw->t->failure = Failure::other;
      raw->t->detail = "libcurl refused the transfer";
      finish(easy, CURLE_OK, true);
    }
  }

  std::vector<Transfer*> wait(long max_wait_ms) override {
    std::vector<Transfer*> done;
    done.swap(m_done);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
    while (done.empty() && !m_active.empty()) {
      int running = 0;
      curl_multi_perform(m_multi, &running);
      collect(done);
      if (!done.empty() || m_active.empty()) {
        break;
      }
      if (m_cfg.interrupted != nullptr && m_cfg.interrupted()) {
        abort_all(done);
        break;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        break;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      // Short polls so that an interrupt is seen promptly even while nothing moves.
      curl_multi_poll(m_multi, nullptr, 0, static_cast<int>(left < 100 ? left : 100), nullptr);
    }
    return done;
  }

  std::size_t in_flight() const override { return m_active.size(); }

private:
  CURL* take_handle() {
    if (!m_free.empty()) {
      CURL* easy = m_free.back();
      m_free.pop_back();
      curl_easy_reset(easy);
      return easy;
    }
    return curl_easy_init();
  }

  void configure(CURL* easy, Active& a) {
    Transfer& t = *a.t;
    curl_easy_setopt(easy, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, m_cfg.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, t.timeout_ms);
    const long connect = m_cfg.connect_timeout_ms > 0 && m_cfg.connect_timeout_ms < t.timeout_ms
                             ? m_cfg.connect_timeout_ms
                             : t.timeout_ms;
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    if (t.method == "GET") {
      // Documents (discovery, JWKS, resource lists) may come compressed; the small form answers
      // of POSTs are asked for as they are, which saves libcurl work on the batch hot path.
      curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, ""); // what libcurl can decode
    }
    // Refuse before reading when Content-Length already says too much; the write callback
    // enforces the limit on the decoded bytes either way.
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_bytes));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, a.error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &a);
    // No progress callback: wait() polls the interrupt flag itself (at least every 100 ms) and
    // aborts every transfer; libcurl's progress bookkeeping is a measurable cost per request.
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &a);
    if (t.direct) {
      curl_easy_setopt(easy, CURLOPT_PROXY, ""); // "": no proxy, not even from the environment
    }
    if (!m_cfg.cacert.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, m_cfg.cacert.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    }
    if (m_cfg.insecure) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (m_cfg.trace != nullptr) {
      curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
      curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
      curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &a);
    }
    for (const auto& h : t.headers) {
      a.headers = curl_slist_append(a.headers, h.c_str());
    }
    // libcurl adds "Expect: 100-continue" to large POSTs; IdPs gain nothing from it.
    a.headers = curl_slist_append(a.headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, a.headers);
    if (t.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (t.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      if (t.method == "POST" || !t.body.empty()) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
      }
      if (t.method != "POST") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t.method.c_str());
      }
    }
  }

  void collect(std::vector<Transfer*>& done) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
      if (msg->msg == CURLMSG_DONE) {
        CURL* easy = msg->easy_handle;
        auto it = m_active.find(easy);
        if (it != m_active.end()) {
          Transfer* t = it->second->t;
          finish(easy, msg->data.result, false);
          done.push_back(t);
        }
      }
    }
    for (Transfer* t : m_done) {
      done.push_back(t);
    }
    m_done.clear();
  }

  void abort_all(std::vector<Transfer*>& done) {
    std::vector<CURL*> easies;
    for (auto& [easy, active] : m_active) {
      easies.push_back(easy);
    }
    for (CURL* easy : easies) {
      Transfer* t = m_active[easy]->t;
      m_active[easy]->aborted = true;
      finish(easy, CURLE_ABORTED_BY_CALLBACK, false);
      done.push_back(t);
    }
  }

  // Fill the outcome of `easy`'s transfer and return the handle to the pool.
  void finish(CURL* easy, CURLcode code, bool queue_done) {
    auto it = m_active.find(easy);
    Active& a = *it->second;
    Transfer& t = *a.t;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t total_us = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
    t.seconds = static_cast<double>(total_us) / 1e6;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    if (t.failure == Failure::none) {
      classify(easy, code, a, status);
    }
    t.status = t.failure == Failure::none ? status : 0;
    t.connection_reused = t.failure == Failure::none && connects == 0;
    curl_multi_remove_handle(m_multi, easy);
    curl_slist_free_all(a.headers);
    m_active.erase(it);
    m_free.push_back(easy);
    if (queue_done) {
      m_done.push_back(&t);
    }
  }

  void classify(CURL* easy, CURLcode code, Active& a, long status) {
    Transfer& t = *a.t;
    t.detail = a.error[0] != '\0' ? a.error : curl_easy_strerror(code);
    switch (code) {
    case CURLE_OK:
      t.failure = status == 0 ? Failure::io : Failure::none;
      if (status == 0) {
        t.detail = "no HTTP response";
      } else {
        t.detail.clear();
      }
      return;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      t.failure = Failure::resolve;
      return;
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      t.failure = os_errno == ECONNREFUSED ? Failure::refused : Failure::connect;
      return;
    }
    case CURLE_OPERATION_TIMEDOUT: {
      // A reused keep-alive connection has no connect time either: only a transfer that never
      // connected and never sent its request timed out connecting.
      curl_off_t connect_us = 0;
      curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
      long request_bytes = 0;
      curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
      t.failure =
          connect_us == 0 && request_bytes == 0 ? Failure::connect_timeout : Failure::timeout;
      return;
    }
    case CURLE_PEER_FAILED_VERIFICATION: {
      long verify = 0;
      curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &verify);
      t.tls_verify_result = verify;
      t.failure = verify != 0 ? Failure::tls_verify : Failure::tls;
      return;
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_USE_SSL_FAILED:
      t.failure = Failure::tls;
      return;
    case CURLE_FILESIZE_EXCEEDED:
      t.failure = Failure::too_large;
      return;
    case CURLE_WRITE_ERROR:
      t.failure = a.too_large ? Failure::too_large : Failure::io;
      return;
    case CURLE_ABORTED_BY_CALLBACK:
      t.failure = Failure::interrupted;
      return;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
      t.failure = Failure::io;
      return;
    default:
      t.failure = Failure::other;
      return;
    }
  }

  TransportConfig m_cfg;
  CURLM* m_multi = nullptr;
  std::map<CURL*, std::unique_ptr<Active>> m_active;
  std::vector<CURL*> m_free;
  std::vector<Transfer*> m_done;
};

} // namespace
} // namespace tollgate::core::http

extern "C" __attribute__((visibility("default"))) tollgate::core::http::Transport*
tollgate_http_transport_v1(const tollgate::core::http::TransportConfig* config) {
  if (config == nullptr || config->abi != tollgate::core::http::kTransportAbi) {
    return nullptr;
  }
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) {
    return nullptr;
  }
  try {
    return new tollgate::core::http::CurlTransport(*config);
  } catch (...) {
    return nullptr;
  }
}
