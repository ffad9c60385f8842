// APISIX files in their shapes (gateway-configs.md B.4): Admin API bodies, standalone
// apisix.yaml/apisix.json, ADC files and config.yaml. Item-level rules (ids, end flag,
// plugin_config references) live here; plugin blocks are checked in apisix_plugin.cpp.
#include "core/lint/apisix.hpp"
#include "core/lint/detect.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <map>

namespace tollgate::core::lint {

namespace {

using namespace apisix;

void add_sites(const Document& doc,
               std::vector<PluginSite>& out,
               const std::string& owner_ptr,
               Value owner,
               Shape kind,
               bool standalone,
               bool adc) {
  const Value plugins = owner.get("plugins");
  const Member* m = plugins.member(kPlugin);
  if (m == nullptr) {
    return;
  }
  PluginSite s;
  s.ptr = pointer_join(pointer_join(owner_ptr, "plugins"), kPlugin);
  s.block = Value(&doc, m->value);
  s.owner_ptr = owner_ptr;
  s.owner = owner;
  s.owner_kind = kind;
  s.standalone = standalone;
  s.adc = adc;
  out.push_back(std::move(s));
}

std::string id_text(Value id) {
  return id.is_string() || id.is_number() ? std::string(id.str()) : std::string();
}

// A1/A2 for one top-level list of a standalone file: repeated and missing ids.
void check_ids(Context& cx, const std::string& list_ptr, Value list) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Value item = list.at(i);
    const std::string ptr = pointer_join(list_ptr, i);
    const Value id = item.get("id");
    if (!id) {
      if (item.is_object()) {
        cx.at(Rule::apisix_missing_id,
              ptr,
              item,
              fmt::format("this item has no id: APISIX names it arr_{} after its position, so "
                          "inserting an item "
                          "before it renames it",
                          i + 1),
              "give it an \"id\"");
      }
      continue;
    }
    const std::string key = id_text(id);
    auto [it, inserted] = seen.emplace(key, i);
    if (!inserted && !key.empty()) {
      cx.at(Rule::apisix_duplicate_id,
            pointer_join(ptr, "id"),
            id,
            fmt::format("id {} repeats item {} of this list: the standalone loader keeps only the "
                        "later one, so "
                        "{} is silently lost",
                        util::quote(key),
                        it->second,
                        pointer_join(list_ptr, it->second)));
    }
  }
}

void check_end_flag(Context& cx) {
  const std::string_view text = cx.doc().text();
  if (cx.doc().format() != SourceFormat::yaml || has_end_flag(text)) {
    return;
  }
  const auto pos = text.rfind("#END");
  if (pos != std::string_view::npos
      && text.find_first_not_of(" \t\r\n\f\v", pos + 4) == std::string_view::npos) {
    cx.emit(Rule::apisix_missing_end_flag,
            "",
            static_cast<std::uint32_t>(pos),
            "#END is followed by more than 6 bytes of whitespace: APISIX reads only the last 10 "
            "bytes of apisix.yaml, "
            "does not see it, logs \"missing valid end flag in file\" and does not load the file",
            "remove the blank lines after #END");
    return;
  }
  // Point at the last line with content.
  std::size_t end = text.size();
  while (end > 0
         && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '
             || text[end - 1] == '\t')) {
    --end;
  }
  std::size_t start = end == 0 ? 0 : text.rfind('\n', end - 1);
  start = start == std::string_view::npos ? 0 : start + 1;
  cx.emit(Rule::apisix_missing_end_flag,
          "",
          static_cast<std::uint32_t>(start),
          "a standalone apisix.yaml must end with #END: without it APISIX logs \"missing valid end "
          "flag in file\" and "
          "does not load it",
          "add a last line \"#END\"");
}

bool has_error_under(const FileReport& rep, const std::string& ptr) {
  for (const auto& f : rep.findings) {
    if (f.severity == Severity::error && (f.pointer == ptr || f.pointer.starts_with(ptr + "/"))) {
      return true;
    }
  }
  return false;
}

