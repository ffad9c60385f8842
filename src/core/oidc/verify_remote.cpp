#include "core/oidc/verify_remote.hpp"

namespace tollgate::core::oidc {

Result<verify::Outcome> verify_with_source(
    JwksSource& source, std::string_view token, verify::Policy policy, double now, bool detail) {
  if (!policy.claims.iss && !source.issuer().empty()) {
    policy.claims.iss = source.issuer();
  }
  TOLLGATE_TRY(auto keys, source.keys());
  verify::Outcome out;
  {
    verify::Verifier v(*keys, policy);
    v.verify(token, now, detail, out);
  }
  if (out.valid || out.error_code != "key_not_found") {
    return out;
  }
  TOLLGATE_TRY(bool refetched, source.refresh_for_unknown_kid());
  if (!refetched) {
    return out;
  }
  TOLLGATE_TRY(keys, source.keys());
  verify::Outcome again;
  verify::Verifier v(*keys, policy);
  v.verify(token, now, detail, again);
  return again;
}

} // namespace tollgate::core::oidc
