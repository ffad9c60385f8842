#include "core/keys/select.hpp"

#include "core/util/json.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace tollgate::core::keys {
namespace {

std::string key_kind(const Key& key) {
  std::string kind(jose::kty_name(key.kty));
  if (!key.crv.empty()) {
    kind += " " + key.crv;
  } else if (key.kty == jose::KeyType::RSA) {
    kind += fmt::format(" {}-bit", key.bits);
  }
  return kind;
}

std::string alg_needs(const jose::AlgInfo& alg) {
  if (alg.kty == jose::KeyType::oct) {
    return "a secret (oct key)";
  }
  if (alg.kty == jose::KeyType::OKP) {
    return alg.crv.empty() ? "an OKP Ed25519 or Ed448 key" : fmt::format("an OKP {} key", alg.crv);
  }
  if (alg.kty == jose::KeyType::EC) {
    return fmt::format("an EC {} key", alg.crv);
  }
  return "an RSA key";
}

} // namespace

std::string describe_key(const Key& key) {
  if (key.has_kid) {
    return fmt::format("key {}", util::quote(key.kid));
  }
  return key.label.empty() ? "the key" : key.label;
}

std::string fit_problem(
    const Key& key, const jose::AlgInfo& alg, bool allow_weak, std::string& code, Purpose purpose) {
  if (!key.problem.empty()) {
    code = key.problem_code.empty() ? "key_mismatch" : key.problem_code;
    return fmt::format("{} cannot be used: {}", describe_key(key), key.problem);
  }
  code = "key_mismatch";
  const char* op = purpose == Purpose::sign ? "sign" : "verify";
  if (!key.allows(op)) {
    if (key.has_use && key.use != "sig") {
      return fmt::format("{} has use {}, so it may not {} signatures (RFC 7517 4.2)",
                         describe_key(key),
                         util::quote(key.use),
                         op);
    }
    return fmt::format("{} has key_ops without \"{}\" (RFC 7517 4.3)", describe_key(key), op);
  }
  if (!jose::key_fits(alg, key.kty, key.crv)) {
    return fmt::format(
        "alg {} needs {}; {} is {}", alg.name, alg_needs(alg), describe_key(key), key_kind(key));
  }
  if (!key.alg.empty() && key.alg != alg.name) {
    // RFC 7517 4.4, RFC 8725 3.1: a key is bound to the algorithm its JWK names.
    return fmt::format("{} is bound to alg {}, but the token says {}",
                       describe_key(key),
                       util::quote(key.alg),
                       alg.name);
  }
  code = "weak_key";
  if (key.kty == jose::KeyType::oct) {
    if (key.secret.empty()) {
      return fmt::format("{} is an empty secret", describe_key(key));
    }
    if (key.secret.size() < alg.min_hmac_key && !allow_weak) {
      return fmt::format("{} is a {}-byte secret; {} needs at least {} bytes (RFC 7518 3.2; "
                         "--allow-weak-keys overrides)",
                         describe_key(key),
                         key.secret.size(),
                         alg.name,
                         alg.min_hmac_key);
    }
  }
  if (key.kty == jose::KeyType::RSA && key.bits < 2048 && !allow_weak) {
    return fmt::format("{} is a {}-bit RSA key; at least 2048 bits are required (RFC 7518 3.3; "
                       "--allow-weak-keys overrides)",
                       describe_key(key),
                       key.bits);
  }
  code.clear();
  return "";
}

Selection select_keys(const KeySet& set,
                      const jose::AlgInfo& alg,
                      const std::string_view* kid,
                      bool allow_weak) {
  Selection sel;
  auto try_one = [&](std::size_t i) {
    std::string code;
    std::string why = fit_problem(set.keys[i], alg, allow_weak, code);
    if (why.empty()) {
      sel.candidates.push_back(i);
    } else {
      sel.code = code;
      sel.message = why;
    }
  };
  if (set.keys.empty()) {
    sel.code = "key_not_found";
    sel.message = fmt::format("{} holds no keys", set.source);
    return sel;
  }
  if (set.pinned) {
    const Key& key = set.keys.front();
    if (kid != nullptr && key.has_kid && key.kid != *kid) {
      sel.code = "key_not_found";
      sel.message = fmt::format("the token's kid {} does not match the key's kid {}",
                                util::quote(*kid),
                                util::quote(key.kid));
      return sel;
    }
    try_one(0);
    return sel;
  }
  if (kid != nullptr) {
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < set.keys.size(); ++i) {
      if (set.keys[i].has_kid && set.keys[i].kid == *kid) {
        matches.push_back(i);
      }
    }
    if (matches.empty()) {
      std::vector<std::string> kids;
      for (const auto& k : set.keys) {
        if (k.has_kid) {
          kids.push_back(util::quote(k.kid));
        }
      }
      sel.code = "key_not_found";
      sel.message = fmt::format("no key with kid {} in {}{}",
                                util::quote(*kid),
                                set.source,
                                kids.empty() ? std::string(" (its keys have no kid)")
                                             : fmt::format(" (kids: {})", util::join(kids, ", ")));
      return sel;
    }
    if (matches.size() > 1) {
      // security.md 1.20: never try both keys of an ambiguous kid.
      sel.code = "key_not_found";
      sel.message =
          fmt::format("kid {} is ambiguous: {} keys in {} share it, so none is used (RFC 7517 4.5)",
                      util::quote(*kid),
                      matches.size(),
                      set.source);
      return sel;
    }
    try_one(matches.front());
    return sel;
  }
  std::string last_code, last_message;
  for (std::size_t i = 0; i < set.keys.size(); ++i) {
    std::string code;
    std::string why = fit_problem(set.keys[i], alg, allow_weak, code);
    if (why.empty()) {
      sel.candidates.push_back(i);
    } else {
      last_code = code;
      last_message = why;
    }
  }
  if (sel.candidates.empty()) {
    if (set.keys.size() == 1) {
      sel.code = last_code;
      sel.message = last_message;
    } else {
      sel.code = "key_not_found";
      sel.message =
          fmt::format("the token has no kid and no key in {} fits {}", set.source, alg.name);
    }
  }
  return sel;
}

} // namespace tollgate::core::keys
