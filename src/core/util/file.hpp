#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::core::util {

// Read a whole file, refusing files larger than `max_bytes` (usage error naming the path).
// `what` describes the file in messages ("key file", "JWKS file").
Result<std::string>
read_file(const std::string& path, std::size_t max_bytes, std::string_view what);

// Read all of a stream (stdin) up to `max_bytes`; more is a usage error.
Result<std::string> read_stream(int fd, std::size_t max_bytes, std::string_view what);

// Write `data` to `path` atomically: a temporary file in the same directory, fsync, rename. The
// temporary is removed on failure and on SIGINT/SIGTERM (see interrupt.hpp), so no partial file
// is ever left at `path`. `mode` applies to the new file (0600 for private keys).
Result<void> write_file_atomic(const std::string& path, std::string_view data, unsigned mode);

} // namespace tollgate::core::util
