#include "core/util/openssl.hpp"

#include <openssl/err.h>

namespace tollgate::core::util {

std::string openssl_error() {
  unsigned long last = 0;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    last = e;
  }
  if (last == 0) {
    return "";
  }
  const char* reason = ERR_reason_error_string(last);
  return reason ? reason : "unknown OpenSSL error";
}

} // namespace tollgate::core::util
