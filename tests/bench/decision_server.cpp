// A minimal UMA decision server for tests/bench/uma.sh: HTTP/1.1 with keep-alive on 127.0.0.1,
// cheap enough that the client is what a benchmark measures.
//
//   decision_server [--port N] [--threads N] [--engine epoll|httplib] [--log-bodies N]
//
// Any POST answers 200 application/json:
//   response_mode=decision     -> {"result":true}
//   response_mode=permissions  -> [{"rsname":RES,"scopes":[S1,S2]},...], one entry per
//                                 `permission` form value "RES#S1,S2" (in order)
//   anything else              -> {"access_token":"bench.rpt.token","token_type":"Bearer"}
// GET /_stats answers {"connections":C,"requests":R,"accepted":A}: C counts the connections that
// carried at least one request other than /_stats, R those requests, A every accepted connection.
// The listening port is printed on stdout (port 0, the default, takes a free one); on SIGTERM or
// SIGINT the same figures go to stderr and the server exits.
//
// Engines: "epoll" (default), one epoll loop per thread sharing the listening socket, any number
// of kept-alive connections per thread; "httplib", cpp-httplib (Debian libcpp-httplib-dev) for
// comparison. httplib holds a pool thread for the whole life of a kept-alive connection, so it
// needs --threads >= the number of client connections (see tests/bench/README.md).
//
// Build: g++ -std=c++17 -O2 -pthread decision_server.cpp -o decision_server
//        (add -DWITH_HTTPLIB for the httplib engine)
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <set>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifdef WITH_HTTPLIB
#include <httplib.h>
#endif

namespace {

std::atomic<long> g_accepted{0};
std::atomic<long> g_connections{0}; // that carried a non-stats request
std::atomic<long> g_requests{0};
std::atomic<long> g_log_bodies{0};
volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) {
  g_stop = 1;
}

int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

const std::string_view kDecision = "{\"result\":true}";
const std::string_view kToken = "{\"access_token\":\"bench.rpt.token\",\"token_type\":\"Bearer\"}";

// The JSON body answering one form body. Fast path for the benchmark's decision requests: no
// allocation unless the body asks for permissions.
std::string_view answer(std::string_view form, std::string& scratch) {
  if (g_log_bodies.load(std::memory_order_relaxed) > 0
      && g_log_bodies.fetch_sub(1, std::memory_order_relaxed) > 0) {
    std::fprintf(
        stderr, "decision_server: body: %.*s\n", static_cast<int>(form.size()), form.data());
  }
  if (form.find("response_mode=permissions") == std::string_view::npos) {
    return form.find("response_mode=decision") != std::string_view::npos ? kDecision : kToken;
  }
  scratch = "[";
  bool first = true;
  std::size_t pos = 0;
  while (pos <= form.size()) {
    std::size_t amp = form.find('&', pos);
    if (amp == std::string_view::npos)
      amp = form.size();
    std::string_view pair = form.substr(pos, amp - pos);
    pos = amp + 1;
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || form_decode(pair.substr(0, eq)) != "permission")
      continue;
    std::string value = form_decode(pair.substr(eq + 1));
    std::size_t hash = value.find('#');
    std::string_view rs = std::string_view(value).substr(0, hash);
    if (!first)
      scratch += ',';
    first = false;
    scratch += "{\"rsname\":";
    json_string(scratch, rs);
    scratch += ",\"scopes\":[";
    if (hash != std::string::npos) {
      std::string_view scopes = std::string_view(value).substr(hash + 1);
      bool sfirst = true;
      std::size_t sp = 0;
      while (sp <= scopes.size()) {
        std::size_t comma = scopes.find(',', sp);
        if (comma == std::string_view::npos)
          comma = scopes.size();
        std::string_view sc = scopes.substr(sp, comma - sp);
        sp = comma + 1;
        if (sc.empty())
          continue;
        if (!sfirst)
          scratch += ',';
        sfirst = false;
        json_string(scratch, sc);
      }
    }
    scratch += "]}";
  }
  scratch += ']';
  return scratch;
}

std::string stats_json() {
  return "{\"connections\":" + std::to_string(g_connections.load())
         + ",\"requests\":" + std::to_string(g_requests.load())
         + ",\"accepted\":" + std::to_string(g_accepted.load()) + "}";
}

// ---------------------------------------------------------------------------------------------
// epoll engine

