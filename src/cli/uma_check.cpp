// tollgate uma check: does the caller hold these resource#scope permissions? One decision, or a
// batch of NDJSON requests over a few kept-alive connections.
#include "cli/exit.hpp"
#include "cli/input.hpp"
#include "cli/module_path.hpp"
#include "cli/render.hpp"
#include "cli/uma_common.hpp"
#include "core/batch/pipeline.hpp"
#include "core/http/module.hpp"
#include "core/util/interrupt.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <future>
#include <map>
#include <mutex>
#include <unistd.h>

namespace tollgate::cli {
namespace {

namespace uma = core::uma;
using core::util::Json;

struct CheckOptions {
  UmaFlags uma;
  std::vector<std::string> permissions;
  std::string require = "all";
  std::string method;
  std::string path;
  std::string enforcement = "enforcing";
  std::string batch;
  unsigned jobs = 4;
};

// One decision to make: what a command line or a batch line asks.
struct Ask {
  std::string bearer; // a batch line's own token ("" = the context's identity)
  std::vector<uma::Permission> permissions;
  std::vector<std::string> raw; // as given
  std::string method;
  std::string path;
};

struct Decision {
  uma::CheckResult result;
  bool has_path = false;
  std::string path;
  std::vector<std::string> path_resources;
  std::optional<core::Error> error; // a transfer or usage failure (no IdP answer)
};

core::Result<void> check_method(const std::string& m) {
  if (m.empty()) {
    return {};
  }
  for (char c : m) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return core::usage_error(
          "bad_method",
          fmt::format("method {} is not an HTTP method name (letters only, e.g. GET)",
                      core::util::quote(m)));
    }
  }
  return {};
}

core::Result<void> check_path(const std::string& p) {
  if (p.empty()) {
    return {};
  }
  if (p.front() != '/') {
    return core::usage_error(
        "bad_path",
        fmt::format("path {} must start with '/' (the request path, e.g. /api/orders/17)",
                    core::util::quote(p)));
  }
  for (unsigned char c : p) {
    if (c <= 0x20 || c == 0x7f) {
      return core::usage_error(
          "bad_path",
          fmt::format("path {} contains a space or control character", core::util::quote(p)));
    }
  }
  return {};
}

// One Ask made ready for the IdP: path resolution (lazy_load_paths, already done by the
// resolver), the enforcement rule for an empty permission list, the method as a scope. Either the
// answer is known (`checker` empty: an error, or ENFORCING with nothing to ask) or the checker
// holds the requests to send, for `identity`.
struct Prepared {
  Decision d;
  std::optional<uma::Checker> checker;
  uma::Identity identity;
  bool entitlement = false;
};

Prepared prepare(UmaContext& ctx,
                 core::http::HttpClient& http,
                 uma::PathResolver* resolver,
                 const Ask& ask,
                 bool require_all,
                 bool permissive) {
  Prepared pr;
  Decision& d = pr.d;
  auto identity = ctx.identity(ask.bearer);
  if (!identity) {
    d.error = identity.error();
    return pr;
  }
  pr.identity = std::move(*identity);
  uma::CheckRequest req;
  req.audience = ctx.audience();
  req.require_all = require_all;
  req.claim_token = ctx.claim_token();
  req.subject_token = ctx.subject_token();
  std::vector<uma::Permission> perms = ask.permissions;
  if (!ask.path.empty()) {
    d.has_path = true;
    d.path = ask.path;
    auto ids = resolver->resolve(http, ask.path);
    if (!ids) {
      d.error = ids.error();
      return pr;
    }
    d.path_resources = *ids;
    perms.clear();
    for (const auto& id : *ids) {
      uma::Permission p;
      p.raw = id;
      p.resource = id;
      perms.push_back(std::move(p));
    }
    if (perms.empty()) {
      if (!permissive) {
        // APISIX's ENFORCING rule: nothing protects the path, so nothing grants it; no request.
        d.result.allowed = false;
        d.result.decided = true;
        d.result.message = fmt::format(
            "no resource of resource server '{}' matches path '{}': denied without asking the "
            "IdP (--enforcement enforcing; permissive would ask for the caller's entitlements)",
            ctx.audience(),
            ask.path);
        return pr;
      }
      req.entitlement = true;
      pr.entitlement = true;
    }
  }
  if (!ask.method.empty()) {
    for (auto& p : perms) {
      p = uma::with_method(std::move(p), ask.method);
    }
  }
  req.permissions = std::move(perms);
  pr.checker.emplace(std::move(req));
  return pr;
}

