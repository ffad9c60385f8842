#include "core/http/client.hpp"

#include "core/http/redact.hpp"
#include "core/util/interrupt.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace tollgate::core::http {
namespace {

using Clock = std::chrono::steady_clock;

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool interrupted_trampoline() {
  return util::interrupted();
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view line : util::split(text, '\n')) {
    while (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

bool has_json_content_type(const std::vector<std::string>& headers) {
  for (const auto& h : headers) {
    if (util::istarts_with(h, "content-type:") && h.find("json") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string excerpt_for_trace(const Response& r) {
  constexpr std::size_t kMax = 2048;
  const std::string media = r.media_type();
  std::string text;
  if (media.find("json") != std::string::npos
      || (!r.body.empty() && (r.body[0] == '{' || r.body[0] == '['))) {
    text = redact_json_text(r.body);
  } else if (media.find("x-www-form-urlencoded") != std::string::npos) {
    text = redact_form(r.body);
  } else {
    text = redact_jwts(r.body);
  }
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  if (text.size() > kMax) {
    text.resize(kMax);
    text += "…";
  }
  return text;
}

// RFC 9110 5.5: a field value never holds CR, LF or NUL, and a name is a token. Either would let
// a value (a token, a client id) start a header of its own; refused before anything is sent. The
// value is not shown: it may be a credential.
Result<void> check_headers(const Request& r) {
  for (const auto& h : r.headers) {
    const bool bad_name = h.name.empty() || std::any_of(h.name.begin(), h.name.end(), [](char c) {
                            return c <= 0x20 || c >= 0x7f || c == ':';
                          });
    const bool bad_value =
        h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    if (bad_name || bad_value) {
      return usage_error("bad_header",
                         fmt::format("refusing to send the {} header to {}: its {} contains a CR, "
                                     "LF or other control character",
                                     bad_name ? "'" + first_bytes(h.name, 40) + "'" : h.name,
                                     display_url(r.url),
                                     bad_name ? "name" : "value"));
    }
  }
  return {};
}

struct Job {
  Request request;
  Url url;
  int hops = 0;
  std::vector<std::string> visited;
  Clock::time_point deadline;
  Transfer transfer;
  std::optional<Result<Response>> result;
};

class TransportClient final : public HttpClient {
public:
  TransportClient(ClientOptions options, TransportFactory factory)
      : m_opts(std::move(options)), m_factory(std::move(factory)) {
    // A connect timeout below the total one lets a black-holed address fail with its own message
    // while leaving most of the budget to slow servers.
    m_connect_timeout = std::min(m_opts.timeout_ms, std::max<long>(1000, m_opts.timeout_ms / 2));
  }

  const ClientOptions& options() const override { return m_opts; }

  std::vector<Result<Response>> perform_all(std::vector<Request> requests) override {
    std::vector<std::unique_ptr<Job>> jobs;
    jobs.reserve(requests.size());
    bool any = false;
    for (auto& r : requests) {
      auto job = std::make_unique<Job>();
      auto headers = check_headers(r);
      auto url = check_url(r.url, m_opts);
      job->request = std::move(r);
      if (!headers) {
        job->result = std::move(headers).error();
      } else if (!url) {
        job->result = std::move(url).error();
      } else {
        job->url = std::move(*url);
        any = true;
      }
      jobs.push_back(std::move(job));
    }
    if (any) {
      if (auto loaded = ensure_transport(); !loaded) {
        for (auto& job : jobs) {
          if (!job->result) {
            job->result = loaded.error();
          }
        }
      } else {
        run(jobs);
      }
    }
    std::vector<Result<Response>> out;
    out.reserve(jobs.size());
    for (auto& job : jobs) {
      out.push_back(std::move(*job->result));
    }
    return out;
  }

private:
  Result<void> ensure_transport() {
    if (m_transport) {
      return {};
    }
    if (m_load_error) {
      return *m_load_error;
    }
    TransportConfig cfg;
    cfg.user_agent = m_opts.user_agent;
    cfg.cacert = m_opts.cacert;
    cfg.insecure = m_opts.insecure;
    cfg.connect_timeout_ms = m_connect_timeout;
    cfg.max_host_connections = m_opts.max_connections;
    cfg.interrupted = &interrupted_trampoline;
    if (m_opts.trace) {
      cfg.trace = &TransportClient::on_trace;
      cfg.trace_ctx = this;
    }
    auto made = m_factory(cfg);
    if (!made) {
      m_load_error = made.error();
      return made.error();
    }
    m_transport = std::move(*made);
    return {};
  }

  static void
  on_trace(void* ctx, const Transfer* t, TraceKind kind, const char* data, std::size_t len) {
    auto* self = static_cast<TransportClient*>(ctx);
    const std::string_view text(data, len);
    const char* prefix = kind == TraceKind::info         ? "* "
                         : kind == TraceKind::header_out ? "> "
                                                         : "< ";
    for (std::string_view line : lines_of(text)) {
      const std::string shown =
          kind == TraceKind::info ? redact_info_line(line) : redact_header_line(line);
      self->trace(std::string(prefix) + shown);
    }
    // The body after the headers it follows on the wire, redacted as a whole.
    if (kind == TraceKind::header_out && t != nullptr && !t->body.empty()) {
      self->trace_request_body(*t);
    }
  }

  void trace_request_body(const Transfer& t) {
    const std::string shown =
        has_json_content_type(t.headers) ? redact_json_text(t.body) : redact_form(t.body);
    trace(fmt::format("> [request body, {} bytes] {}", t.body.size(), shown));
  }

  // Every trace line goes out here, scrubbed of the secret values sent so far.
  void trace(const std::string& line) {
    if (m_opts.trace) {
      m_opts.trace(m_secrets.scrub(line));
    }
  }

  void start(Job& job) {
    Transfer& t = job.transfer;
    const auto now = Clock::now();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(job.deadline - now).count();
    if (left <= 0) {
      t.failure = Failure::timeout;
      job.result = transfer_error(t, m_opts, m_connect_timeout);
      return;
    }
    t = Transfer{};
    t.method = job.request.method;
    t.url = job.url.str();
    // A proxy from the environment is for the outside world: a loopback server is this machine's
    // own (a test IdP, the port a login redirect comes back to), and a proxy would see its tokens.
    t.direct = is_loopback_host(job.url);
    for (const auto& h : job.request.headers) {
      t.headers.push_back(h.name + ": " + h.value);
    }
    t.body = job.request.body;
    if (m_opts.trace) {
      m_secrets.add_request(t.headers, t.body, has_json_content_type(t.headers));
    }
    t.timeout_ms = left;
    t.max_bytes = job.request.max_bytes != 0 ? job.request.max_bytes : m_opts.max_response_bytes;
    t.user = &job;
    m_transport->start(t);
  }

  void run(std::vector<std::unique_ptr<Job>>& jobs) {
    // At most max_connections transfers in flight: a request's timeout starts when it is handed
    // to the transport, so one queued behind a slow server is not timed out by the wait.
    const std::size_t window = static_cast<std::size_t>(std::max<long>(1, m_opts.max_connections));
    std::size_t next = 0;
    auto feed = [&] {
      while (next < jobs.size() && m_transport->in_flight() < window) {
        Job& job = *jobs[next++];
        if (job.result) {
          continue;
        }
        job.deadline = Clock::now() + std::chrono::milliseconds(m_opts.timeout_ms);
        job.visited.push_back(job.url.str());
        start(job);
      }
    };
    feed();
    while (m_transport->in_flight() > 0) {
      for (Transfer* t : m_transport->wait(200)) {
        finish(*static_cast<Job*>(t->user));
      }
      feed();
    }
  }

  void finish(Job& job) {
    Transfer& t = job.transfer;
    if (t.failure != Failure::none) {
      job.result = transfer_error(t, m_opts, m_connect_timeout);
      return;
    }
    Response r;
    r.status = t.status;
    r.url = t.url;
    r.body = std::move(t.response_body);
    r.connection_reused = t.connection_reused;
    for (auto& [k, v] : t.response_headers) {
      r.headers.push_back({k, v});
    }
    if (m_opts.trace && !r.body.empty()) {
      trace(fmt::format("< [response body, {} bytes] {}", r.body.size(), excerpt_for_trace(r)));
    }
    if (job.request.follow_redirects && is_redirect(r.status) && !r.header("location").empty()) {
      if (auto next = redirect(job, r); !next) {
        job.result = std::move(next).error();
      } else {
        start(job);
      }
      return;
    }
    job.result = std::move(r);
  }

  // Decide whether to follow a redirect; on success job.url/request are updated for the next hop.
  Result<void> redirect(Job& job, const Response& r) {
    const std::string from = job.url.str();
    const std::string location = r.header("location");
    auto target = resolve_reference(job.url, location);
    if (!target) {
      return network_error("bad_redirect",
                           fmt::format("{}: HTTP {} redirect to an invalid Location '{}'",
                                       from,
                                       r.status,
                                       util::excerpt(util::terminal_safe(location), 120)));
    }
    const std::string to = target->str();
    if (job.url.scheme == "https" && target->scheme == "http") {
      return network_error(
          "redirect_refused",
          fmt::format("{}: redirect from https to http refused (Location: {})", from, to));
    }
    if (std::find(job.visited.begin(), job.visited.end(), to) != job.visited.end()) {
      return network_error("redirect_loop",
                           fmt::format("{}: redirect loop (Location: {})", from, to));
    }
    if (job.hops >= m_opts.max_redirects) {
      return network_error("too_many_redirects",
                           fmt::format("{}: more than {} redirects (Location: {})",
                                       job.visited.front(),
                                       m_opts.max_redirects,
                                       to));
    }
    if (auto ok = check_url(to, m_opts); !ok) {
      return network_error("redirect_refused",
                           fmt::format("{}: redirect refused: {}", from, ok.error().message));
    }
    const bool same_origin = target->origin() == job.url.origin();
    if (job.request.method != "GET" && job.request.method != "HEAD") {
      // A 301/302/303 would turn the POST into a GET without its body, and re-posting client
      // credentials to another origin would leak them: follow only same-origin 307/308.
      if ((r.status != 307 && r.status != 308) || !same_origin) {
        return network_error(
            "redirect_refused",
            fmt::format("{}: HTTP {} redirect of a {} request not followed (Location: {})",
                        from,
                        r.status,
                        job.request.method,
                        to));
      }
    }
    if (!same_origin) {
      // Credentials are for the origin they were given for (as curl does).
      std::erase_if(job.request.headers, [](const Header& h) {
        return util::iequals(h.name, "authorization") || util::iequals(h.name, "cookie");
      });
    }
    job.url = std::move(*target);
    job.visited.push_back(to);
    ++job.hops;
    return {};
  }

  ClientOptions m_opts;
  TransportFactory m_factory;
  std::unique_ptr<Transport> m_transport;
  std::optional<Error> m_load_error;
  long m_connect_timeout = 0;
  SecretValues m_secrets; // of every request so far: h2 multiplexes them on one connection
};

} // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (util::iequals(h.name, name)) {
      return h.value;
    }
  }
  return {};
}

std::string Response::media_type() const {
  std::string ct = header("content-type");
  const auto semi = ct.find(';');
  return util::to_lower(util::trim(std::string_view(ct).substr(0, semi)));
}

Result<Response> HttpClient::perform(Request request) {
  std::vector<Request> one;
  one.push_back(std::move(request));
  auto results = perform_all(std::move(one));
  return std::move(results.front());
}

Result<Url> check_url(std::string_view text, const ClientOptions& options) {
  TOLLGATE_TRY(Url url, parse_url(text, "URL"));
  if (url.scheme == "http" && !options.allow_http && !is_loopback_host(url)) {
    return usage_error("http_refused",
                       fmt::format("refusing plain http:// for {}: keys, discovery and tokens need "
                                   "https (pass --allow-http to accept it)",
                                   url.str()));
  }
  return url;
}

std::unique_ptr<HttpClient> make_client(ClientOptions options, TransportFactory factory) {
  return std::make_unique<TransportClient>(std::move(options), std::move(factory));
}

std::string size_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
    return fmt::format("{} MiB", bytes / (1024 * 1024));
  }
  if (bytes >= 1024 && bytes % 1024 == 0) {
    return fmt::format("{} KiB", bytes / 1024);
  }
  return fmt::format("{} bytes", bytes);
}

