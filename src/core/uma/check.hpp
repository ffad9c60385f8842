#pragma once

#include "core/uma/permission.hpp"
#include "core/util/result.hpp"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::core::uma {

inline constexpr const char* kUmaGrant = "urn:ietf:params:oauth:grant-type:uma-ticket";
inline constexpr const char* kClaimTokenFormatJwt = "urn:ietf:params:oauth:token-type:jwt";

using Form = std::vector<std::pair<std::string, std::string>>;

// What the token endpoint answered (any status); transport failures are Errors instead.
struct Reply {
  long status = 0;
  std::string body;
};

// Posts one uma-ticket form to the token endpoint with the caller's identity (Bearer token or
// client authentication) and returns the answer. Supplied by the caller: the HTTP client, or a
// fake.
using Transport = std::function<Result<Reply>(const Form& form)>;

struct CheckRequest {
  std::string audience;                // the resource server's client id
  std::vector<Permission> permissions; // after --method; empty with `entitlement`
  bool require_all = true;             // false: Keycloak's own any-semantics, one decision
  bool entitlement = false;  // send no permission at all (PERMISSIVE with nothing resolved)
  std::string claim_token;   // base64url JSON of pushed claims, or ""
  std::string subject_token; // evaluate for this token's subject (client-credential auth)
};

struct IdpError {
  long status = 0;
  std::string error;
  std::string description;
};

struct PermissionResult {
  std::string permission; // the argument as given
  std::string resource;   // "" for scope-only
  std::vector<std::string>
      scopes;                  // scopes actually requested (after --method); [] = whole resource
  std::optional<bool> granted; // unset when Keycloak decided for the set only (require any)
  std::string detail;          // why not granted, in words ("scope 'x' does not exist ...")
};

struct CheckResult {
  bool allowed = false;
  bool decided = true; // false: the IdP could not decide (exit 3)
  std::string message; // the reason when not allowed or not decided
  std::vector<PermissionResult> permissions;
  std::optional<IdpError> idp_error;
  int requests = 0; // requests sent to the token endpoint
};

// Ask Keycloak whether the caller holds the permissions.
//
// require_all: one response_mode=permissions request with every permission, then each
// resource/scope pair is matched against the granted list. Keycloak grants a request when ANY
// permission (or any scope of a multi-scope permission) survives, so neither a decision per request
// nor per multi-scope permission can answer "all of these"; the granted list can. Pairs missing
// from it are then asked about on their own (response_mode=decision, one pair each), because
// current Keycloak silently drops an unknown resource or scope once another one in the same request
// resolved: that tells "denied" from "does not exist". require any: one response_mode=decision
// request, as Keycloak decides; a denial of several permissions is followed by the same probes, so
// a name that does not exist is reported as such.
Result<CheckResult> check(const CheckRequest& request, const Transport& transport);

// The same check as a sequence of rounds, for callers that send many checks' requests at once
// (the batch mode over one event loop): next() gives the forms to send now (the requests of one
// round are independent), answer() takes their replies in the same order, until done().
class Checker {
public:
  explicit Checker(CheckRequest request);
  std::vector<Form> next();
  void answer(std::vector<Result<Reply>> replies);
  bool done() const { return m_done; }
  Result<CheckResult> result() &&;

private:
  enum class Mode { decision, single_pair, pairs };
  Form form(const std::vector<std::string>& wire, const char* mode) const;
  void fail_idp(const IdpError& e);
  void decision_first(const Reply& reply);
  void decision_probes(const std::vector<Result<Reply>>& replies);
  void single_pair(const Reply& reply);
  void pairs_first(const Reply& reply);
  void pairs_probes(const std::vector<Result<Reply>>& replies);
  void finish_pairs();

  CheckRequest m_req;
  Mode m_mode = Mode::decision;
  CheckResult m_result;
  std::vector<std::string> m_wire;
  std::vector<Pair> m_pairs;
  std::vector<bool> m_pair_ok;
  std::vector<std::size_t> m_probed; // pair index of each probe of the second round
  std::vector<Form> m_pending;
  std::optional<Error> m_error;
  int m_round = 0;
  bool m_done = false;
};

// The form of a uma-ticket request (shared with `uma permissions` and `uma rpt`).
Form base_form(const std::string& audience,
               const std::string& claim_token,
               const std::string& subject_token);

// Classify an IdP error answer into words a user can act on. `audience` names the resource server.
std::string explain_idp_error(const IdpError& e, const std::string& audience);

// Parse a JSON error body ({"error","error_description"}); absent members stay empty.
IdpError parse_idp_error(const Reply& reply);

// One granted permission of a response_mode=permissions answer.
struct Granted {
  std::string rsid;
  std::string rsname;
  std::vector<std::string> scopes;
};
Result<std::vector<Granted>> parse_granted(const std::string& body);

} // namespace tollgate::core::uma
