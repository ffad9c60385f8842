#include "core/util/base64url.hpp"

#include <openssl/evp.h>

#include <array>
#include <fmt/format.h>

namespace tollgate::core::util {
namespace {

// -1: not in the base64url alphabet; otherwise the 6-bit value (needed for the trailing-bit rule).
constexpr std::array<signed char, 256> make_url_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) {
    v = -1;
  }
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  }
  return t;
}
constexpr auto kUrlTable = make_url_table();

std::string describe_char(unsigned char c) {
  switch (c) {
  case '=':
    return "'=' padding is not allowed";
  case '+':
  case '/':
    return fmt::format("'{}' is standard base64, not base64url (use '-' and '_')", char(c));
  case ' ':
  case '\t':
  case '\r':
  case '\n':
    return "whitespace is not allowed";
  default:
    if (c >= 0x21 && c < 0x7f) {
      return fmt::format("'{}' is not a base64url character", char(c));
    }
    return fmt::format("byte 0x{:02x} is not a base64url character", c);
  }
}

} // namespace

bool b64url_decode_strict(std::string_view in, std::string& out, Base64Problem* problem) {
  const std::size_t n = in.size();
  if (n % 4 == 1) {
    if (problem) {
      *problem = {n, "length is not valid for base64url (a character is missing or extra)"};
    }
    return false;
  }
  // Translate to the standard alphabet (what OpenSSL decodes) while validating every byte.
  const std::size_t padded = (n + 3) / 4 * 4;
  thread_local std::string std_form; // reused: this runs once per token segment in batches
  std_form.resize(padded);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (kUrlTable[c] < 0) {
      if (problem) {
        *problem = {i, describe_char(c)};
      }
      return false;
    }
    std_form[i] = c == '-' ? '+' : c == '_' ? '/' : static_cast<char>(c);
  }
  const std::size_t pad = padded - n;
  if (pad != 0) {
    // RFC 7515 appendix C / RFC 4648 3.5: the unused low bits of the last character must be zero,
    // otherwise several strings would decode to the same bytes.
    const int last = kUrlTable[static_cast<unsigned char>(in[n - 1])];
    const int mask = pad == 2 ? 0x0f : 0x03;
    if ((last & mask) != 0) {
      if (problem) {
        *problem = {n - 1, "unused trailing bits are not zero (non-canonical encoding)"};
      }
      return false;
    }
    for (std::size_t i = n; i < padded; ++i) {
      std_form[i] = '=';
    }
  }
  const std::size_t base = out.size();
  out.resize(base + padded / 4 * 3);
  if (padded != 0) {
    const int got = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + base),
                                    reinterpret_cast<const unsigned char*>(std_form.data()),
                                    static_cast<int>(padded));
    if (got < 0) {
      out.resize(base);
      if (problem) {
        *problem = {0, "not valid base64url"};
      }
      return false;
    }
  }
  out.resize(out.size() - pad);
  return true;
}

Result<std::string> b64url_decode(std::string_view in, std::string_view what) {
  std::string out;
  Base64Problem problem;
  if (!b64url_decode_strict(in, out, &problem)) {
    return usage_error("malformed",
                       fmt::format("{} is not valid base64url at offset {}: {}",
                                   what,
                                   problem.offset,
                                   problem.reason));
  }
  return out;
}

std::string b64_encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4 + 1);
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string b64url_encode(std::string_view bytes) {
  std::string out = b64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (auto& c : out) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return out;
}

bool b64_decode(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) {
    return false;
  }
  std::size_t pad = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '=') {
      if (i + 2 < in.size()) {
        return false;
      }
      ++pad;
      continue;
    }
    if (pad != 0) {
      return false;
    }
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  const std::size_t base = out.size();
  out.resize(base + in.size() / 4 * 3);
  if (!in.empty()) {
    const int got = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + base),
                                    reinterpret_cast<const unsigned char*>(in.data()),
                                    static_cast<int>(in.size()));
    if (got < 0) {
      out.resize(base);
      return false;
    }
  }
  out.resize(out.size() - pad);
  return true;
}

} // namespace tollgate::core::util
