#include "core/verify/verifier.hpp"

#include "core/keys/select.hpp"
#include "core/util/base64url.hpp"
#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tollgate::core::verify {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string size_text(std::size_t n) {
  if (n % (1024 * 1024) == 0) {
    return fmt::format("{} MiB", n / (1024 * 1024));
  }
  if (n % 1024 == 0) {
    return fmt::format("{} KiB", n / 1024);
  }
  return fmt::format("{} bytes", n);
}

bool lookup(element obj, std::string_view key, element& out) {
  return util::object_of(obj).at_key(key).get(out) == simdjson::SUCCESS;
}

constexpr const char* kUntrustedHeaders[] = {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"};
constexpr const char* kLaterChecks[] = {"crit", "alg", "key", "signature"};

std::string unsupported_alg_message(std::string_view alg) {
  if (util::iequals(alg, "none")) {
    return fmt::format("alg {} is not accepted: unsigned tokens are never valid (RFC 7518 3.6)",
                       util::quote(alg));
  }
  for (const auto& a : jose::all_algs()) {
    if (util::iequals(alg, a.name) || util::trim(alg) == a.name) {
      return fmt::format(
          "alg {} is not a registered algorithm name (names are exact and case-sensitive; {} is)",
          util::quote(alg),
          a.name);
    }
  }
  return fmt::format(
      "alg {} is not supported (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)",
      util::quote(alg));
}

} // namespace

// Key selection depends only on (alg, kid), so it is computed once per pair and reused.
struct CachedSelection {
  std::size_t alg_index;
  bool has_kid;
  std::string kid;
  keys::Selection selection;
};
constexpr std::size_t kSelectionCacheSize = 256;

struct Verifier::Impl {
  std::vector<CachedSelection> selections;
  util::StrictJsonParser header_parser;
  util::StrictJsonParser payload_parser;
  std::string header_buf;
  std::string payload_buf;
  std::string sig_buf;
  // Prepared signature verifiers, one slot per (key, algorithm).
  std::vector<std::unique_ptr<jose::SignatureVerifier>> prepared;
  claims::Recorder rec{false};
};

Verifier::Verifier(const keys::KeySet& keys, Policy policy)
    : m_keys(keys), m_policy(std::move(policy)), m_impl(std::make_unique<Impl>()) {
  m_impl->prepared.resize(m_keys.keys.size() * jose::all_algs().size());
}

Verifier::~Verifier() = default;

