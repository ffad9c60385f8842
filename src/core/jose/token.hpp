#pragma once

#include "core/util/json.hpp"
#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::core::jose {

// Strip what people paste around a token: surrounding whitespace, a leading "Authorization:"
// header name and a "Bearer " scheme (both case-insensitive).
std::string_view normalize_token_text(std::string_view text);

// A token taken apart for display. Nothing here is verified.
struct DecodedToken {
  bool jwe = false;          // 5 segments: only the protected header is readable
  util::Json header;         // the (protected) header
  util::Json payload;        // the claims; null for JWE
  std::string signature_b64; // the third segment as received (JWS)
  std::size_t signature_bytes = 0;
};

// Decode a compact JWS (3 segments) or JWE (5 segments) strictly: canonical base64url, strict JSON
// (no duplicate names, depth limit), header and payload objects. Errors are usage errors with code
// "malformed" whose message says which part is wrong and where.
Result<DecodedToken> decode_token(std::string_view token, std::size_t max_bytes);

} // namespace tollgate::core::jose
