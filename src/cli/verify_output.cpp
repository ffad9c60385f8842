#include "cli/verify_output.hpp"

#include "cli/render.hpp"

#include <fmt/format.h>

#include <charconv>

namespace tollgate::cli {
namespace {

using core::claims::CheckStatus;
using core::util::Json;

const core::keys::Key* used_key(const core::verify::Outcome& o, const core::keys::KeySet& keys) {
  if (o.key_index < 0 || static_cast<std::size_t>(o.key_index) >= keys.keys.size()) {
    return nullptr;
  }
  return &keys.keys[static_cast<std::size_t>(o.key_index)];
}

} // namespace

Json verdict_json(const core::verify::Outcome& o, const core::keys::KeySet& keys) {
  Json doc = Json::object();
  doc["valid"] = o.valid;
  if (o.valid) {
    doc["error"] = nullptr;
  } else {
    doc["error"] = {{"code", o.error_code}, {"message", o.error_message}};
  }
  Json checks = Json::array();
  for (const auto& c : o.checks) {
    Json j = {{"name", c.name},
              {"ok", c.status == CheckStatus::pass || c.status == CheckStatus::not_requested},
              {"status", std::string(core::claims::status_name(c.status))},
              {"detail", c.detail}};
    if (c.status == CheckStatus::fail) {
      j["code"] = c.code;
    }
    checks.push_back(std::move(j));
  }
  doc["checks"] = std::move(checks);
  doc["kid"] = o.has_kid ? Json(o.kid) : Json(nullptr);
  doc["alg"] = o.alg.empty() ? Json(nullptr) : Json(o.alg);
  const core::keys::Key* key = used_key(o, keys);
  // The key is named whenever the signature verified with it, also when a claim check failed.
  if (key != nullptr && (o.valid || o.payload_trusted)) {
    doc["key"] = {{"kid", key->has_kid ? Json(key->kid) : Json(nullptr)},
                  {"thumbprint", key->thumbprint.empty() ? Json(nullptr) : Json(key->thumbprint)},
                  {"source", keys.source}};
  } else {
    doc["key"] = nullptr;
  }
  doc["header"] = o.header;
  doc["payload"] = o.payload;
  doc["payload_trusted"] = o.payload_trusted;
  doc["notes"] = o.notes;
  return doc;
}

std::string
verdict_text(const core::verify::Outcome& o, const core::keys::KeySet& keys, bool color) {
  const Style s(color);
  std::string out;
  for (const auto& c : o.checks) {
    std::string mark;
    switch (c.status) {
    case CheckStatus::pass:
      mark = s.green("pass");
      break;
    case CheckStatus::fail:
      mark = s.red("FAIL");
      break;
    case CheckStatus::not_requested:
      mark = s.dim("  --");
      break;
    case CheckStatus::not_checked:
      mark = s.yellow("skip");
      break;
    }
    out += fmt::format("  {}  {:<10} {}\n", mark, c.name, c.detail);
  }
  for (const auto& n : o.notes) {
    out += fmt::format("  {}\n", s.dim("note: " + n));
  }
  if (!o.payload_trusted && !o.payload.is_null()) {
    out +=
        fmt::format("  {}\n", s.yellow("the payload is untrusted: the signature was not verified"));
  }
  const core::keys::Key* key = used_key(o, keys);
  std::string key_text;
  if (key != nullptr) {
    key_text =
        key->has_kid ? fmt::format("kid {}", core::util::quote(key->kid)) : std::string("no kid");
    if (!key->thumbprint.empty()) {
      key_text += fmt::format(", thumbprint {}", key->thumbprint);
    }
  }
  if (o.valid) {
    out += fmt::format("{} {} signed by {} ({})\n", s.green("VALID"), o.alg, keys.source, key_text);
  } else {
    if (o.payload_trusted && key != nullptr) {
      out += fmt::format(
          "  {}\n", s.dim(fmt::format("signature: {} by {} ({})", o.alg, keys.source, key_text)));
    }
    out += fmt::format("{} {}: {}\n", s.red("INVALID"), o.error_code, o.error_message);
  }
  return out;
}

void append_batch_line(std::string& out, std::uint64_t line, const core::verify::Outcome& o) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, line).ptr;
  out += "{\"line\":";
  out.append(digits, end);
  out += o.valid ? ",\"valid\":true,\"error\":" : ",\"valid\":false,\"error\":";
  if (o.valid) {
    out += "null";
  } else {
    out += "{\"code\":";
    core::util::append_json_string(out, o.error_code);
    out += ",\"message\":";
    core::util::append_json_string(out, o.error_message);
    out += '}';
  }
  out += ",\"kid\":";
  if (o.has_kid) {
    core::util::append_json_string(out, o.kid);
  } else {
    out += "null";
  }
  out += ",\"alg\":";
  if (o.alg.empty()) {
    out += "null";
  } else {
    core::util::append_json_string(out, o.alg);
  }
  out += "}\n";
}

} // namespace tollgate::cli