// The Decision of a Prepared whose checker is done.
Decision finish(Prepared&& pr) {
  Decision d = std::move(pr.d);
  if (!pr.checker) {
    return d;
  }
  auto r = std::move(*pr.checker).result();
  if (!r) {
    d.error = r.error();
    return d;
  }
  d.result = std::move(*r);
  if (pr.entitlement && d.result.decided) {
    d.result.message =
        d.result.allowed
            ? fmt::format("no resource matches path '{}'; the IdP granted the caller's "
                          "entitlements (--enforcement permissive)",
                          d.path)
            : fmt::format("no resource matches path '{}' and the IdP granted nothing "
                          "(--enforcement permissive)",
                          d.path);
  }
  return d;
}

// Drive the checkers of `batch` to the end over one client: each round sends the requests of
// every unfinished check at once (perform_all, at most max_connections kept-alive connections).
void run_rounds(std::vector<Prepared*>& batch,
                core::http::HttpClient& http,
                const std::string& token_endpoint) {
  for (;;) {
    std::vector<core::http::Request> requests;
    struct Slot {
      Prepared* owner;
      std::size_t count;
      std::vector<core::Result<uma::Reply>> replies;
    };
    std::vector<Slot> slots;
    for (Prepared* p : batch) {
      if (!p->checker || p->checker->done()) {
        continue;
      }
      Slot slot{p, 0, {}};
      for (const auto& form : p->checker->next()) {
        auto req = uma::uma_request(token_endpoint, p->identity, form);
        if (!req) {
          slot.replies.push_back(req.error());
          continue;
        }
        requests.push_back(std::move(*req));
        ++slot.count;
      }
      slots.push_back(std::move(slot));
    }
    if (slots.empty()) {
      return;
    }
    auto responses = http.perform_all(std::move(requests));
    std::size_t k = 0;
    for (auto& slot : slots) {
      std::vector<core::Result<uma::Reply>> replies = std::move(slot.replies);
      for (std::size_t i = 0; i < slot.count; ++i, ++k) {
        replies.push_back(uma::to_reply(std::move(responses[k])));
      }
      slot.owner->checker->answer(std::move(replies));
    }
  }
}

int exit_of(const Decision& d) {
  if (d.error) {
    return exit_code_for(d.error->cls);
  }
  if (!d.result.decided) {
    return kExitNetwork;
  }
  return d.result.allowed ? kExitOk : kExitNegative;
}