void check_plugin_config_refs(Context& cx, Value root) {
  const Value configs = root.get("plugin_configs");
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    index.emplace(id_text(configs.at(i).get("id")), i);
  }
  const Value routes = root.get("routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const Value ref = routes.at(i).get("plugin_config_id");
    if (!ref || (!ref.is_string() && !ref.is_number())) {
      continue;
    }
    const std::string ptr = pointer_join(pointer_join("/routes", i), "plugin_config_id");
    auto it = index.find(id_text(ref));
    if (it == index.end()) {
      cx.at(Rule::apisix_plugin_config_reference,
            ptr,
            ref,
            fmt::format("plugin_config_id {} names no plugin config in this file: APISIX cannot "
                        "apply its plugins",
                        util::quote(id_text(ref))),
            configs.size() ? did_you_mean(closest_name(id_text(ref),
                                                       [&] {
                                                         std::vector<std::string_view> names;
                                                         for (auto& [k, v] : index) {
                                                           names.push_back(k);
                                                         }
                                                         return names;
                                                       }()))
                           : std::string());
    } else if (has_error_under(cx.report(), pointer_join("/plugin_configs", it->second))) {
      cx.at(Rule::apisix_plugin_config_reference,
            ptr,
            ref,
            fmt::format("plugin_config_id {} names /plugin_configs/{}, which has errors: APISIX "
                        "drops that plugin "
                        "config and this route runs without its plugins",
                        util::quote(id_text(ref)),
                        it->second));
    }
  }
}

void check_item(Context& cx,
                const std::string& ptr,
                Value item,
                Shape kind,
                bool standalone,
                bool adc,
                std::vector<PluginSite>& sites) {
  const std::string effect = adc          ? "adc sync is rejected"
                             : standalone ? "APISIX skips this item when it loads the file"
                                          : "the Admin API rejects it with 400";
  if (!adc) {
    const auto fields = kind == Shape::apisix_route     ? route_fields()
                        : kind == Shape::apisix_service ? service_fields()
                                                        : plugin_config_fields();
    check_envelope(cx, ptr, item, fields, effect);
    if (kind == Shape::apisix_route && item.is_object()) {
      check_route_shape(cx, ptr, item, effect);
    }
  }
  if (item.get("plugins").is_object()) {
    check_plugin_names(cx, pointer_join(ptr, "plugins"), item.get("plugins"));
  }
  add_sites(cx.doc(), sites, ptr, item, kind, standalone, adc);
}

void node_config(Context& cx, Value root) {
  const Member* m = root.member("plugins");
  if (m == nullptr || !Value(&cx.doc(), m->value).is_array()) {
    return;
  }
  FileReport& rep = cx.report();
  rep.has_plugins_list = true;
  rep.plugins_list_offset = m->key_offset;
  rep.plugins_list_pos = cx.doc().position(m->key_offset);
  rep.plugins_list_line = std::string(cx.doc().line_text(rep.plugins_list_pos.line));
  const Value list(&cx.doc(), m->value);
  for (std::size_t i = 0; i < list.size(); ++i) {
    rep.plugins_list_has_authz_keycloak =
        rep.plugins_list_has_authz_keycloak || list.at(i).str() == kPlugin;
  }
}

} // namespace

std::vector<PluginSite> apisix::find_plugin_sites(const Document& doc, Shape shape) {
  std::vector<PluginSite> out;
  const Value root = doc.root();
  switch (shape) {
  case Shape::apisix_route:
  case Shape::apisix_service:
  case Shape::apisix_plugin_config:
    add_sites(doc, out, "", root, shape, false, false);
    break;
  case Shape::apisix_standalone:
    for (auto [list, kind] : {std::pair{"routes", Shape::apisix_route},
                              std::pair{"services", Shape::apisix_service},
                              std::pair{"plugin_configs", Shape::apisix_plugin_config},
                              std::pair{"global_rules", Shape::apisix_plugin_config}}) {
      const Value items = root.get(list);
      for (std::size_t i = 0; i < items.size(); ++i) {
        add_sites(
            doc, out, pointer_join(pointer_join("", list), i), items.at(i), kind, true, false);
      }
    }
    break;
  case Shape::adc: {
    const Value services = root.get("services");
    for (std::size_t i = 0; i < services.size(); ++i) {
      const std::string sptr = pointer_join("/services", i);
      add_sites(doc, out, sptr, services.at(i), Shape::apisix_service, false, true);
      const Value routes = services.at(i).get("routes");
      for (std::size_t j = 0; j < routes.size(); ++j) {
        add_sites(doc,
                  out,
                  pointer_join(pointer_join(sptr, "routes"), j),
                  routes.at(j),
                  Shape::apisix_route,
                  false,
                  true);
      }
    }
    break;
  }
  default:
    break;
  }
  return out;
}

