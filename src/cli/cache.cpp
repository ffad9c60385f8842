// tollgate cache list|clear: the on-disk cache of discovery documents and JWKS.
#include "core/cache/cache.hpp"

#include "cli/command.hpp"
#include "cli/exit.hpp"
#include "cli/render.hpp"
#include "cli/table.hpp"
#include "cli/try_exit.hpp"
#include "core/util/time.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace tollgate::cli {
namespace {

using core::util::Json;

std::string cache_dir() {
  return core::cache::default_dir(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"));
}

int run_list(const OutputOptions& out_opts, Env& env) {
  const core::cache::DiskCache cache(cache_dir());
  TOLLGATE_TRY_EXIT(auto entries, cache.list());
  const double now = core::util::SystemClock().now();
  const core::cache::Policy policy;
  if (out_opts.json) {
    Json doc = Json::object();
    doc["directory"] = cache.dir();
    Json list = Json::array();
    for (const auto& l : entries) {
      Json e = Json::object();
      e["file"] = l.file;
      e["bytes"] = l.bytes;
      if (l.entry) {
        e["url"] = l.entry->url;
        e["fetched_at"] = core::util::format_instant(l.entry->fetched_at);
        e["max_age"] = l.entry->max_age ? Json(*l.entry->max_age) : Json(nullptr);
        e["ttl"] = core::cache::ttl_for(*l.entry, policy);
        e["fresh"] = core::cache::is_fresh(*l.entry, policy, now);
        e["cacert"] = l.entry->cacert.empty() ? Json(nullptr) : Json(l.entry->cacert);
        e["corrupt"] = false;
      } else {
        e["corrupt"] = true;
      }
      list.push_back(std::move(e));
    }
    doc["entries"] = std::move(list);
    print_json(env, doc);
    return kExitOk;
  }
  const Style s(env.color_out);
  std::string out =
      fmt::format("{} {}\n",
                  s.bold("cache directory"),
                  cache.dir().empty() ? "(none: set HOME or XDG_CACHE_HOME)" : cache.dir());
  if (entries.empty()) {
    out += "no entries\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : entries) {
      if (!l.entry) {
        rows.push_back({"corrupt (ignored)", "-", "-", std::to_string(l.bytes), l.file});
        continue;
      }
      const bool fresh = core::cache::is_fresh(*l.entry, policy, now);
      rows.push_back(
          {fresh ? "fresh" : "expired",
           core::util::format_instant(l.entry->fetched_at),
           core::util::format_duration(static_cast<double>(core::cache::ttl_for(*l.entry, policy))),
           std::to_string(l.bytes),
           l.entry->cacert.empty()
               ? l.entry->url
               : fmt::format("{} (--cacert {})", l.entry->url, l.entry->cacert)});
    }
    out += render_table({"STATE", "FETCHED", "TTL", "BYTES", "URL"}, rows, s);
  }
  std::fwrite(out.data(), 1, out.size(), env.out);
  return kExitOk;
}

int run_clear(const OutputOptions& out_opts, Env& env) {
  const core::cache::DiskCache cache(cache_dir());
  TOLLGATE_TRY_EXIT(std::size_t removed, cache.clear());
  if (out_opts.json) {
    print_json(env, Json{{"directory", cache.dir()}, {"removed", removed}});
  } else {
    fmt::print(env.out,
               "removed {} {} from {}\n",
               removed,
               removed == 1 ? "entry" : "entries",
               cache.dir().empty() ? "(no cache directory)" : cache.dir());
  }
  return kExitOk;
}

void setup_cache(CLI::App& app, Runner& runner) {
  auto* sub =
      app.add_subcommand("cache", "list or clear the cache of discovery documents and JWKS");
  sub->require_subcommand(1);
  sub->footer(R"(The cache lives in $XDG_CACHE_HOME/tollgate (default ~/.cache/tollgate).

EXAMPLES
  tollgate cache list
  tollgate cache list --json | jq -r '.entries[].url'
  tollgate cache clear)");
  auto list_opts = std::make_shared<OutputOptions>();
  auto* list = sub->add_subcommand("list", "show the cached documents, their age and freshness");
  add_output_options(list, *list_opts);
  list->callback([list_opts, &runner] {
    runner = [list_opts](Env& env) {
      apply_color(env, list_opts->color);
      return run_list(*list_opts, env);
    };
  });
  auto clear_opts = std::make_shared<OutputOptions>();
  auto* clear = sub->add_subcommand("clear", "remove every cached document");
  add_output_options(clear, *clear_opts);
  clear->callback([clear_opts, &runner] {
    runner = [clear_opts](Env& env) {
      apply_color(env, clear_opts->color);
      return run_clear(*clear_opts, env);
    };
  });
}

} // namespace

TOLLGATE_COMMAND("cache", 60, setup_cache);

} // namespace tollgate::cli