// `names`: resource id -> name, for resources found through --path (ids otherwise).
std::string render_human(const Decision& d,
                         bool require_all,
                         const Style& s,
                         const std::map<std::string, std::string>& names = {}) {
  auto named = [&](const std::string& id) {
    auto it = names.find(id);
    return it == names.end() || it->second.empty() ? id : fmt::format("{} ({})", it->second, id);
  };
  std::string out;
  for (const auto& p : d.result.permissions) {
    const std::string shown = p.scopes.empty()
                                  ? named(p.resource)
                                  : named(p.resource) + "#" + core::util::join(p.scopes, ",");
    std::string label;
    if (!d.result.decided) {
      if (p.detail.empty()) {
        continue; // the IdP could not decide: only what the error is about is shown
      }
      label = s.yellow("unknown ");
    } else if (!p.granted) {
      label = s.dim("any-of  "); // Keycloak decided for the set (--require any)
    } else {
      label = *p.granted ? s.green("granted ") : s.red("denied  ");
    }
    out += label + shown;
    if (!p.detail.empty() && p.granted != true) {
      out += s.dim(fmt::format("  ({})", p.detail));
    }
    out += "\n";
  }
  if (d.has_path) {
    std::vector<std::string> shown;
    for (const auto& id : d.path_resources) {
      shown.push_back(named(id));
    }
    out += fmt::format("{} {} -> {}\n",
                       s.dim("path"),
                       d.path,
                       shown.empty() ? std::string("no resource") : core::util::join(shown, ", "));
  }
  if (d.result.decided) {
    const char* mode = require_all ? "require all" : "require any";
    out += d.result.allowed ? s.green("allowed") : s.red("denied");
    out += fmt::format(" ({})\n", mode);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// batch

// Counts what one worker's client sends, PAT and resource lookups included, for the summary.
class CountingClient final : public core::http::HttpClient {
public:
  CountingClient(core::http::HttpClient& inner, uma::Traffic& traffic)
      : m_inner(&inner), m_traffic(&traffic) {}
  std::vector<core::Result<core::http::Response>>
  perform_all(std::vector<core::http::Request> requests) override {
    auto results = m_inner->perform_all(std::move(requests));
    for (const auto& r : results) {
      if (r) {
        ++m_traffic->requests;
        if (!r->connection_reused) {
          ++m_traffic->connections;
        }
      }
    }
    return results;
  }
  const core::http::ClientOptions& options() const override { return m_inner->options(); }

private:
  core::http::HttpClient* m_inner;
  uma::Traffic* m_traffic;
};

// The result line of one decision (the object without its closing brace) and its exit status,
// kept for identical asks later in the run.
struct Outcome {
  std::string json;
  int rc = 0;
};

// What identical asks share across the workers of one run: the first one to claim a key decides
// it; the others reuse its outcome, or wait for it when it is still being decided.
class SharedOutcomes {
public:
  using Future = std::shared_future<Outcome>;
  using Promise = std::shared_ptr<std::promise<Outcome>>;
  struct Claim {
    std::optional<Outcome> done;
    std::optional<Future> pending;
    Promise promise; // set when the caller must decide (and publish)
  };
  Claim claim(const std::string& key) {
    std::lock_guard<std::mutex> lock(m_mutex);
    Claim c;
    if (auto it = m_map.find(key); it != m_map.end()) {
      ++m_hits;
      if (it->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        c.done = it->second.get();
      } else {
        c.pending = it->second;
      }
      return c;
    }
    c.promise = std::make_shared<std::promise<Outcome>>();
    if (m_map.size() < kMaxEntries) {
      m_map.emplace(key, c.promise->get_future().share());
    }
    return c;
  }
  void publish(const Promise& p, const Outcome& o) { p->set_value(o); }
  void hit() {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_hits;
  }
  long hits() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_hits;
  }

private:
  static constexpr std::size_t kMaxEntries = 200000; // memory stays bounded on huge inputs
  mutable std::mutex m_mutex;
  std::map<std::string, Future> m_map;
  long m_hits = 0;
};

// Worker threads of a batch: one event loop per CPU at most, never more than --jobs.
unsigned batch_workers(unsigned jobs) {
  return std::max(1u, std::min(jobs, core::batch::available_cpus()));
}

// Worker w's share of the --jobs connections (they add up to jobs).
long connection_share(unsigned jobs, unsigned workers, unsigned w) {
  return static_cast<long>(jobs / workers + (w < jobs % workers ? 1 : 0));
}

struct BatchTally {
  std::mutex mutex;
  long allowed = 0, denied = 0, undecided = 0, bad = 0;
  int rc = 0;
  void add(int code) {
    std::lock_guard<std::mutex> lock(mutex);
    rc = std::max(rc, code);
    switch (code) {
    case kExitOk:
      ++allowed;
      break;
    case kExitNegative:
      ++denied;
      break;
    case kExitUsage:
      ++bad;
      break;
    default:
      ++undecided;
      break;
    }
  }
};

// A JSON string; text that is not valid UTF-8 (an IdP's description can be anything) goes
// through nlohmann's replacement so that every output line stays valid JSON.
void put_string(std::string& out, std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) {
    core::util::append_json_string(out, s);
  } else {
    out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

void put_strings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    put_string(out, items[i]);
  }
  out += ']';
}

