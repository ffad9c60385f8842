#pragma once

#include "core/claims/check.hpp"
#include "core/claims/claims.hpp"
#include "core/jose/signature.hpp"
#include "core/keys/key.hpp"
#include "core/util/json.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::verify {

inline constexpr std::size_t kDefaultMaxTokenBytes = 1024 * 1024;
inline constexpr std::size_t kMaxKidBytes = 1024;

struct Policy {
  std::vector<std::string> algs; // allow-list (--alg); empty: what the key permits
  bool allow_weak_keys = false;
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
  claims::ClaimPolicy claims;
  // Stop after the JWS layer (header rules, key, signature): for vectors whose payload is not a
  // JWT claims set. Never used by the CLI.
  bool jws_only = false;
};

// The verdict on one token. `error_code` is the first failing check in the verification order of
// security.md section 0; `checks` lists every check in detail mode.
struct Outcome {
  bool valid = false;
  std::string error_code;
  std::string error_message;
  std::vector<claims::Check> checks;

  std::string alg; // header alg as written ("" when unreadable)
  std::string kid;
  bool has_kid = false;
  int key_index = -1; // the key that verified (or was selected), -1 when none

  // Detail mode only:
  util::Json header;  // null when the header could not be decoded
  util::Json payload; // null when the payload could not be decoded
  bool payload_trusted = false;
  std::vector<std::string> notes; // e.g. "header \"jku\" ignored: keys come only from --jwks"
};

// Verifies tokens against one configured key set and policy. Keys are prepared once per
// (key, algorithm) and reused, JSON buffers are reused: nothing that can be hoisted is done per
// token. Not thread-safe: make one Verifier per thread (they may share the KeySet).
class Verifier {
public:
  Verifier(const keys::KeySet& keys, Policy policy);
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verify `token` (already stripped of "Bearer ") as of `now`. In detail mode every check is
  // evaluated and described and the header/payload trees are filled; otherwise the first failure
  // ends the work (the batch path).
  void verify(std::string_view token, double now, bool detail, Outcome& out);

  const keys::KeySet& keys() const { return m_keys; }
  const Policy& policy() const { return m_policy; }

private:
  struct Impl;
  const keys::KeySet& m_keys;
  Policy m_policy;
  std::unique_ptr<Impl> m_impl;
};

} // namespace tollgate::core::verify
