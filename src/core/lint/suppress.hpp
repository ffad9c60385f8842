#pragma once

// Inline suppressions, read from the file being linted.
//
// YAML (any gateway) — a comment:
//   timeout: 500  # tollgate-lint: disable apisix/plugin-schema      (this line)
//   # tollgate-lint: disable krakend/validator-no-cache, krakend/validator-no-issuer
//   key: value                                                       (the next content line)
//   # tollgate-lint: disable-file apisix/missing-id                   (the whole file)
// Rules are ids or "prefix/*", separated by commas or spaces; "-- reason" ends the list.
//
// JSON and YAML KrakenD configs — a comment key, which the KrakenD schema allows in every object:
//   "@tollgate-lint": "disable krakend/validator-no-cache"   (findings in this object and below)
// The value may also be a list of such strings.

#include "core/lint/context.hpp"

namespace tollgate::core::lint {

// Remove suppressed findings from `report`, and add a suppression-unknown-rule finding for every
// directive rule that matches no rule.
void apply_suppressions(const Document& doc, FileReport& report, const LintOptions& opts);

} // namespace tollgate::core::lint
