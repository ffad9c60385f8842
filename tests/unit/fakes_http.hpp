#pragma once

// Test doubles for the HTTP seams: a scripted HttpClient (for oidc/cache code) and a scripted
// Transport (for the HTTP policy client itself).
#include "core/http/client.hpp"

#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace tollgate::test {

using namespace tollgate::core;

inline http::Response response(long status,
                               std::string body,
                               std::string content_type = "application/json",
                               std::vector<http::Header> extra = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.url = "https://idp.example/x";
  if (!content_type.empty()) {
    r.headers.push_back({"Content-Type", content_type});
  }
  for (auto& h : extra) {
    r.headers.push_back(std::move(h));
  }
  return r;
}

// Answers requests from a queue of replies (or a handler), recording every request.
class ScriptedHttp final : public http::HttpClient {
public:
  std::deque<Result<http::Response>> replies;
  std::function<Result<http::Response>(const http::Request&)> handler;
  std::vector<http::Request> seen;
  http::ClientOptions opts;

  std::vector<Result<http::Response>> perform_all(std::vector<http::Request> requests) override {
    std::vector<Result<http::Response>> out;
    for (auto& r : requests) {
      seen.push_back(r);
      if (handler) {
        out.push_back(handler(r));
      } else if (replies.empty()) {
        out.push_back(internal_error("no scripted reply for " + r.url));
      } else {
        auto reply = std::move(replies.front());
        replies.pop_front();
        if (reply.ok()) {
          reply->url = r.url;
        }
        out.push_back(std::move(reply));
      }
    }
    return out;
  }
  const http::ClientOptions& options() const override { return opts; }
};

// A Transport that completes each transfer at once with `respond`.
class ScriptedTransport final : public http::Transport {
public:
  std::function<void(http::Transfer&)> respond;
  std::vector<std::string> urls; // every URL started, in order
  std::vector<std::vector<std::string>> headers;
  std::vector<http::Transfer*> pending;

  void start(http::Transfer& t) override {
    urls.push_back(t.url);
    headers.push_back(t.headers);
    pending.push_back(&t);
  }
  std::vector<http::Transfer*> wait(long) override {
    std::vector<http::Transfer*> done;
    done.swap(pending);
    for (auto* t : done) {
      respond(*t);
    }
    return done;
  }
  std::size_t in_flight() const override { return pending.size(); }
};

} // namespace tollgate::test
