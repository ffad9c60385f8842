#include "core/batch/pipeline.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <unistd.h>

using namespace tollgate::core;

namespace {

// Feed `input` through a pipe and collect the pipeline's output; each worker echoes
// "<number>:<text or TOO_LONG>\n" for every line (with a little extra work so workers overlap).
std::string run(const std::string& input, batch::Options options) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    std::size_t done = 0;
    while (done < input.size()) {
      const ssize_t n = ::write(fds[1], input.data() + done, input.size() - done);
      if (n <= 0) {
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  std::string out;
  auto stats = batch::run_lines(
      fds[0],
      [&](std::string_view text) {
        out.append(text);
        return true;
      },
      options,
      [](unsigned) -> batch::ChunkFn {
        return [](std::span<const batch::Line> lines, std::string& o) {
          for (const auto& l : lines) {
            o += std::to_string(l.number) + ":"
                 + (l.too_long ? std::string("TOO_LONG") : std::string(l.text)) + "\n";
          }
        };
      });
  writer.join();
  ::close(fds[0]);
  REQUIRE(stats.ok());
  return out;
}

} // namespace

TEST_CASE("batch::run_lines keeps input order for any number of workers") {
  std::string input, expected;
  for (int i = 1; i <= 20000; ++i) {
    input += "token-" + std::to_string(i) + "\n";
    expected += std::to_string(i) + ":token-" + std::to_string(i) + "\n";
  }
  for (unsigned jobs : {1u, 2u, 3u, 8u}) {
    batch::Options o;
    o.jobs = jobs;
    o.chunk_lines = 97;
    CAPTURE(jobs);
    CHECK(run(input, o) == expected);
  }
}

TEST_CASE("batch::run_lines handles a last line without newline, empty lines and over-long lines") {
  batch::Options o;
  o.max_line_bytes = 8;
  CHECK(run("a\n\nbbbbbbbbbbbbbbbbbbbbbbbb\nlast", o) == "1:a\n2:\n3:TOO_LONG\n4:last\n");
  o.jobs = 2;
  CHECK(run("a\n\nbbbbbbbbbbbbbbbbbbbbbbbb\nlast", o) == "1:a\n2:\n3:TOO_LONG\n4:last\n");
  CHECK(run("", o).empty());
}

TEST_CASE("batch::available_cpus is at least one") {
  CHECK(batch::available_cpus() >= 1);
}
