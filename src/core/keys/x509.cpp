#include "core/keys/x509.hpp"

#include "core/util/base64url.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace tollgate::core::keys {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

bool to_unix(const ASN1_TIME* t, double& out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return false;
  }
  out = static_cast<double>(timegm(&tm));
  return true;
}

std::string digest_b64url(std::string_view der, bool sha256) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::size_t n = 0;
  if (sha256) {
    SHA256(p, der.size(), md);
    n = SHA256_DIGEST_LENGTH;
  } else {
    SHA1(p, der.size(), md);
    n = SHA_DIGEST_LENGTH;
  }
  return util::b64url_encode(std::string_view(reinterpret_cast<const char*>(md), n));
}

} // namespace

Result<CertInfo> parse_certificate_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    util::openssl_error();
    return usage_error("bad_certificate", "not a DER X.509 certificate");
  }
  CertInfo info;
  info.subject = name_text(X509_get_subject_name(cert.get()));
  info.issuer = name_text(X509_get_issuer_name(cert.get()));
  if (!to_unix(X509_get0_notBefore(cert.get()), info.not_before)
      || !to_unix(X509_get0_notAfter(cert.get()), info.not_after)) {
    return usage_error("bad_certificate", "the certificate's validity dates cannot be read");
  }
  EVP_PKEY* pk = X509_get_pubkey(cert.get());
  if (pk == nullptr) {
    util::openssl_error();
    return usage_error("bad_certificate", "the certificate's public key cannot be read");
  }
  info.public_key = util::adopt_pkey(pk);
  info.x5t = digest_b64url(der, false);
  info.x5t_s256 = digest_b64url(der, true);
  return info;
}

Result<CertInfo> parse_x5c_entry(std::string_view b64, std::string_view what) {
  std::string der;
  if (!util::b64_decode(b64, der)) {
    return usage_error("bad_certificate",
                       fmt::format("{} is not standard base64 (RFC 7517 4.7)", what));
  }
  auto info = parse_certificate_der(der);
  if (!info) {
    return usage_error("bad_certificate", fmt::format("{}: {}", what, info.error().message));
  }
  return info;
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) {
  return a != nullptr && b != nullptr && EVP_PKEY_eq(a, b) == 1;
}

} // namespace tollgate::core::keys
