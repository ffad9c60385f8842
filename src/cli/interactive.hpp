#pragma once

#include "cli/command.hpp"
#include "core/util/result.hpp"

#include <string>

namespace tollgate::cli {

// Ask on the terminal (/dev/tty) without echo, for a password; a usage error when there is no
// terminal (scripts must pass a file or an environment variable instead).
core::Result<std::string> prompt_hidden(const std::string& prompt, const std::string& what_flag);

// Ask on the terminal with echo (a user name).
core::Result<std::string> prompt_line(const std::string& prompt, const std::string& what_flag);

// Start $BROWSER (a program path, given the URL as its one argument) or xdg-open, without
// waiting for it; its stdout goes to /dev/null so that ours stays clean. Returns false when
// nothing could be started, or when `url` is not an absolute http(s) URL (nothing is started).
bool open_browser(const std::string& url);

} // namespace tollgate::cli
