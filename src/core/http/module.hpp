#pragma once

#include "core/http/client.hpp"

#include <string>
#include <vector>

namespace tollgate::core::http {

// A TransportFactory backed by the run-time module (tollgate_http.so, libcurl). The module is
// loaded with dlopen on the first call, from the first of `candidates` that exists, and stays
// loaded for the life of the process. A missing or unloadable module is an internal error (exit 4)
// whose message names every path searched.
TransportFactory module_transport_factory(std::vector<std::string> candidates);

// Has this process loaded the module (for tests and `-v`)?
bool module_loaded();

} // namespace tollgate::core::http