// The --json object of one decision, written by hand (the batch hot path), without its closing
// brace: a batch appends id and line, a single check closes it (decision_json).
void write_decision(std::string& out, const Decision& d, bool require_all) {
  const bool allowed = !d.error && d.result.decided && d.result.allowed;
  out += allowed ? "{\"allowed\":true" : "{\"allowed\":false";
  out += require_all ? ",\"require\":\"all\"" : ",\"require\":\"any\"";
  out += ",\"permissions\":[";
  bool first = true;
  for (const auto& p : d.result.permissions) {
    out += first ? "{\"permission\":" : ",{\"permission\":";
    first = false;
    put_string(out, p.permission);
    out += ",\"resource\":";
    put_string(out, p.resource);
    out += ",\"scopes\":";
    put_strings(out, p.scopes);
    out += ",\"granted\":";
    out += !p.granted ? "null" : (*p.granted ? "true" : "false");
    if (!p.detail.empty()) {
      out += ",\"detail\":";
      put_string(out, p.detail);
    }
    out += '}';
  }
  out += "],\"idp_error\":";
  if (d.result.idp_error) {
    const auto& e = *d.result.idp_error;
    out += fmt::format("{{\"status\":{},\"error\":", e.status);
    put_string(out, e.error);
    out += ",\"description\":";
    put_string(out, e.description);
    out += '}';
  } else {
    out += "null";
  }
  if (d.has_path) {
    out += ",\"path\":{\"uri\":";
    put_string(out, d.path);
    out += ",\"resources\":";
    put_strings(out, d.path_resources);
    out += '}';
  }
  if (d.error) {
    out += ",\"error\":{\"code\":";
    put_string(out, d.error->code);
    out += ",\"message\":";
    put_string(out, d.error->message);
    out += '}';
  } else if (!d.result.message.empty()) {
    out += ",\"message\":";
    put_string(out, d.result.message);
  }
}

// The same object as a document, for a single check's --json.
Json decision_json(const Decision& d, bool require_all) {
  std::string text;
  write_decision(text, d, require_all);
  text += '}';
  return Json::parse(text);
}

std::string bad_line(const std::string& id, std::uint64_t line, const std::string& message) {
  std::string out = "{\"id\":";
  out += id.empty() ? "null" : id;
  out += fmt::format(",\"line\":{},\"allowed\":false,\"error\":{{\"code\":\"bad_request_line\","
                     "\"message\":",
                     line);
  put_string(out, message);
  out += "}}\n";
  return out;
}

// Read one NDJSON request line into an Ask (simdjson: this is the batch hot path). `id` receives
// the line's "id" as JSON text, when it has one.
core::Result<Ask> parse_line(core::util::StrictJsonParser& parser,
                             std::string_view text,
                             const CheckOptions& o,
                             std::string& id) {
  simdjson::dom::element root;
  std::string why;
  if (!parser.parse(text.data(), text.size(), false, root, why)) {
    return core::usage_error("bad_line", "the request line is not valid JSON: " + why);
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return core::usage_error("bad_line", "the request line is not a JSON object");
  }
  Ask ask;
  ask.method = o.method;
  ask.path = o.path;
  bool perms_given = false;
  auto string_of = [](simdjson::dom::element v, const char* name) -> core::Result<std::string> {
    std::string_view sv;
    if (v.get_string().get(sv) != simdjson::SUCCESS) {
      return core::usage_error("bad_line", fmt::format("\"{}\" must be a string", name));
    }
    return std::string(sv);
  };
  for (auto field : obj) {
    const std::string_view k = field.key;
    if (k == "id") {
      id = simdjson::minify(field.value);
    } else if (k == "token") {
      TOLLGATE_TRY(ask.bearer, string_of(field.value, "token"));
      for (unsigned char c : ask.bearer) {
        if (c <= 0x20 || c == 0x7f) {
          return core::usage_error("bad_line", "\"token\" contains a space or control character");
        }
      }
    } else if (k == "permissions") {
      simdjson::dom::array arr;
      if (field.value.get_array().get(arr) != simdjson::SUCCESS) {
        return core::usage_error("bad_line", "\"permissions\" must be an array of strings");
      }
      perms_given = true;
      for (auto e : arr) {
        std::string_view sv;
        if (e.get_string().get(sv) != simdjson::SUCCESS) {
          return core::usage_error("bad_line", "\"permissions\" must be an array of strings");
        }
        ask.raw.emplace_back(sv);
      }
    } else if (k == "method") {
      TOLLGATE_TRY(ask.method, string_of(field.value, "method"));
    } else if (k == "path") {
      if (field.value.is_null()) {
        ask.path.clear();
      } else {
        TOLLGATE_TRY(ask.path, string_of(field.value, "path"));
      }
    } else {
      return core::usage_error(
          "bad_line",
          fmt::format("unknown member \"{}\" (known: token, permissions, method, path, id)",
                      core::util::excerpt(k)));
    }
  }
  if (!perms_given) {
    ask.raw = o.permissions;
  }
  TOLLGATE_TRY(ask.permissions, parse_permissions(ask.raw));
  TOLLGATE_CHECK(check_method(ask.method));
  TOLLGATE_CHECK(check_path(ask.path));
  if (!ask.path.empty() && !ask.raw.empty()) {
    return core::usage_error("bad_line",
                             "a line with \"path\" takes its permissions from the path's "
                             "resources: drop \"permissions\" (or the PERMISSION arguments)");
  }
  return ask;
}

