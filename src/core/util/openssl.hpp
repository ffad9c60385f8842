#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>

namespace tollgate::core::util {

// Owning handles for OpenSSL objects.
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MdFree {
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MdPtr = std::unique_ptr<EVP_MD, MdFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Keys are shared (read-only) between threads and between key-set entries.
using PkeyPtr = std::shared_ptr<EVP_PKEY>;
inline PkeyPtr adopt_pkey(EVP_PKEY* p) {
  return PkeyPtr(p, PkeyFree{});
}

// The most recent OpenSSL error as text ("" when the queue is empty); clears the queue.
std::string openssl_error();

} // namespace tollgate::core::util
