#pragma once

namespace tollgate::cli {

// Parse argv, run the chosen subcommand and return the exit status. The only place that turns
// errors and exceptions into exit statuses.
int run(int argc, char** argv);

} // namespace tollgate::cli