std::string first_bytes(std::string_view body, std::size_t max) {
  // A bounded prefix is enough (a body can be megabytes); whitespace runs read as one space.
  const std::string safe = util::terminal_safe(body.substr(0, 4 * max + 4));
  std::string out;
  std::size_t i = 0;
  for (; i < safe.size() && out.size() < max; ++i) {
    if (safe[i] != ' ' || (!out.empty() && out.back() != ' ')) {
      out += safe[i];
    }
  }
  while (i < safe.size() && (static_cast<unsigned char>(safe[i]) & 0xC0) == 0x80) {
    out += safe[i++]; // finish a UTF-8 sequence rather than cut it
  }
  if (i < safe.size() || body.size() > 4 * max + 4) {
    out += "…";
  }
  return out;
}

Error transfer_error(const Transfer& t, const ClientOptions& options, long connect_timeout_ms) {
  const std::string url = display_url(t.url);
  const std::string detail = util::terminal_safe(t.detail); // libcurl may quote the server
  auto net = [&](const char* code, const std::string& cause) {
    return network_error(code, fmt::format("{}: {}", url, cause));
  };
  switch (t.failure) {
  case Failure::resolve: {
    auto parsed = parse_url(t.url);
    return net("dns", fmt::format("cannot resolve host '{}'", parsed ? parsed->host : t.url));
  }
  case Failure::refused:
    return net("connection_refused", "connection refused");
  case Failure::connect:
    return net("connect_failed", fmt::format("cannot connect ({})", detail));
  case Failure::connect_timeout:
    return net("timeout", fmt::format("connection timed out after {} ms", connect_timeout_ms));
  case Failure::timeout:
    return net("timeout", fmt::format("timed out after {} ms", options.timeout_ms));
  case Failure::tls_verify: {
    std::string why = X509_verify_cert_error_string(t.tls_verify_result);
    std::string hint;
    if (t.tls_verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        || t.tls_verify_result == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        || t.tls_verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY) {
      hint = " (trust its CA with --cacert FILE)";
    }
    return net("tls", fmt::format("TLS: {}{}", why, hint));
  }
  case Failure::tls:
    return net("tls", "TLS: " + (detail.rfind("SSL: ", 0) == 0 ? detail.substr(5) : detail));
  case Failure::too_large:
    return net("too_large",
               fmt::format("response is larger than the {} limit (raise it with "
                           "--max-response-bytes)",
                           size_text(t.max_bytes)));
  case Failure::interrupted:
    return Error{ErrorClass::interrupted, "interrupted", "interrupted"};
  case Failure::io:
    return net("io", fmt::format("connection failed ({})", detail));
  case Failure::other:
  case Failure::none:
    break;
  }
  return net("network", detail.empty() ? std::string("request failed") : detail);
}

