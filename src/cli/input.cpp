#include "cli/input.hpp"

#include "core/jose/token.hpp"
#include "core/util/file.hpp"

#include <fmt/format.h>

namespace tollgate::cli {

core::Result<std::string>
read_token_argument(const std::string& arg, Env& env, std::size_t max_bytes) {
  const std::size_t cap = max_bytes + 64 * 1024; // room for whitespace and "Authorization: Bearer "
  std::string text;
  if (arg.empty() || arg == "-") {
    if (arg.empty() && env.stdin_tty) {
      return core::usage_error(
          "no_token", "no token given: pass TOKEN, @FILE or -, or pipe the token on stdin");
    }
    TOLLGATE_TRY(text, core::util::read_stream(0, cap, "the token on stdin"));
  } else if (arg.front() == '@') {
    TOLLGATE_TRY(text, core::util::read_file(arg.substr(1), cap, "token file"));
  } else {
    text = arg;
  }
  const std::string_view token = core::jose::normalize_token_text(text);
  if (token.size() > max_bytes) {
    return core::usage_error(
        "too_large",
        fmt::format("the token is {} bytes, over the limit of {} bytes (--max-token-bytes)",
                    token.size(),
                    max_bytes));
  }
  // A token is printable ASCII without spaces; anything else (a CR/LF would even inject HTTP
  // headers where the token is sent as a Bearer credential) is refused here, for every command.
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return core::usage_error(
          "bad_token_chars",
          fmt::format("the token contains {} at offset {}; a token is printable ASCII without "
                      "spaces",
                      c == ' ' ? std::string("a space") : fmt::format("byte 0x{:02x}", c),
                      i));
    }
  }
  if (token.empty()) {
    return core::usage_error("no_token",
                             arg.empty() || arg == "-" ? "stdin holds no token"
                                                       : fmt::format("'{}' holds no token", arg));
  }
  return std::string(token);
}

core::Result<std::string>
read_file_or_stdin(const std::string& path, std::size_t max_bytes, const std::string& what) {
  if (path == "-") {
    return core::util::read_stream(0, max_bytes, what + " on stdin");
  }
  return core::util::read_file(path, max_bytes, what);
}

} // namespace tollgate::cli
