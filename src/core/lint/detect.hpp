#pragma once

// Which format a file is written in and which gateway config it is. Detection is lenient so that
// broken files still get linted (issue 4): an object with "endpoints" or "version" is KrakenD
// whatever the version, an object with "uri"/"uris" is an APISIX route whatever else is wrong.

#include "core/lint/lint.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core::lint {

// ".json"/".tmpl" → JSON, ".yaml"/".yml" → YAML, otherwise JSON when the first character is '{'
// or '[', else YAML.
SourceFormat guess_format(std::string_view path, std::string_view text);

// The shape of a parsed root, or Shape::unknown. `forced` is --gateway.
Shape detect_shape(Value root,
                   SourceFormat format,
                   std::string_view text,
                   std::optional<Gateway> forced);

// Why a root was not recognised, for the unknown-gateway finding.
std::string unknown_shape_message(Value root);

// The offset of the first Go template action ("{{ .x }}", "{{- range ... }}") outside a JSON
// string, or nullopt.
std::optional<std::uint32_t> find_template_action(std::string_view text);

// True when the file ends with APISIX's end flag as the standalone loader reads it: "#END"
// followed by whitespace only, inside the last 10 bytes (config_yaml.lua).
bool has_end_flag(std::string_view text);

} // namespace tollgate::core::lint
