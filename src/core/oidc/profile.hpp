#pragma once

#include "core/util/result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tollgate::core::oidc {

// One named profile of $XDG_CONFIG_HOME/tollgate/config.yaml:
//
//   profiles:
//     dev:
//       issuer: https://sso.example.com/realms/dev
//       client_id: tollgate-cli
//       client_secret_file: ~/.config/tollgate/dev.secret
//       client_auth: basic        # basic | post | none
//       audience: reports-api
//       timeout_ms: 5000
//       cacert: dev-ca.pem         # relative paths are relative to the config file
//
// Command-line flags override every value.
struct Profile {
  std::string name;
  int line = 0; // where the profile starts (1-based), for messages
  std::optional<std::string> issuer;
  std::optional<std::string> token_endpoint;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret_file; // absolute (~ and relative paths resolved)
  std::optional<std::string> client_auth;        // validated: basic, post or none
  std::optional<std::string> audience;
  std::optional<long> timeout_ms;
  std::optional<std::string> cacert; // absolute
};

struct ProfileFile {
  std::string path;
  bool exists = false;
  std::vector<Profile> profiles;
  const Profile* find(const std::string& name) const;
};

// The profile keys, in documentation order.
const std::vector<std::string>& profile_keys();

// $XDG_CONFIG_HOME/tollgate/config.yaml, else $HOME/.config/tollgate/config.yaml ("" when
// neither is set).
std::string default_config_path(const char* xdg_config_home, const char* home);

// Read and validate a config file with libyaml. A missing file is an empty ProfileFile; any
// problem is a usage error "FILE:LINE:COL: message" (unknown keys with a did-you-mean, wrong
// types, duplicate names, YAML syntax). `home` expands a leading "~/" in paths.
Result<ProfileFile> load_profiles(const std::string& path, const char* home);

// Parse YAML text (for tests); `path` names it in messages and anchors relative paths.
Result<ProfileFile>
parse_profiles(const std::string& text, const std::string& path, const char* home);

// The profile to use: `name` (from --profile or TOLLGATE_PROFILE); an unknown name is a usage
// error listing the known ones. Returns null when `name` is empty.
Result<const Profile*> select_profile(const ProfileFile& file, const std::string& name);

} // namespace tollgate::core::oidc
