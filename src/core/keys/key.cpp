#include "core/keys/key.hpp"

#include <algorithm>

namespace tollgate::core::keys {

bool Key::allows(std::string_view op) const {
  if (has_use && use != "sig") {
    return false;
  }
  if (has_key_ops && std::find(key_ops.begin(), key_ops.end(), op) == key_ops.end()) {
    return false;
  }
  return true;
}

} // namespace tollgate::core::keys
