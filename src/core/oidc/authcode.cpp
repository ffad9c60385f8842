#include "core/oidc/authcode.hpp"

#include "core/util/base64url.hpp"
#include "core/util/interrupt.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tollgate::core::oidc {
namespace {

constexpr std::string_view kCallbackPath = "/callback";

std::string random_b64url(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    // RAND_bytes only fails when the OS gives no entropy; refuse to go on with weak values.
    std::abort();
  }
  return util::b64url_encode(raw);
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      return;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void respond(int fd, int status, std::string_view title, std::string_view text) {
  const std::string body =
      fmt::format("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>"
                  "<body><p>{}</p></body></html>\n",
                  title,
                  text);
  const char* reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
  send_all(
      fd,
      fmt::format("HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\n"
                  "Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{}",
                  status,
                  reason,
                  body.size(),
                  body));
}

long ms_left(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                               - std::chrono::steady_clock::now())
      .count();
}

} // namespace

std::string s256_challenge(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return util::b64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Pkce make_pkce() {
  Pkce p;
  p.verifier = random_b64url(32);
  p.challenge = s256_challenge(p.verifier);
  return p;
}

std::string random_state() {
  return random_b64url(16);
}

std::string authorization_url(const AuthorizationRequest& r) {
  http::Params p{{"response_type", "code"},
                 {"client_id", r.client_id},
                 {"redirect_uri", r.redirect_uri},
                 {"state", r.state},
                 {"code_challenge", r.code_challenge},
                 {"code_challenge_method", "S256"}};
  if (!r.scope.empty()) {
    p.emplace_back("scope", r.scope);
  }
  for (const auto& kv : r.extra) {
    p.push_back(kv);
  }
  return http::with_query(r.endpoint, p);
}

http::Params authorization_code_params(const std::string& code,
                                       const std::string& redirect_uri,
                                       const std::string& verifier) {
  return {{"grant_type", "authorization_code"},
          {"code", code},
          {"redirect_uri", redirect_uri},
          {"code_verifier", verifier}};
}

Result<LoopbackReceiver> LoopbackReceiver::listen(int port) {
  if (port < 0 || port > 65535) {
    return usage_error("bad_port", fmt::format("redirect port {} is not in 0..65535", port));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return internal_error(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
    const int err = errno;
    ::close(fd);
    return usage_error("bad_port",
                       fmt::format("cannot listen on 127.0.0.1:{}: {}", port, std::strerror(err)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return LoopbackReceiver(fd, ntohs(addr.sin_port));
}

LoopbackReceiver::LoopbackReceiver(LoopbackReceiver&& other) noexcept
    : m_fd(other.m_fd), m_port(other.m_port) {
  other.m_fd = -1;
}

LoopbackReceiver::~LoopbackReceiver() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

std::string LoopbackReceiver::redirect_uri() const {
  return fmt::format("http://127.0.0.1:{}{}", m_port, kCallbackPath);
}

Result<std::string> LoopbackReceiver::wait_for_code(long timeout_ms,
                                                    const std::string& state,
                                                    const std::string& issuer) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto timed_out = [&] {
    return network_error("timeout",
                         fmt::format("no authorization response reached {} within {} ms",
                                     redirect_uri(),
                                     timeout_ms));
  };
  while (true) {
    if (util::interrupted()) {
      return Error{ErrorClass::interrupted, "interrupted", "interrupted"};
    }
    const long left = ms_left(deadline);
    if (left <= 0) {
      return timed_out();
    }
    pollfd pfd{m_fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long>(left, 200)));
    if (ready <= 0) {
      continue;
    }
    const int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      continue;
    }
    // Read the request head (bounded in size and time).
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      const long l = ms_left(deadline);
      pollfd cp{conn, POLLIN, 0};
      if (l <= 0 || ::poll(&cp, 1, static_cast<int>(std::min<long>(l, 2000))) <= 0) {
        break;
      }
      const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) {
        break;
      }
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::string_view line = std::string_view(head).substr(0, head.find("\r\n"));
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 == std::string_view::npos ? 0 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos
        || line.substr(0, sp1) != "GET") {
      respond(conn, 400, "tollgate", "Unexpected request.");
      ::close(conn);
      continue;
    }
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto q = target.find('?');
    if (target.substr(0, q) != kCallbackPath) {
      respond(conn, 404, "tollgate", "Not found.");
      ::close(conn);
      continue;
    }
    const http::Params params =
        http::form_decode(q == std::string_view::npos ? "" : target.substr(q + 1));
    auto get = [&](std::string_view k) -> std::string {
      for (const auto& [name, value] : params) {
        if (name == k) {
          return value;
        }
      }
      return {};
    };
    if (get("state") != state) {
      respond(conn, 400, "tollgate", "The state parameter does not match; ignored.");
      ::close(conn);
      return network_error("state_mismatch",
                           "the authorization response carries a different \"state\" (RFC 6749 "
                           "10.12): refused");
    }
    if (const std::string err = get("error"); !err.empty()) {
      respond(conn, 200, "tollgate", "Sign-in failed; see the terminal.");
      ::close(conn);
      const std::string desc = get("error_description");
      return network_error(
          err,
          fmt::format("the authorization server answered {}{}",
                      util::excerpt(util::terminal_safe(err), 80),
                      desc.empty() ? ""
                                   : " (" + util::excerpt(util::terminal_safe(desc), 200) + ")"));
    }
    if (const std::string iss = get("iss"); !iss.empty() && !issuer.empty() && iss != issuer) {
      respond(conn, 400, "tollgate", "The response comes from another issuer; refused.");
      ::close(conn);
      return network_error("issuer_mismatch",
                           fmt::format("the authorization response names issuer {} instead of {} "
                                       "(RFC 9207 mix-up defence): refused",
                                       util::quote(iss, 200),
                                       util::quote(issuer, 200)));
    }
    const std::string code = get("code");
    if (code.empty()) {
      respond(conn, 400, "tollgate", "No code in the response.");
      ::close(conn);
      return network_error("no_code", "the authorization response has no \"code\"");
    }
    respond(conn, 200, "tollgate", "Signed in. You can close this tab and return to the terminal.");
    ::close(conn);
    return code;
  }
}

} // namespace tollgate::core::oidc
