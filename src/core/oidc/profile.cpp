#include "core/oidc/profile.hpp"

#include "core/util/file.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <sys/stat.h>

namespace tollgate::core::oidc {
namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

// A YAML node from libyaml's events: enough structure for a config file, with positions.
struct Node {
  enum Kind { scalar, mapping, sequence } kind = scalar;
  std::string value;
  int line = 0;
  int col = 0;
  std::vector<std::pair<Node, Node>> pairs; // mapping
  std::vector<Node> items;                  // sequence
};

class Reader {
public:
  Reader(const std::string& text, std::string path) : m_path(std::move(path)) {
    yaml_parser_initialize(&m_parser);
    yaml_parser_set_input_string(
        &m_parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Reader() { yaml_parser_delete(&m_parser); }

  // The single document's root, or nullopt for an empty stream.
  Result<std::optional<Node>> document() {
    yaml_event_t ev;
    TOLLGATE_CHECK(next(ev)); // STREAM_START
    yaml_event_delete(&ev);
    TOLLGATE_CHECK(next(ev));
    if (ev.type == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      return std::optional<Node>();
    }
    yaml_event_delete(&ev); // DOCUMENT_START
    TOLLGATE_TRY(Node root, node(0));
    TOLLGATE_CHECK(next(ev)); // DOCUMENT_END
    yaml_event_delete(&ev);
    TOLLGATE_CHECK(next(ev));
    const bool more = ev.type != YAML_STREAM_END_EVENT;
    const int line = static_cast<int>(ev.start_mark.line) + 1;
    const int col = static_cast<int>(ev.start_mark.column) + 1;
    yaml_event_delete(&ev);
    if (more) {
      return error(line, col, "a second YAML document; the config file holds one");
    }
    return std::optional<Node>(std::move(root));
  }

  Error error(int line, int col, const std::string& message) const {
    return usage_error("bad_config", fmt::format("{}:{}:{}: {}", m_path, line, col, message));
  }

private:
  Result<void> next(yaml_event_t& ev) {
    if (yaml_parser_parse(&m_parser, &ev) != 1) {
      const auto& m = m_parser.problem_mark;
      std::string msg = m_parser.problem != nullptr ? m_parser.problem : "invalid YAML";
      if (m_parser.context != nullptr) {
        msg = fmt::format("{} {}", m_parser.context, msg);
      }
      return error(static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1, msg);
    }
    return {};
  }

  Result<Node> node(int depth) {
    yaml_event_t ev;
    TOLLGATE_CHECK(next(ev));
    return build(ev, depth);
  }

  // The next node, or nullopt when the next event is `end` (libyaml has no peek).
  Result<std::optional<Node>> node_or_end(int depth, yaml_event_type_t end) {
    yaml_event_t ev;
    TOLLGATE_CHECK(next(ev));
    if (ev.type == end) {
      yaml_event_delete(&ev);
      return std::optional<Node>();
    }
    TOLLGATE_TRY(Node n, build(ev, depth));
    return std::optional<Node>(std::move(n));
  }

  // The node that starts with event `ev` (which this call deletes).
  Result<Node> build(yaml_event_t& ev, int depth) {
    Node n;
    n.line = static_cast<int>(ev.start_mark.line) + 1;
    n.col = static_cast<int>(ev.start_mark.column) + 1;
    const yaml_event_type_t type = ev.type;
    if (type == YAML_SCALAR_EVENT) {
      n.value.assign(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
    }
    yaml_event_delete(&ev);
    if (type == YAML_SCALAR_EVENT) {
      return n;
    }
    if (type == YAML_ALIAS_EVENT) {
      return error(n.line, n.col, "YAML aliases are not supported in the config file");
    }
    if (depth > 16) {
      return error(n.line, n.col, "nesting is too deep");
    }
    if (type == YAML_MAPPING_START_EVENT) {
      n.kind = Node::mapping;
      while (true) {
        TOLLGATE_TRY(auto key, node_or_end(depth + 1, YAML_MAPPING_END_EVENT));
        if (!key) {
          return n;
        }
        TOLLGATE_TRY(Node value, node(depth + 1));
        n.pairs.emplace_back(std::move(*key), std::move(value));
      }
    }
    if (type == YAML_SEQUENCE_START_EVENT) {
      n.kind = Node::sequence;
      while (true) {
        TOLLGATE_TRY(auto item, node_or_end(depth + 1, YAML_SEQUENCE_END_EVENT));
        if (!item) {
          return n;
        }
        n.items.push_back(std::move(*item));
      }
    }
    return error(n.line, n.col, "unexpected YAML structure");
  }

  yaml_parser_t m_parser{};
  std::string m_path;
};

const char* kind_name(const Node& n) {
  return n.kind == Node::scalar ? "a scalar" : n.kind == Node::mapping ? "a mapping" : "a list";
}

std::string suggestion(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 3;
  for (const auto& k : known) {
    const std::size_t d = util::edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string
resolve_path(const std::string& value, const std::string& config_path, const char* home) {
  if (value.rfind("~/", 0) == 0 && home != nullptr && home[0] != '\0') {
    return std::string(home) + value.substr(1);
  }
  if (!value.empty() && value.front() == '/') {
    return value;
  }
  return dir_of(config_path) + "/" + value;
}

} // namespace

const std::vector<std::string>& profile_keys() {
  static const std::vector<std::string> keys = {"issuer",
                                                "token_endpoint",
                                                "client_id",
                                                "client_secret_file",
                                                "client_auth",
                                                "audience",
                                                "timeout_ms",
                                                "cacert"};
  return keys;
}

const Profile* ProfileFile::find(const std::string& name) const {
  for (const auto& p : profiles) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

std::string default_config_path(const char* xdg, const char* home) {
  if (xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/tollgate/config.yaml";
  }
  if (home != nullptr && home[0] == '/') {
    return std::string(home) + "/.config/tollgate/config.yaml";
  }
  return {};
}

Result<ProfileFile>
parse_profiles(const std::string& text, const std::string& path, const char* home) {
  ProfileFile file;
  file.path = path;
  file.exists = true;
  Reader reader(text, path);
  TOLLGATE_TRY(auto root, reader.document());
  if (!root || (root->kind == Node::scalar && root->value.empty())) {
    return file;
  }
  auto err = [&](const Node& n, const std::string& msg) {
    return reader.error(n.line, n.col, msg);
  };
  if (root->kind != Node::mapping) {
    return err(*root,
               fmt::format("the config file must be a mapping with a 'profiles' key, not {}",
                           kind_name(*root)));
  }
  for (const auto& [key, value] : root->pairs) {
    if (key.kind != Node::scalar || key.value != "profiles") {
      return err(key,
                 fmt::format("unknown top-level key '{}' (expected 'profiles'){}",
                             util::excerpt(key.value),
                             suggestion(key.value, {"profiles"})));
    }
    if (value.kind == Node::scalar && value.value.empty()) {
      continue; // "profiles:" with nothing under it
    }
    if (value.kind != Node::mapping) {
      return err(
          value,
          fmt::format("'profiles' must be a mapping of profile names, not {}", kind_name(value)));
    }
    for (const auto& [pname, pbody] : value.pairs) {
      if (pname.kind != Node::scalar || pname.value.empty()) {
        return err(pname, "a profile name must be a non-empty string");
      }
      if (file.find(pname.value) != nullptr) {
        return err(pname, fmt::format("profile '{}' is defined twice", util::excerpt(pname.value)));
      }
      if (pbody.kind != Node::mapping) {
        return err(pbody,
                   fmt::format("profile '{}' must be a mapping of settings, not {}",
                               util::excerpt(pname.value),
                               kind_name(pbody)));
      }
      Profile p;
      p.name = pname.value;
      p.line = pname.line;
      std::vector<std::string> seen;
      for (const auto& [k, v] : pbody.pairs) {
        if (k.kind != Node::scalar) {
          return err(k, "a setting name must be a string");
        }
        const auto& keys = profile_keys();
        if (std::find(keys.begin(), keys.end(), k.value) == keys.end()) {
          return err(k,
                     fmt::format("unknown key '{}' in profile '{}'{}; known keys: {}",
                                 util::excerpt(k.value),
                                 p.name,
                                 suggestion(k.value, keys),
                                 util::join(keys, ", ")));
        }
        if (std::find(seen.begin(), seen.end(), k.value) != seen.end()) {
          return err(k, fmt::format("key '{}' appears twice in profile '{}'", k.value, p.name));
        }
        seen.push_back(k.value);
        if (v.kind != Node::scalar) {
          return err(v, fmt::format("'{}' must be a string, not {}", k.value, kind_name(v)));
        }
        if (v.value.empty()) {
          return err(v, fmt::format("'{}' is empty", k.value));
        }
        const std::string& s = v.value;
        if (k.value == "issuer") {
          p.issuer = s;
        } else if (k.value == "token_endpoint") {
          p.token_endpoint = s;
        } else if (k.value == "client_id") {
          p.client_id = s;
        } else if (k.value == "client_secret_file") {
          p.client_secret_file = resolve_path(s, path, home);
        } else if (k.value == "client_auth") {
          if (s != "basic" && s != "post" && s != "none") {
            return err(
                v,
                fmt::format("client_auth '{}' is not one of basic, post, none", util::excerpt(s)));
          }
          p.client_auth = s;
        } else if (k.value == "audience") {
          p.audience = s;
        } else if (k.value == "timeout_ms") {
          if (s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos
              || std::stol(s) <= 0) {
            return err(v,
                       fmt::format("timeout_ms '{}' is not a positive integer of milliseconds",
                                   util::excerpt(s)));
          }
          p.timeout_ms = std::stol(s);
        } else if (k.value == "cacert") {
          p.cacert = resolve_path(s, path, home);
        }
      }
      file.profiles.push_back(std::move(p));
    }
  }
  return file;
}

Result<ProfileFile> load_profiles(const std::string& path, const char* home) {
  ProfileFile empty;
  empty.path = path;
  if (path.empty()) {
    return empty;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return empty;
  }
  TOLLGATE_TRY(std::string text, util::read_file(path, kMaxConfigBytes, "config file"));
  return parse_profiles(text, path, home);
}

Result<const Profile*> select_profile(const ProfileFile& file, const std::string& name) {
  if (name.empty()) {
    return static_cast<const Profile*>(nullptr);
  }
  if (const Profile* p = file.find(name)) {
    return p;
  }
  if (!file.exists) {
    return usage_error("no_profile",
                       fmt::format("profile '{}' not found: {} does not exist",
                                   util::excerpt(name),
                                   file.path.empty() ? "the config file" : file.path));
  }
  std::vector<std::string> names;
  for (const auto& p : file.profiles) {
    names.push_back(p.name);
  }
  return usage_error("no_profile",
                     fmt::format("profile '{}' not found in {} (profiles: {})",
                                 util::excerpt(name),
                                 file.path,
                                 names.empty() ? "none" : util::join(names, ", ")));
}

} // namespace tollgate::core::oidc