void Verifier::verify(std::string_view token, double now, bool detail, Outcome& out) {
  Impl& impl = *m_impl;
  claims::Recorder& rec = impl.rec;
  rec.reset(detail);
  out.valid = false;
  out.error_code.clear();
  out.error_message.clear();
  out.alg.clear();
  out.kid.clear();
  out.has_kid = false;
  out.key_index = -1;
  out.payload_trusted = false;
  if (detail) {
    out.header = nullptr;
    out.payload = nullptr;
    out.notes.clear();
  }
  const claims::ClaimPolicy& cp = m_policy.claims;

  auto finish = [&] {
    out.valid = !rec.failed();
    out.error_code = rec.first_code();
    out.error_message = rec.first_message();
    if (detail) {
      out.checks = std::move(rec.checks());
    } else {
      out.checks.clear();
    }
  };
  // A format failure: nothing after it can be checked.
  auto malformed = [&](std::string message) {
    rec.fail("format", "malformed", std::move(message));
    if (detail) {
      for (const char* name : kLaterChecks) {
        rec.not_checked(name, "not checked (malformed token)");
      }
      if (!m_policy.jws_only) {
        claims::skip_claims(cp, rec, "not checked (malformed token)");
      }
    }
    finish();
  };

  // 1. Size gate, before anything else; then the segments, counted without allocating.
  if (token.size() > m_policy.max_token_bytes) {
    return malformed(fmt::format("token is {} bytes, over the {} limit (--max-token-bytes)",
                                 token.size(),
                                 size_text(m_policy.max_token_bytes)));
  }
  if (token.empty()) {
    return malformed("token is empty");
  }
  if (token.front() == '{') {
    return malformed("JWS JSON serialization is not accepted; verify takes compact tokens "
                     "(header.payload.signature)");
  }
  const std::size_t d1 = token.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    const auto parts = static_cast<std::size_t>(std::count(token.begin(), token.end(), '.')) + 1;
    if (parts == 5) {
      return malformed("token has 5 segments: it is an encrypted JWE, and verify checks signed JWS "
                       "tokens only (tollgate decode shows its header)");
    }
    return malformed(
        fmt::format("token has {} segment{}; a signed JWT has 3 (header.payload.signature)",
                    parts,
                    parts == 1 ? "" : "s"));
  }
  const std::string_view h64 = token.substr(0, d1);
  const std::string_view p64 = token.substr(d1 + 1, d2 - d1 - 1);
  const std::string_view s64 = token.substr(d2 + 1);
  const std::string_view signing_input = token.substr(0, d2);

  // 2. Strict base64url of all three segments.
  util::Base64Problem problem;
  impl.header_buf.clear();
  if (!util::b64url_decode_strict(h64, impl.header_buf, &problem)) {
    return malformed(fmt::format(
        "header is not valid base64url at offset {}: {}", problem.offset, problem.reason));
  }
  impl.payload_buf.clear();
  if (!util::b64url_decode_strict(p64, impl.payload_buf, &problem)) {
    return malformed(fmt::format(
        "payload is not valid base64url at offset {}: {}", problem.offset, problem.reason));
  }
  impl.sig_buf.clear();
  if (!util::b64url_decode_strict(s64, impl.sig_buf, &problem)) {
    return malformed(fmt::format(
        "signature is not valid base64url at offset {}: {}", problem.offset, problem.reason));
  }
  const std::size_t header_len = impl.header_buf.size();
  const std::size_t payload_len = impl.payload_buf.size();
  impl.header_buf.append(simdjson::SIMDJSON_PADDING, '\0');
  impl.payload_buf.append(simdjson::SIMDJSON_PADDING, '\0');

  // 3. Header JSON: strict, an object, alg a string.
  element header;
  std::string why;
  if (!impl.header_parser.parse(impl.header_buf.data(), header_len, true, header, why)) {
    return malformed("header is not acceptable JSON: " + why);
  }
  if (!header.is_object()) {
    return malformed("header is not a JSON object");
  }
  if (detail) {
    out.header = util::to_json(header);
    for (const char* name : kUntrustedHeaders) {
      element ignored;
      if (lookup(header, name, ignored)) {
        out.notes.push_back(fmt::format("header \"{}\" is ignored: keys come only from the "
                                        "configured key source (RFC 8725 3.10)",
                                        name));
      }
    }
    element payload_view;
    std::string payload_why;
    if (impl.payload_parser.parse(
            impl.payload_buf.data(), payload_len, true, payload_view, payload_why)) {
      out.payload = util::to_json(payload_view);
    }
  }
  element alg_el;
  if (!lookup(header, "alg", alg_el)) {
    return malformed("header has no \"alg\"");
  }
  if (!alg_el.is_string()) {
    return malformed("header \"alg\" is not a string");
  }
  out.alg = alg_el.get_string().value_unsafe();
  element kid_el;
  std::string_view kid;
  if (lookup(header, "kid", kid_el)) {
    if (!kid_el.is_string()) {
      return malformed("header \"kid\" is not a string");
    }
    kid = kid_el.get_string().value_unsafe();
    if (kid.size() > kMaxKidBytes) {
      return malformed(
          fmt::format("header \"kid\" is {} bytes long (limit {})", kid.size(), kMaxKidBytes));
    }
    out.kid = kid;
    out.has_kid = true;
  }
  rec.pass("format", "compact JWS, canonical base64url, strict JSON header");

  // crit (RFC 7515 4.1.11) and b64 (RFC 7797): tollgate implements no extension, so any crit is
  // refused, and b64 false is refused with or without crit.
  element crit, b64;
  if (lookup(header, "crit", crit)) {
    if (!crit.is_array()) {
      rec.fail("crit", "crit_unsupported", "header \"crit\" must be an array of names");
    } else if (util::array_of(crit).size() == 0) {
      rec.fail(
          "crit", "crit_unsupported", "header \"crit\" is empty, which RFC 7515 4.1.11 forbids");
    } else {
      std::vector<std::string> names;
      for (element n : util::array_of(crit)) {
        names.push_back(n.is_string() ? util::quote(n.get_string().value_unsafe())
                                      : std::string("a non-string"));
      }
      rec.fail("crit",
               "crit_unsupported",
               fmt::format("header \"crit\" names {}, which tollgate does not implement; critical "
                           "extensions must be understood or the token rejected (RFC 7515 4.1.11)",
                           util::join(names, ", ")));
    }
  } else if (lookup(header, "b64", b64)) {
    if (!b64.is_bool()) {
      rec.fail("crit", "malformed", "header \"b64\" is not a boolean");
    } else if (!b64.get_bool().value_unsafe()) {
      rec.fail("crit",
               "crit_unsupported",
               "header \"b64\": false (RFC 7797 unencoded payload) is not supported, and is "
               "invalid without \"crit\"");
    } else {
      rec.pass("crit", "b64 true (the default encoding)");
    }
  } else {
    rec.pass("crit", "none");
  }
  if (!rec.should_continue()) {
    return finish();
  }

  // 4./5. Algorithm: registered, allowed, and (below) fitting the key.
  const jose::AlgInfo* alg = jose::find_alg(out.alg);
  bool alg_ok = true;
  if (alg == nullptr) {
    rec.fail("alg", "unsupported_alg", unsupported_alg_message(out.alg));
    alg_ok = false;
  } else if (!m_policy.algs.empty()
             && std::find(m_policy.algs.begin(), m_policy.algs.end(), out.alg)
                    == m_policy.algs.end()) {
    rec.fail(
        "alg",
        "alg_not_allowed",
        fmt::format("alg {} is not allowed (--alg {})", out.alg, util::join(m_policy.algs, ", ")));
    alg_ok = false;
  } else if (detail) {
    rec.pass("alg",
             m_policy.algs.empty() ? fmt::format("{}, as the key permits", out.alg)
                                   : fmt::format("{}, allowed by --alg", out.alg));
  }
  if (!alg_ok) {
    if (detail) {
      rec.not_checked("key", "not checked (algorithm refused)");
      rec.not_checked("signature", "not checked (algorithm refused)");
      if (!m_policy.jws_only) {
        claims::skip_claims(cp, rec, "not checked (signature not verified)");
      }
    }
    return finish();
  }

  const std::size_t alg_index = static_cast<std::size_t>(alg - jose::all_algs().data());
  const keys::Selection* cached = nullptr;
  for (const auto& c : impl.selections) {
    if (c.alg_index == alg_index && c.has_kid == out.has_kid && c.kid == kid) {
      cached = &c.selection;
      break;
    }
  }
  keys::Selection fresh;
  if (cached == nullptr) {
    fresh = keys::select_keys(m_keys, *alg, out.has_kid ? &kid : nullptr, m_policy.allow_weak_keys);
    if (impl.selections.size() < kSelectionCacheSize) {
      impl.selections.push_back({alg_index, out.has_kid, std::string(kid), fresh});
    }
    cached = &fresh;
  }
  const keys::Selection& sel = *cached;
  if (sel.candidates.empty()) {
    rec.fail("key", sel.code, sel.message);
    if (detail) {
      rec.not_checked("signature", "not checked (no usable key)");
      if (!m_policy.jws_only) {
        claims::skip_claims(cp, rec, "not checked (signature invalid)");
      }
    }
    return finish();
  }

  // 6. Signature over the exact received signing input.
  const std::string_view sig(impl.sig_buf);
  jose::SigCheck result = jose::SigCheck::invalid;
  std::size_t expected_len = 0;
  std::string prepare_error;
  for (std::size_t idx : sel.candidates) {
    auto& slot = impl.prepared[idx * jose::all_algs().size() + alg_index];
    if (!slot) {
      const keys::Key& key = m_keys.keys[idx];
      auto made = key.kty == jose::KeyType::oct
                      ? jose::SignatureVerifier::for_secret(*alg, key.secret)
                      : jose::SignatureVerifier::for_key(*alg, key.pkey);
      if (!made) {
        prepare_error = made.error().message;
        continue;
      }
      slot = std::make_unique<jose::SignatureVerifier>(std::move(made).value());
    }
    result = slot->verify(signing_input, sig);
    expected_len = slot->expected_length();
    if (result == jose::SigCheck::valid) {
      out.key_index = static_cast<int>(idx);
      break;
    }
  }
  if (out.key_index < 0 && sel.candidates.size() == 1) {
    out.key_index = static_cast<int>(sel.candidates.front());
  }
  if (detail) {
    if (sel.candidates.size() == 1 || result == jose::SigCheck::valid) {
      const keys::Key& key = m_keys.keys[static_cast<std::size_t>(out.key_index)];
      rec.pass("key",
               out.has_kid ? fmt::format("{} from {}", keys::describe_key(key), m_keys.source)
                           : fmt::format("{} from {} (the token has no kid)",
                                         keys::describe_key(key),
                                         m_keys.source));
    } else {
      rec.pass("key",
               fmt::format("the token has no kid; {} keys of {} fit {}",
                           sel.candidates.size(),
                           m_keys.source,
                           alg->name));
    }
  }
  if (result != jose::SigCheck::valid) {
    if (!prepare_error.empty() && sel.candidates.size() == 1) {
      rec.fail("signature", "key_mismatch", prepare_error);
    } else if (result == jose::SigCheck::wrong_length) {
      rec.fail("signature",
               "bad_signature",
               sig.empty()
                   ? "the signature is empty"
                   : fmt::format("the signature is {} bytes; {} with this key needs exactly {}",
                                 sig.size(),
                                 alg->name,
                                 expected_len));
    } else {
      rec.fail(
          "signature",
          "bad_signature",
          sel.candidates.size() > 1
              ? fmt::format("the signature does not verify with any of the {} keys that fit {}",
                            sel.candidates.size(),
                            alg->name)
              : "the signature does not verify: the token was altered or signed with another key");
    }
    if (detail && !m_policy.jws_only) {
      claims::skip_claims(cp, rec, "not checked (signature invalid)");
    }
    return finish();
  }
  if (detail) {
    rec.pass("signature", fmt::format("valid {} signature", alg->name));
  }
  if (m_policy.jws_only) {
    return finish();
  }

  // 7. Claims, only now that the signature holds.
  element payload;
  if (!impl.payload_parser.parse(impl.payload_buf.data(), payload_len, true, payload, why)) {
    rec.fail("payload", "malformed", "payload is not acceptable JSON: " + why);
    if (detail) {
      claims::skip_claims(cp, rec, "not checked (payload is not JSON)");
    }
    return finish();
  }
  if (!payload.is_object()) {
    rec.fail("payload", "malformed", "payload is not a JSON object (a JWT claims set is one)");
    if (detail) {
      claims::skip_claims(cp, rec, "not checked (payload is not a JSON object)");
    }
    return finish();
  }
  out.payload_trusted = true;
  claims::check_typ(header, cp, rec);
  if (rec.should_continue()) {
    claims::check_claims(payload, cp, now, rec);
  } else if (detail) {
    claims::skip_claims(cp, rec, "not checked");
  }
  finish();
}

} // namespace tollgate::core::verify
