#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::util {

// ASCII whitespace trimming (space, tab, CR, LF, FF, VT).
std::string_view trim(std::string_view s);

// ASCII case-insensitive equality and prefix test.
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

std::string to_lower(std::string_view s);

// Split on a single character; empty pieces are kept.
std::vector<std::string_view> split(std::string_view s, char sep);

// Join with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// A value shortened for messages: at most `max` bytes, with "..." when cut.
std::string excerpt(std::string_view s, std::size_t max = 40);

// Text from outside (an IdP's error_description, a discovery value, response bytes) made safe for
// one terminal line: CR, LF and TAB become spaces; other control characters (ESC, BEL, DEL, the
// C1 range) and bytes that are not UTF-8 become '?'. A server can then neither move the cursor,
// recolour, retitle the terminal, nor forge a line of our output.
std::string terminal_safe(std::string_view s);

// Levenshtein distance (for "did you mean" hints).
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace tollgate::core::util
