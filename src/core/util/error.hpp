#pragma once

#include <string>
#include <utility>

namespace tollgate::core {

// What kind of failure an Error is; the CLI maps each class to one exit code.
enum class ErrorClass {
  usage,       // bad flags or unreadable input: exit 2
  verdict,     // we could answer and the answer is no: exit 1
  network,     // the network or the IdP failed us: exit 3
  internal,    // a bug: exit 4
  interrupted, // SIGINT/SIGTERM: exit 130
};

// A failure with a stable machine code (e.g. "bad_signature") and a one-line, lower-case message
// that names the input and the problem. Never put a secret or a whole token in `message`.
struct Error {
  ErrorClass cls = ErrorClass::internal;
  std::string code;
  std::string message;
};

inline Error usage_error(std::string code, std::string message) {
  return {ErrorClass::usage, std::move(code), std::move(message)};
}
inline Error verdict_error(std::string code, std::string message) {
  return {ErrorClass::verdict, std::move(code), std::move(message)};
}
inline Error network_error(std::string code, std::string message) {
  return {ErrorClass::network, std::move(code), std::move(message)};
}
inline Error internal_error(std::string message) {
  return {ErrorClass::internal, "internal", std::move(message)};
}

} // namespace tollgate::core
