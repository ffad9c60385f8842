#include "core/jose/token.hpp"

#include "core/util/base64url.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::jose {

std::string_view normalize_token_text(std::string_view text) {
  text = util::trim(text);
  if (util::istarts_with(text, "authorization:")) {
    text = util::trim(text.substr(14));
  }
  if (util::istarts_with(text, "bearer ") || util::istarts_with(text, "bearer\t")) {
    text = util::trim(text.substr(7));
  }
  return text;
}

namespace {

Result<util::Json> decode_json_part(std::string_view segment, std::string_view what) {
  TOLLGATE_TRY(auto bytes, util::b64url_decode(segment, what));
  TOLLGATE_TRY(auto doc, util::parse_json_strict(bytes, what));
  if (!doc.is_object()) {
    return usage_error("malformed", fmt::format("{} is not a JSON object", what));
  }
  return doc;
}

} // namespace

Result<DecodedToken> decode_token(std::string_view token, std::size_t max_bytes) {
  if (token.empty()) {
    return usage_error("malformed", "the token is empty");
  }
  if (token.size() > max_bytes) {
    return usage_error(
        "malformed",
        fmt::format("the token is {} bytes, over the limit of {} (--max-token-bytes)",
                    token.size(),
                    max_bytes));
  }
  if (token.front() == '{') {
    return usage_error(
        "malformed",
        "this is JWS JSON serialization; tollgate reads compact tokens (header.payload.signature)");
  }
  const auto dots = static_cast<std::size_t>(std::count(token.begin(), token.end(), '.'));
  if (dots != 2 && dots != 4) {
    return usage_error("malformed",
                       fmt::format("the token has {} segment{} separated by '.'; a JWS has 3 "
                                   "(header.payload.signature) and a JWE 5",
                                   dots + 1,
                                   dots == 0 ? "" : "s"));
  }
  const auto parts = util::split(token, '.');
  DecodedToken out;
  if (dots == 4) {
    out.jwe = true;
    TOLLGATE_TRY(out.header, decode_json_part(parts[0], "the JWE protected header"));
    out.payload = nullptr;
    return out;
  }
  TOLLGATE_TRY(out.header, decode_json_part(parts[0], "the header"));
  TOLLGATE_TRY(out.payload, decode_json_part(parts[1], "the payload"));
  TOLLGATE_TRY(auto sig, util::b64url_decode(parts[2], "the signature"));
  out.signature_b64 = std::string(parts[2]);
  out.signature_bytes = sig.size();
  return out;
}

} // namespace tollgate::core::jose