std::string dedupe_key(const Ask& a) {
  std::string k = a.bearer;
  k += '\n';
  for (const auto& p : a.raw) {
    k += p;
    k += '\x1f';
  }
  k += '\n';
  k += a.method;
  k += '\n';
  k += a.path;
  return k;
}

int run_batch(const CheckOptions& o, UmaContext& ctx, Env& env) {
  const bool require_all = o.require == "all";
  const bool permissive = o.enforcement == "permissive";
  TOLLGATE_TRY_EXIT(const std::string token_endpoint, ctx.token_endpoint());
  int fd = 0;
  if (o.batch != "-") {
    fd = ::open(o.batch.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return report(
          env,
          core::usage_error(
              "unreadable",
              fmt::format("cannot open batch file '{}': {}", o.batch, std::strerror(errno))));
    }
  }
  const bool lookups_possible =
      !o.uma.resource_endpoint.empty() || !o.uma.issuer.empty() || !o.path.empty();
  auto resource_endpoint = lookups_possible
                               ? ctx.resource_endpoint()
                               : core::Result<std::string>(core::usage_error(
                                   "no_endpoint",
                                   "no resource registration endpoint: pass --issuer ISSUER "
                                   "(UMA2 discovery) or --resource-registration-endpoint URL"));
  if (!resource_endpoint && !o.path.empty()) {
    return report(env, resource_endpoint.error());
  }
  std::unique_ptr<uma::PathResolver> resolver;
  std::mutex resolver_mutex;
  auto get_resolver = [&]() -> core::Result<uma::PathResolver*> {
    std::lock_guard<std::mutex> lock(resolver_mutex);
    if (!resolver) {
      TOLLGATE_TRY(std::string endpoint, resource_endpoint);
      TOLLGATE_TRY(uma::PatSource * pat, ctx.pat());
      resolver = std::make_unique<uma::PathResolver>(endpoint, *pat);
    }
    return resolver.get();
  };
  // A few worker threads (at most one per CPU), each an event loop: the requests of a chunk of
  // lines go out together over the worker's share of the --jobs kept-alive connections (libcurl
  // multi). Worker 0 keeps the connection discovery already opened.
  const unsigned workers = batch_workers(o.jobs);
  const auto candidates = http_module_candidates();
  uma::Traffic traffic;
  SharedOutcomes shared;
  BatchTally tally;
  std::atomic<bool> interrupted{false};
  const auto started = std::chrono::steady_clock::now();

  auto make_worker = [&](unsigned w) -> core::batch::ChunkFn {
    std::shared_ptr<core::http::HttpClient> own;
    core::http::HttpClient* inner = &ctx.net().http();
    if (w > 0) {
      auto options = ctx.net().options();
      options.max_connections = connection_share(o.jobs, workers, w);
      own = std::shared_ptr<core::http::HttpClient>(core::http::make_client(
          std::move(options), core::http::module_transport_factory(candidates)));
      inner = own.get();
    }
    auto http = std::make_shared<CountingClient>(*inner, traffic);
    auto parser = std::make_shared<core::util::StrictJsonParser>();
    return [&, own, http, parser](std::span<const core::batch::Line> lines, std::string& out) {
      struct Item {
        std::uint64_t line = 0;
        std::string id;
        std::string text; // a finished output line (bad lines)
        int rc = 0;
        long slot = -1; // index into `asks` when this worker decides it
        std::optional<SharedOutcomes::Future> other; // another worker decides it
        std::optional<Outcome> cached;
      };
      std::vector<Item> items;
      items.reserve(lines.size());
      std::vector<Ask> asks;
      std::vector<SharedOutcomes::Promise> promises;
      std::map<std::string, long> slot_of;
      for (const auto& line : lines) {
        Item it;
        it.line = line.number;
        if (line.too_long) {
          it.rc = kExitUsage;
          it.text = bad_line(it.id, line.number, "the line is longer than 1 MiB");
          items.push_back(std::move(it));
          continue;
        }
        if (core::util::trim(line.text).empty()) {
          continue; // blank lines are not requests
        }
        auto ask = parse_line(*parser, line.text, o, it.id);
        std::string problem;
        if (!ask) {
          problem = ask.error().message;
        } else if ((!ask->permissions.empty() || !ask->path.empty()) && ctx.audience().empty()) {
          problem = "permissions need --audience (the resource server)";
        } else if (ask->bearer.empty() && ctx.user_token().empty() && !ctx.has_client()) {
          problem = "no identity: give the line a \"token\", or pass --token or --client-id "
                    "with a client secret";
        }
        if (!problem.empty()) {
          it.rc = kExitUsage;
          it.text = bad_line(it.id, line.number, problem);
          items.push_back(std::move(it));
          continue;
        }
        std::string key = dedupe_key(*ask);
        if (auto sl = slot_of.find(key); sl != slot_of.end()) {
          it.slot = sl->second;
          shared.hit();
        } else {
          auto claim = shared.claim(key);
          if (claim.done) {
            it.cached = std::move(claim.done);
          } else if (claim.pending) {
            it.other = std::move(claim.pending);
          } else {
            it.slot = static_cast<long>(asks.size());
            slot_of.emplace(std::move(key), it.slot);
            asks.push_back(std::move(*ask));
            promises.push_back(std::move(claim.promise));
          }
        }
        items.push_back(std::move(it));
      }
      // Paths first, all at once, then every check's rounds together.
      std::vector<std::string> paths;
      for (const auto& a : asks) {
        if (!a.path.empty()) {
          paths.push_back(a.path);
        }
      }
      std::optional<core::Error> lookup_error;
      uma::PathResolver* r = nullptr;
      if (!paths.empty()) {
        auto got = get_resolver();
        if (!got) {
          lookup_error = got.error();
        } else {
          r = *got;
          (void)r->resolve_all(*http, paths); // failures come back per path from resolve()
        }
      }
      std::vector<Prepared> work;
      work.reserve(asks.size());
      for (const auto& a : asks) {
        if (!a.path.empty() && lookup_error) {
          Prepared p;
          p.d.has_path = true;
          p.d.path = a.path;
          p.d.error = *lookup_error;
          work.push_back(std::move(p));
          continue;
        }
        work.push_back(prepare(ctx, *http, r, a, require_all, permissive));
      }
      std::vector<Prepared*> pending;
      for (auto& p : work) {
        pending.push_back(&p);
      }
      run_rounds(pending, *http, token_endpoint);
      std::vector<Outcome> outcomes;
      outcomes.reserve(work.size());
      for (std::size_t i = 0; i < work.size(); ++i) {
        const Decision d = finish(std::move(work[i]));
        Outcome oc;
        write_decision(oc.json, d, require_all);
        oc.rc = exit_of(d);
        shared.publish(promises[i], oc); // before waiting for anyone else's: no deadlock
        outcomes.push_back(std::move(oc));
      }
      bool stop = false;
      for (auto& it : items) {
        if (stop) {
          break;
        }
        if (!it.text.empty()) {
          tally.add(it.rc);
          out += it.text;
          continue;
        }
        const Outcome oc = it.cached  ? *it.cached
                           : it.other ? it.other->get()
                                      : outcomes[static_cast<std::size_t>(it.slot)];
        if (oc.rc == kExitInterrupted) {
          interrupted = true;
          stop = true; // Ctrl-C: the output stays a prefix of the input, of decided lines only
          break;
        }
        tally.add(oc.rc);
        out += oc.json;
        out += ",\"id\":";
        out += it.id.empty() ? "null" : it.id;
        out += fmt::format(",\"line\":{}}}\n", it.line);
      }
    };
  };
  core::util::set_cooperative(true); // Ctrl-C: finish the chunk's output, then stop
  core::batch::Options bo;
  bo.jobs = workers;
  bo.chunk_lines = std::max<std::size_t>(
      64, static_cast<std::size_t>(connection_share(o.jobs, workers, 0)) * 32);
  auto write = [&](std::string_view text) {
    return std::fwrite(text.data(), 1, text.size(), env.out) == text.size();
  };
  auto stats = core::batch::run_lines(fd, write, bo, make_worker);
  std::fflush(env.out);
  if (fd > 0) {
    ::close(fd);
  }
  if (!stats) {
    return report(env, stats.error());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const long lines = tally.allowed + tally.denied + tally.undecided + tally.bad;
  note(env,
       fmt::format("uma check --batch: {} lines: {} allowed, {} denied, {} undecided, {} bad; {} "
                   "requests to the IdP over {} connection{} ({} lines answered by an identical "
                   "earlier one), {:.2f} s, {:.0f} lines/s",
                   lines,
                   tally.allowed,
                   tally.denied,
                   tally.undecided,
                   tally.bad,
                   traffic.requests.load(),
                   traffic.connections.load(),
                   traffic.connections.load() == 1 ? "" : "s",
                   shared.hits(),
                   secs,
                   secs > 0 ? static_cast<double>(lines) / secs : 0.0));
  if (stats->interrupted || interrupted.load()) {
    return kExitInterrupted;
  }
  return tally.rc;
}

int run_check(const CheckOptions& o, Env& env) {
  const bool require_all = o.require == "all";
  TOLLGATE_TRY_EXIT(auto perms, parse_permissions(o.permissions));
  if (auto ok = check_method(o.method); !ok) {
    return report(env, ok.error());
  }
  if (auto ok = check_path(o.path); !ok) {
    return report(env, ok.error());
  }
  if (!o.path.empty() && !perms.empty()) {
    return report(env,
                  core::usage_error("bad_flags",
                                    "--path takes the permissions from the path's resources "
                                    "(as APISIX lazy_load_paths does): drop the PERMISSION "
                                    "arguments, or drop --path"));
  }
  if (auto ok = stdin_once(o.uma, {{"--batch", o.batch}}); !ok) {
    return report(env, ok.error());
  }
  UmaFlags flags = o.uma;
  flags.net.max_connections =
      o.batch.empty() ? 8 : connection_share(o.jobs, batch_workers(o.jobs), 0);
  TOLLGATE_TRY_EXIT(auto ctx, UmaContext::open(flags, env));
  if (o.batch.empty() && (!perms.empty() || !o.path.empty()) && ctx->audience().empty()) {
    return report(env,
                  core::usage_error("no_audience",
                                    "permissions need --audience (the resource server's client "
                                    "id), or a profile with audience"));
  }
  if (!o.batch.empty()) {
    return run_batch(o, *ctx, env);
  }
  if (ctx->user_token().empty() && !ctx->has_client()) {
    return report(env,
                  core::usage_error("no_identity",
                                    "no identity: pass --token (the user's access token) or "
                                    "--client-id with a client secret (the client's service "
                                    "account)"));
  }
  if (!o.path.empty() && !ctx->has_client()) {
    return report(env,
                  core::usage_error("no_client_id",
                                    "--path needs a PAT for the protection API: pass --client-id "
                                    "and the secret of the resource server's client"));
  }
  TOLLGATE_TRY_EXIT(const std::string token_endpoint, ctx->token_endpoint());
  std::unique_ptr<uma::PathResolver> resolver;
  if (!o.path.empty()) {
    TOLLGATE_TRY_EXIT(std::string endpoint, ctx->resource_endpoint());
    TOLLGATE_TRY_EXIT(uma::PatSource * pat, ctx->pat());
    resolver = std::make_unique<uma::PathResolver>(endpoint, *pat);
  }
  Ask ask;
  ask.permissions = std::move(perms);
  ask.raw = o.permissions;
  ask.method = o.method;
  ask.path = o.path;
  Prepared pr = prepare(
      *ctx, ctx->net().http(), resolver.get(), ask, require_all, o.enforcement == "permissive");
  std::vector<Prepared*> one{&pr};
  run_rounds(one, ctx->net().http(), token_endpoint);
  const Decision d = finish(std::move(pr));
  if (d.error) {
    if (o.uma.output.json) {
      print_json(env, decision_json(d, require_all));
    }
    return report(env, *d.error);
  }
  const int rc = exit_of(d);
  if (o.uma.output.json) {
    print_json(env, decision_json(d, require_all));
  } else {
    // Ids found through --path are shown with their names (one lookup each, for people).
    std::map<std::string, std::string> names;
    if (d.has_path && !d.path_resources.empty() && resolver) {
      auto endpoint = ctx->resource_endpoint();
      auto pat = endpoint ? ctx->pat() : core::Result<uma::PatSource*>(endpoint.error());
      auto token = pat ? (*pat)->get(ctx->net().http()) : core::Result<std::string>(pat.error());
      if (token) {
        auto got = uma::fetch_resources(ctx->net().http(), *endpoint, *token, d.path_resources);
        if (got) {
          for (std::size_t i = 0; i < got->size() && i < d.path_resources.size(); ++i) {
            const auto& r = (*got)[i];
            if (r.is_object() && r.contains("name") && r["name"].is_string()) {
              names[d.path_resources[i]] = r["name"].get<std::string>();
            }
          }
        }
      }
    }
    const std::string out = render_human(d, require_all, Style(env.color_out), names);
    std::fwrite(out.data(), 1, out.size(), env.out);
  }
  if (!d.result.decided) {
    return report_undecided(env, d.result.message);
  }
  if ((!d.result.allowed || d.has_path) && !d.result.message.empty()) {
    note(env, d.result.message);
  }
  return rc;
}

} // namespace

