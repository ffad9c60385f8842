#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::core::util {

// Why a base64url string was refused: the byte offset of the first bad character (or of the end)
// and a short reason, e.g. "'=' padding is not allowed".
struct Base64Problem {
  std::size_t offset = 0;
  std::string reason;
};

// Decode RFC 4648 section 5 base64url as JWS requires it (RFC 7515 section 2): alphabet
// A-Z a-z 0-9 - _ only, no padding, no whitespace, length mod 4 != 1 and zero unused trailing
// bits, so that exactly one string encodes any byte sequence. Appends to `out`; on failure fills
// `problem` and returns false. The decoding itself is OpenSSL's.
bool b64url_decode_strict(std::string_view in, std::string& out, Base64Problem* problem = nullptr);

// As above, returning the bytes or a usage Error that names `what` ("payload is not valid
// base64url at offset 17: ...").
Result<std::string> b64url_decode(std::string_view in, std::string_view what);

// Encode bytes as unpadded base64url.
std::string b64url_encode(std::string_view bytes);

// Standard base64 with padding (PEM bodies, HTTP Basic).
std::string b64_encode(std::string_view bytes);

// Decode standard base64 (x5c certificates). Whitespace is not allowed.
bool b64_decode(std::string_view in, std::string& out);

} // namespace tollgate::core::util
