#include "cli/module_path.hpp"

#include "core/http/transport.hpp"

#include <climits>

#include <unistd.h>

#ifndef TOLLGATE_BIN_TO_MODULES
#define TOLLGATE_BIN_TO_MODULES "../lib/tollgate"
#endif

namespace tollgate::cli {

std::vector<std::string> http_module_candidates() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string dir = ".";
  if (n > 0) {
    std::string exe(buf, static_cast<std::size_t>(n));
    const auto slash = exe.rfind('/');
    dir = slash == std::string::npos ? std::string(".") : exe.substr(0, slash);
  }
  const std::string name = core::http::kTransportModuleName;
  return {dir + "/" + name, dir + "/" + TOLLGATE_BIN_TO_MODULES + "/" + name};
}

} // namespace tollgate::cli