bool ieq_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char a = line[i], b = name[i];
    if (a >= 'A' && a <= 'Z')
      a = static_cast<char>(a - 'A' + 'a');
    if (a != b)
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool icontains(std::string_view s, std::string_view lower_word) {
  for (std::size_t i = 0; i + lower_word.size() <= s.size(); ++i) {
    if (ieq_prefix(s.substr(i), lower_word))
      return true;
  }
  return false;
}

struct Conn {
  int fd = -1;
  std::string in;
  std::size_t in_pos = 0; // start of the unparsed part of `in`
  std::string out;        // unsent response bytes
  bool counted = false;
  bool close_after = false;
  bool want_out = false;
};

void append_response(
    Conn& c, int status, std::string_view reason, std::string_view body, bool close) {
  char head[192];
  int n = std::snprintf(head,
                        sizeof head,
                        "HTTP/1.1 %d %.*s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %zu\r\n%s\r\n",
                        status,
                        static_cast<int>(reason.size()),
                        reason.data(),
                        body.size(),
                        close ? "Connection: close\r\n" : "");
  c.out.append(head, static_cast<std::size_t>(n));
  c.out.append(body.data(), body.size());
}

// Parse and answer every complete request in c.in; sets c.close_after when the connection must
// close once what is queued has been sent.
void handle_input(Conn& c, std::string& scratch) {
  for (;;) {
    std::string_view buf(c.in);
    buf.remove_prefix(c.in_pos);
    std::size_t end = buf.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (buf.size() > 64 * 1024) {
        append_response(c, 431, "Request Header Fields Too Large", "{}", true);
        c.close_after = true;
      }
      break;
    }
    std::string_view head = buf.substr(0, end);
    std::size_t eol = head.find("\r\n");
    std::string_view reqline = head.substr(0, eol);
    bool http10 = reqline.size() >= 8 && reqline.substr(reqline.size() - 8) == "HTTP/1.0";
    bool close = http10;
    std::size_t content_length = 0;
    bool chunked = false;
    std::size_t p = eol == std::string_view::npos ? head.size() : eol + 2;
    while (p < head.size()) {
      std::size_t e = head.find("\r\n", p);
      if (e == std::string_view::npos)
        e = head.size();
      std::string_view line = head.substr(p, e - p);
      p = e + 2;
      if (ieq_prefix(line, "content-length:")) {
        content_length = std::strtoul(std::string(trim(line.substr(15))).c_str(), nullptr, 10);
      } else if (ieq_prefix(line, "connection:")) {
        std::string_view v = line.substr(11);
        if (icontains(v, "close"))
          close = true;
        if (icontains(v, "keep-alive"))
          close = false;
      } else if (ieq_prefix(line, "transfer-encoding:")) {
        chunked = true;
      }
    }
    if (chunked) {
      append_response(c, 501, "Not Implemented", "{\"error\":\"chunked bodies\"}", true);
      c.close_after = true;
      break;
    }
    if (buf.size() < end + 4 + content_length)
      break; // body not complete yet
    std::string_view body = buf.substr(end + 4, content_length);
    c.in_pos += end + 4 + content_length;

    std::size_t sp1 = reqline.find(' ');
    std::size_t sp2 = reqline.find(' ', sp1 + 1);
    std::string_view method = reqline.substr(0, sp1);
    std::string_view target =
        sp1 == std::string_view::npos ? std::string_view() : reqline.substr(sp1 + 1, sp2 - sp1 - 1);
    if (method == "GET" && target.substr(0, 7) == "/_stats") {
      std::string s = stats_json();
      append_response(c, 200, "OK", s, close);
    } else {
      g_requests.fetch_add(1, std::memory_order_relaxed);
      if (!c.counted) {
        c.counted = true;
        g_connections.fetch_add(1, std::memory_order_relaxed);
      }
      append_response(c, 200, "OK", answer(body, scratch), close);
    }
    if (close) {
      c.close_after = true;
      break;
    }
  }
  if (c.in_pos == c.in.size()) {
    c.in.clear();
    c.in_pos = 0;
  } else if (c.in_pos > 16 * 1024) {
    c.in.erase(0, c.in_pos);
    c.in_pos = 0;
  }
}

// Send what is queued. False on a fatal error.
bool flush(Conn& c) {
  std::size_t sent = 0;
  while (sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      return false;
    }
  }
  c.out.erase(0, sent);
  return true;
}