void setup_uma_check(CLI::App& uma, Runner& runner) {
  auto opts = std::make_shared<CheckOptions>();
  auto* sub = uma.add_subcommand(
      "check", "ask the IdP whether the caller holds resource#scope permissions (exit 0/1/3)");
  sub->add_option("permission",
                  opts->permissions,
                  "RESOURCE#SCOPE1,SCOPE2, RESOURCE (the whole resource) or #SCOPE")
      ->type_name("PERMISSION");
  choices(sub->add_option("--require",
                          opts->require,
                          "all: every permission and each of its scopes must be granted "
                          "(default); any: Keycloak's own decision, one granted is enough")
              ->type_name("MODE")
              ->default_str("all"),
          {"all", "any"});
  sub->add_option("--method",
                  opts->method,
                  "add the HTTP method as a scope to every permission (APISIX "
                  "http_method_as_scope): res -> res#GET, res#read -> res#read,GET")
      ->type_name("METHOD");
  sub->add_option("--path",
                  opts->path,
                  "resolve the request path to resources through the protection API, as APISIX "
                  "lazy_load_paths does (needs the resource server's client credentials)")
      ->type_name("PATH");
  choices(sub->add_option("--enforcement",
                          opts->enforcement,
                          "when --path matches no resource: enforcing denies without asking "
                          "(default), permissive asks for the caller's entitlements")
              ->type_name("MODE")
              ->default_str("enforcing"),
          {"enforcing", "permissive"});
  sub->add_option("--batch",
                  opts->batch,
                  "read NDJSON requests from FILE (- for stdin) and write one NDJSON result per "
                  "line, in order")
      ->type_name("FILE");
  sub->add_option("--jobs",
                  opts->jobs,
                  "with --batch: decisions in flight at once, each on its own kept-alive "
                  "connection (default 4)")
      ->type_name("N")
      ->check(CLI::Range(1u, 256u));
  add_uma_flags(sub, opts->uma, true);
  sub->footer(R"(EXAMPLES
  tollgate uma check 'Report#view' --audience reports-api \
      --issuer https://sso.example.com/realms/demo --token @user.jwt
  tollgate uma check orders --method GET --audience orders-api --profile dev --token "$TOKEN"
  tollgate uma check --path /api/orders/17 --method DELETE --audience orders-api \
      --client-id orders-api --client-secret-file rs.secret --token @user.jwt
  tollgate uma check --batch requests.ndjson --jobs 8 --profile dev --audience orders-api

--require all asks once with response_mode=permissions and checks every resource/scope pair
against the granted list (Keycloak answers a decision request with true when ANY permission, or
any scope of one permission, is granted); names missing from the list are then asked about on
their own, so a resource or scope that does not exist is reported as such. A single pair is one
decision request.

Exit 0 allowed, 1 denied, 2 usage or unreadable input, 3 the IdP could not decide (bad or
expired --token, unknown resource or scope, audience problems, 5xx, network). With --batch: the
highest of 3 (any undecided), 2 (any bad line), 1 (any denied), 0.)");
  sub->callback([opts, &runner] {
    runner = [opts](Env& env) {
      apply_color(env, opts->uma.output.color);
      return run_check(*opts, env);
    };
  });
}

} // namespace tollgate::cli
