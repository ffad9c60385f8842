#include "core/keys/rsa_policy.hpp"

#include <array>
#include <bitset>
#include <memory>

namespace tollgate::core::keys {
namespace {

// The primes dividing the ROCA generator's modulus M that the published detector tests.
constexpr std::array<unsigned, 38> kPrimes{
    3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
    73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};

// For each prime r: which residues are powers of 65537 mod r. Computed, not tabulated.
const std::array<std::bitset<168>, kPrimes.size()>& subgroups() {
  static const auto table = [] {
    std::array<std::bitset<168>, kPrimes.size()> t{};
    for (std::size_t i = 0; i < kPrimes.size(); ++i) {
      const unsigned r = kPrimes[i];
      const unsigned g = 65537 % r;
      unsigned x = 1;
      do {
        t[i].set(x);
        x = (x * g) % r;
      } while (x != 1);
    }
    return t;
  }();
  return table;
}

} // namespace

bool has_roca_fingerprint(const BIGNUM* n) {
  const auto& table = subgroups();
  for (std::size_t i = 0; i < kPrimes.size(); ++i) {
    const BN_ULONG rem = BN_mod_word(n, kPrimes[i]);
    if (rem == static_cast<BN_ULONG>(-1) || !table[i].test(static_cast<std::size_t>(rem))) {
      return false;
    }
  }
  return true;
}

std::string rsa_public_problem(const BIGNUM* n, const BIGNUM* e) {
  if (BN_is_odd(e) == 0 || BN_is_one(e) == 1) {
    return "the RSA public exponent is invalid (it must be odd and at least 3)";
  }
  if (BN_is_odd(n) == 0) {
    return "the RSA modulus is even";
  }
  if (has_roca_fingerprint(n)) {
    return "the RSA key has the ROCA fingerprint (CVE-2017-15361): it was made by a broken "
           "generator and its private key can be recovered";
  }
  return "";
}

} // namespace tollgate::core::keys