void epoll_worker(int listen_fd) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN | EPOLLEXCLUSIVE;
  lev.data.ptr = nullptr; // the listening socket
  epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &lev);
  std::vector<epoll_event> events(256);
  std::string scratch;
  char rbuf[64 * 1024];
  auto close_conn = [&](Conn* c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
    ::close(c->fd);
    delete c;
  };
  while (!g_stop) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 200);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        for (;;) {
          int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0)
            break; // EAGAIN: another worker took it, or none left
          g_accepted.fetch_add(1, std::memory_order_relaxed);
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          auto* c = new Conn;
          c->fd = fd;
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.ptr = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        continue;
      }
      auto* c = static_cast<Conn*>(events[i].data.ptr);
      bool dead = (events[i].events & (EPOLLERR | EPOLLHUP)) != 0;
      bool eof = false;
      if (!dead && (events[i].events & (EPOLLIN | EPOLLRDHUP))) {
        for (;;) {
          ssize_t r = ::recv(c->fd, rbuf, sizeof rbuf, 0);
          if (r > 0) {
            c->in.append(rbuf, static_cast<std::size_t>(r));
            if (static_cast<std::size_t>(r) < sizeof rbuf)
              break;
          } else if (r == 0) {
            eof = true;
            break;
          } else if (errno == EINTR) {
            continue;
          } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
          } else {
            dead = true;
            break;
          }
        }
      }
      if (!dead && !c->close_after)
        handle_input(*c, scratch);
      if (!dead && !flush(*c))
        dead = true;
      if (dead || ((eof || c->close_after) && c->out.empty())) {
        close_conn(c);
        continue;
      }
      bool want_out = !c->out.empty();
      if (want_out != c->want_out) {
        c->want_out = want_out;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0u);
        ev.data.ptr = c;
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
      }
    }
  }
  ::close(ep);
}

int run_epoll(int port, int threads) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0) {
    std::fprintf(
        stderr, "decision_server: cannot listen on 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back(epoll_worker, fd);
  for (auto& t : pool)
    t.join();
  ::close(fd);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// httplib engine

#ifdef WITH_HTTPLIB
int run_httplib(int port, int threads) {
  httplib::Server srv;
  srv.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  srv.set_keep_alive_max_count(1000000000);
  srv.set_keep_alive_timeout(30);
  srv.set_tcp_nodelay(true);
  // httplib has no accept hook: a connection is told apart by the client's port.
  std::mutex mu;
  std::set<int> ports;
  srv.Get("/_stats", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(stats_json(), "application/json");
  });
  srv.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    g_requests.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu);
      if (ports.insert(req.remote_port).second) {
        g_connections.fetch_add(1, std::memory_order_relaxed);
        g_accepted.fetch_add(1, std::memory_order_relaxed);
      }
    }
    std::string scratch;
    std::string_view body = answer(req.body, scratch);
    res.set_content(body.data(), body.size(), "application/json");
  });
  int bound = port == 0 ? srv.bind_to_any_port("127.0.0.1")
                        : (srv.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "decision_server: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::printf("%d\n", bound);
  std::fflush(stdout);
  std::thread stopper([&] {
    while (!g_stop)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    srv.stop();
  });
  srv.listen_after_bind();
  g_stop = 1;
  stopper.join();
  return 0;
}
#endif

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: decision_server [--port N] [--threads N] [--engine epoll|httplib] "
               "[--log-bodies N]\n");
  std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
  int port = 0;
  int threads = 2;
  std::string engine = "epoll";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc)
      usage();
    if (a == "--port")
      port = std::atoi(argv[++i]);
    else if (a == "--threads")
      threads = std::atoi(argv[++i]);
    else if (a == "--engine")
      engine = argv[++i];
    else if (a == "--log-bodies")
      g_log_bodies = std::atol(argv[++i]);
    else
      usage();
  }
  if (threads < 1)
    usage();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  int rc;
  if (engine == "epoll") {
    rc = run_epoll(port, threads);
  }
#ifdef WITH_HTTPLIB
  else if (engine == "httplib") {
    rc = run_httplib(port, threads);
  }
#endif
  else {
    std::fprintf(stderr, "decision_server: engine %s not built in\n", engine.c_str());
    return 2;
  }
  std::fprintf(stderr,
               "decision_server: connections=%ld requests=%ld accepted=%ld\n",
               g_connections.load(),
               g_requests.load(),
               g_accepted.load());
  return rc;
}