void lint_apisix(Context& cx) {
  const Value root = cx.doc().root();
  std::vector<PluginSite> sites;
  switch (cx.shape()) {
  case Shape::apisix_config:
    node_config(cx, root);
    return;
  case Shape::apisix_route:
  case Shape::apisix_service:
  case Shape::apisix_plugin_config:
    check_item(cx, "", root, cx.shape(), false, false, sites);
    break;
  case Shape::apisix_standalone:
    check_end_flag(cx);
    for (auto [list, kind] : {std::pair{"plugin_configs", Shape::apisix_plugin_config},
                              std::pair{"services", Shape::apisix_service},
                              std::pair{"routes", Shape::apisix_route}}) {
      const Value items = root.get(list);
      const std::string list_ptr = pointer_join("", list);
      check_ids(cx, list_ptr, items);
      for (std::size_t i = 0; i < items.size(); ++i) {
        check_item(cx, pointer_join(list_ptr, i), items.at(i), kind, true, false, sites);
      }
    }
    // Consumers are keyed by username, not id.
    for (std::string_view list : {"upstreams", "global_rules", "ssls"}) {
      check_ids(cx, pointer_join("", list), root.get(list));
    }
    {
      const Value rules = root.get("global_rules");
      for (std::size_t i = 0; i < rules.size(); ++i) {
        add_sites(cx.doc(),
                  sites,
                  pointer_join("/global_rules", i),
                  rules.at(i),
                  Shape::apisix_plugin_config,
                  true,
                  false);
      }
    }
    break;
  case Shape::adc: {
    const Value services = root.get("services");
    for (std::size_t i = 0; i < services.size(); ++i) {
      const std::string sptr = pointer_join("/services", i);
      check_item(cx, sptr, services.at(i), Shape::apisix_service, false, true, sites);
      const Value routes = services.at(i).get("routes");
      for (std::size_t j = 0; j < routes.size(); ++j) {
        check_item(cx,
                   pointer_join(pointer_join(sptr, "routes"), j),
                   routes.at(j),
                   Shape::apisix_route,
                   false,
                   true,
                   sites);
      }
    }
    break;
  }
  default:
    return;
  }
  // Plugin configs first, so that routes can tell whether the config they name has errors.
  std::stable_sort(sites.begin(), sites.end(), [](const PluginSite& a, const PluginSite& b) {
    return (a.owner_kind == Shape::apisix_plugin_config)
           > (b.owner_kind == Shape::apisix_plugin_config);
  });
  for (const auto& s : sites) {
    check_plugin(cx, s);
  }
  if (cx.shape() == Shape::apisix_standalone) {
    check_plugin_config_refs(cx, root);
  }
}

void cross_check(std::vector<FileReport>& reports, const LintOptions& opts) {
  std::vector<std::string> users;
  for (const auto& r : reports) {
    if (r.uses_authz_keycloak) {
      users.push_back(r.path);
    }
  }
  if (users.empty() || !opts.rules.enabled(Rule::apisix_plugin_not_enabled)) {
    return;
  }
  for (auto& r : reports) {
    if (!r.has_plugins_list || r.plugins_list_has_authz_keycloak || !r.plugins_list_offset) {
      continue;
    }
    Finding f;
    f.rule = Rule::apisix_plugin_not_enabled;
    f.severity = rule_info(f.rule).severity;
    f.pointer = "/plugins";
    f.offset = *r.plugins_list_offset;
    f.pos = r.plugins_list_pos;
    f.line_text = r.plugins_list_line;
    f.message = fmt::format(
        "this plugins list replaces APISIX's default list and leaves out authz-keycloak, which {} "
        "uses: APISIX answers \"unknown plugin [authz-keycloak]\" for those routes",
        util::join(users, ", "));
    f.hint = "add \"- authz-keycloak\" to the list";
    r.findings.push_back(std::move(f));
    normalise(r);
  }
}

} // namespace tollgate::core::lint
