#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace tollgate::core::batch {

// One input line (without its newline).
struct Line {
  std::uint64_t number = 0; // 1-based
  std::string_view text;    // empty when too_long
  bool too_long = false;    // longer than Options::max_line_bytes; its bytes were skipped
};

// Turns a chunk of lines into output text (appended to `out`, one result line per input line it
// wants to answer). Called on a worker thread; each worker has its own function object, so state
// in it (parsers, prepared keys) needs no locking.
using ChunkFn = std::function<void(std::span<const Line> lines, std::string& out)>;

struct Options {
  unsigned jobs = 1;                    // worker threads; 1 runs everything on the caller's thread
  std::size_t max_line_bytes = 1 << 20; // longer lines are passed as too_long, never stored
  std::size_t chunk_lines = 512;        // lines per unit of work
};

struct Stats {
  std::uint64_t lines = 0;
  bool interrupted = false; // SIGINT/SIGTERM: what was read before is processed and written
};

// The ordered parallel pipeline: reader -> N workers -> reorder -> writer. Output comes out in
// input order whatever the number of workers, and memory stays flat whatever the input size
// (at most a few chunks per worker are in flight). `make_worker(i)` builds worker i's function;
// `write` receives output text in order and returns false to stop (e.g. stdout closed).
Result<Stats> run_lines(int in_fd,
                        const std::function<bool(std::string_view)>& write,
                        const Options& options,
                        const std::function<ChunkFn(unsigned worker)>& make_worker);

// The number of CPUs this process may run on (its affinity mask), at least 1.
unsigned available_cpus();

} // namespace tollgate::core::batch
