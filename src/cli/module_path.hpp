#pragma once

#include <string>
#include <vector>

namespace tollgate::cli {

// Where the HTTP module may be, in search order: next to the executable (the build tree), then
// dirname(exe)/TOLLGATE_BIN_TO_MODULES (an installed tree: bin/../lib/<arch>/tollgate).
std::vector<std::string> http_module_candidates();

} // namespace tollgate::cli
