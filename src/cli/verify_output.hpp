#pragma once

#include "cli/command.hpp"
#include "core/keys/key.hpp"
#include "core/verify/verifier.hpp"

#include <cstdint>
#include <string>

namespace tollgate::cli {

// The --json document of one verification.
core::util::Json verdict_json(const core::verify::Outcome& o, const core::keys::KeySet& keys);

// The human report: one line per check, then VALID/INVALID and the key used.
std::string
verdict_text(const core::verify::Outcome& o, const core::keys::KeySet& keys, bool color);

// One NDJSON line of --batch output (with the trailing newline), appended to `out`.
void append_batch_line(std::string& out, std::uint64_t line, const core::verify::Outcome& o);

} // namespace tollgate::cli
