#pragma once

#include "cli/command.hpp"
#include "core/util/result.hpp"

#include <cstddef>
#include <string>

namespace tollgate::cli {

// Read a TOKEN argument the way decode and verify take it: "-" or no argument with stdin not a
// terminal reads stdin, "@FILE" reads a file, anything else is the token itself. Tokens can be
// megabytes, so argv is never required. "Authorization:"/"Bearer " and whitespace are stripped.
// Input beyond `max_bytes` (plus room for that decoration) is an error with code "too_large"; a
// space or control character inside the token one with code "bad_token_chars".
core::Result<std::string>
read_token_argument(const std::string& arg, Env& env, std::size_t max_bytes);

// Read a secret or other small value: "@FILE", "-" (stdin), or "env:NAME". Used for secrets
// that must not appear on the command line.
core::Result<std::string>
read_file_or_stdin(const std::string& path, std::size_t max_bytes, const std::string& what);

} // namespace tollgate::cli
