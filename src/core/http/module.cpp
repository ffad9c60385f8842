#include "core/http/module.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <mutex>
#include <sys/stat.h>

namespace tollgate::core::http {
namespace {

std::mutex g_mutex;
TransportFactoryFn g_factory = nullptr;

Result<TransportFactoryFn> load(const std::vector<std::string>& candidates) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_factory != nullptr) {
    return g_factory;
  }
  for (const auto& path : candidates) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      continue;
    }
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      return internal_error(fmt::format(
          "cannot load the HTTP module {}: {}", path, why != nullptr ? why : "unknown error"));
    }
    void* sym = ::dlsym(handle, kTransportFactorySymbol);
    if (sym == nullptr) {
      return internal_error(fmt::format("the HTTP module {} has no {} (a module from another "
                                        "tollgate version?)",
                                        path,
                                        kTransportFactorySymbol));
    }
    g_factory = reinterpret_cast<TransportFactoryFn>(sym);
    return g_factory;
  }
  return internal_error(fmt::format("the HTTP module {} is missing (searched: {}); reinstall "
                                    "tollgate or build the tollgate_http target",
                                    kTransportModuleName,
                                    util::join(candidates, ", ")));
}

} // namespace

TransportFactory module_transport_factory(std::vector<std::string> candidates) {
  return [candidates = std::move(candidates)](
             const TransportConfig& config) -> Result<std::unique_ptr<Transport>> {
    TOLLGATE_TRY(TransportFactoryFn factory, load(candidates));
    Transport* t = factory(&config);
    if (t == nullptr) {
      return internal_error(fmt::format("the HTTP module {} does not match this tollgate (ABI {}) "
                                        "or could not initialise libcurl",
                                        kTransportModuleName,
                                        kTransportAbi));
    }
    return std::unique_ptr<Transport>(t);
  };
}

bool module_loaded() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_factory != nullptr;
}

} // namespace tollgate::core::http