Error status_error(const Response& r) {
  const std::string url = display_url(r.url);
  util::Json doc = util::Json::parse(r.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object() && doc.contains("error") && doc["error"].is_string()) {
    std::string code = doc["error"].get<std::string>();
    std::string msg =
        fmt::format("{}: HTTP {}: {}", url, r.status, util::excerpt(util::terminal_safe(code), 80));
    if (doc.contains("error_description") && doc["error_description"].is_string()) {
      msg += fmt::format(
          " ({})",
          util::excerpt(util::terminal_safe(doc["error_description"].get<std::string>()), 200));
    }
    return network_error(code, msg);
  }
  std::string msg = fmt::format("{}: HTTP {}", url, r.status);
  const std::string media = r.media_type();
  if (!r.body.empty() && doc.is_discarded()) {
    msg += fmt::format(
        " ({}, first bytes: {})", media.empty() ? "no Content-Type" : media, first_bytes(r.body));
  }
  return network_error(fmt::format("http_{}", r.status), msg);
}

Result<util::Json> json_body(const Response& r) {
  const std::string url = display_url(r.url);
  if (util::trim(r.body).empty()) {
    return network_error("not_json", fmt::format("{}: response is empty (expected JSON)", url));
  }
  auto doc = util::parse_json_strict(r.body, "response");
  if (doc) {
    return doc;
  }
  const std::string media = r.media_type();
  const char first = util::trim(r.body).front();
  const bool looks_json = media.find("json") != std::string::npos || first == '{' || first == '[';
  if (!looks_json) {
    return network_error("not_json",
                         fmt::format("{}: response is not JSON ({}, first bytes: {})",
                                     url,
                                     media.empty() ? "no Content-Type" : media,
                                     first_bytes(r.body)));
  }
  return network_error("not_json", fmt::format("{}: {}", url, doc.error().message));
}

} // namespace tollgate::core::http
