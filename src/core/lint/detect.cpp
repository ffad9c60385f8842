#include "core/lint/detect.hpp"

#include <fmt/format.h>

namespace tollgate::core::lint {

namespace {

constexpr std::string_view kStandaloneLists[] = {"routes",
                                                 "services",
                                                 "upstreams",
                                                 "plugin_configs",
                                                 "consumers",
                                                 "consumer_groups",
                                                 "ssls",
                                                 "global_rules",
                                                 "stream_routes",
                                                 "plugin_metadata",
                                                 "protos",
                                                 "secrets"};
constexpr std::string_view kPluginConfigKeys[] = {
    "plugins", "id", "desc", "labels", "name", "create_time", "update_time"};
constexpr std::string_view kServiceKeys[] = {
    "plugins", "upstream", "upstream_id", "hosts", "enable_websocket", "script"};

bool ends_with(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    const char a = s[s.size() - suffix.size() + i];
    const char b = suffix[i];
    if (std::tolower(static_cast<unsigned char>(a)) != b) {
      return false;
    }
  }
  return true;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool has_list(Value root, std::string_view key) {
  return root.get(key).is_array();
}

bool nodes_are_objects(Value upstream) {
  const Value nodes = upstream.get("nodes");
  if (!nodes.is_array() || nodes.size() == 0) {
    return false;
  }
  const Value first = nodes.at(0);
  return first.is_object() && first.get("host") && first.get("port");
}

bool is_adc(Value root, SourceFormat format, std::string_view text) {
  const Value services = root.get("services");
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (services.at(i).get("routes")) {
      return true;
    }
  }
  if (format != SourceFormat::yaml || has_end_flag(text)) {
    return false;
  }
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (nodes_are_objects(services.at(i).get("upstream"))) {
      return true;
    }
  }
  const Value upstreams = root.get("upstreams");
  for (std::size_t i = 0; i < upstreams.size(); ++i) {
    if (nodes_are_objects(upstreams.at(i))) {
      return true;
    }
  }
  return false;
}

bool is_standalone(Value root) {
  for (auto k : kStandaloneLists) {
    if (has_list(root, k)) {
      return true;
    }
  }
  return false;
}

bool is_node_config(Value root) {
  return root.get("deployment").is_object() || root.get("apisix").is_object()
         || root.get("nginx_config").is_object() || root.get("plugins").is_array()
         || root.get("plugin_attr").is_object();
}

bool only_keys(Value obj, std::span<const std::string_view> allowed) {
  for (const Member& m : obj.members()) {
    bool ok = false;
    for (auto a : allowed) {
      ok = ok || m.key_view() == a;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

Shape apisix_body(Value root) {
  if (root.get("uri") || root.get("uris")) {
    return Shape::apisix_route;
  }
  if (root.get("plugins").is_object() && only_keys(root, kPluginConfigKeys)) {
    return Shape::apisix_plugin_config;
  }
  for (auto k : kServiceKeys) {
    if (root.get(k)) {
      return Shape::apisix_service;
    }
  }
  return Shape::unknown;
}

} // namespace

SourceFormat guess_format(std::string_view path, std::string_view text) {
  if (ends_with(path, ".json") || ends_with(path, ".tmpl")) {
    return SourceFormat::json;
  }
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
    return SourceFormat::yaml;
  }
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size() && is_space(text[i])) {
    ++i;
  }
  return i < text.size() && (text[i] == '{' || text[i] == '[') ? SourceFormat::json
                                                               : SourceFormat::yaml;
}

Shape detect_shape(Value root,
                   SourceFormat format,
                   std::string_view text,
                   std::optional<Gateway> forced) {
  if (forced == Gateway::krakend) {
    return Shape::krakend;
  }
  if (forced == Gateway::adc) {
    return Shape::adc;
  }
  if (!root.is_object()) {
    return forced == Gateway::apisix ? Shape::apisix_route : Shape::unknown;
  }
  if (!forced && (root.get("endpoints") || root.get("version"))) {
    return Shape::krakend;
  }
  if (root.get("uri") || root.get("uris")) {
    return Shape::apisix_route;
  }
  if (is_standalone(root)) {
    if (!forced && is_adc(root, format, text)) {
      return Shape::adc;
    }
    return Shape::apisix_standalone;
  }
  if (is_node_config(root)) {
    return Shape::apisix_config;
  }
  const Shape body = apisix_body(root);
  if (body == Shape::unknown && forced == Gateway::apisix) {
    return Shape::apisix_service;
  }
  return body;
}

std::string unknown_shape_message(Value root) {
  const char* expected =
      "expected a KrakenD v3 config (an object with \"version\": 3 and \"endpoints\"), an APISIX "
      "Admin API body "
      "(a route with \"uri\" or \"uris\", a service, or a plugin_config with \"plugins\"), a "
      "standalone "
      "apisix.yaml/apisix.json (top-level \"routes\", \"services\", \"upstreams\", ...), an APISIX "
      "config.yaml, or "
      "an ADC file (\"services\" holding \"routes\"); pass --gateway krakend|apisix|adc to choose";
  if (!root || root.is_null()) {
    return fmt::format("the file is empty: {}", expected);
  }
  if (!root.is_object()) {
    return fmt::format("cannot tell which gateway this is for: the top level is {}, {}",
                       root.is_array() ? "a list" : "a single value",
                       expected);
  }
  return fmt::format("cannot tell which gateway this is for: {}", expected);
}

std::optional<std::uint32_t> find_template_action(std::string_view text) {
  std::size_t pos = 0;
  std::size_t scanned = 0;
  bool in_string = false;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    // Track JSON string state up to the action: one inside a string leaves the JSON valid there,
    // so it cannot be what broke the file.
    for (; scanned < pos; ++scanned) {
      if (text[scanned] == '\\' && in_string) {
        ++scanned;
      } else if (text[scanned] == '"') {
        in_string = !in_string;
      }
    }
    if (in_string) {
      pos += 2;
      continue;
    }
    const std::size_t end = text.find("}}", pos + 2);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view inner = text.substr(pos + 2, end - pos - 2);
    if (inner.find('\n') == std::string_view::npos) {
      if (!inner.empty() && inner.front() == '-') {
        inner.remove_prefix(1);
      }
      while (!inner.empty() && is_space(inner.front())) {
        inner.remove_prefix(1);
      }
      // Actions start with a field (.x), a variable ($x), a comment (/*) or an identifier.
      if (!inner.empty()
          && (inner[0] == '.' || inner[0] == '$' || inner[0] == '/'
              || std::isalpha(static_cast<unsigned char>(inner[0])))) {
        return static_cast<std::uint32_t>(pos);
      }
    }
    pos = end + 2;
  }
  return std::nullopt;
}

bool has_end_flag(std::string_view text) {
  // config_yaml.lua: f:seek('end', -10), then "#END\s*$" on those bytes.
  const std::string_view tail = text.size() > 10 ? text.substr(text.size() - 10) : text;
  const auto pos = tail.rfind("#END");
  if (pos == std::string_view::npos) {
    return false;
  }
  for (std::size_t i = pos + 4; i < tail.size(); ++i) {
    if (!is_space(tail[i])) {
      return false;
    }
  }
  return true;
}

} // namespace tollgate::core::lint
