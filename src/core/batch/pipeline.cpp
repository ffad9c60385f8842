#include "core/batch/pipeline.hpp"

#include "core/util/interrupt.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace tollgate::core::batch {
namespace {

struct Chunk {
  std::uint64_t seq = 0;
  std::string storage; // the line bytes
  std::vector<Line> lines;
  std::string out;
};

// Splits an fd into lines, never holding more than one over-long line's worth of bytes.
class LineReader {
public:
  LineReader(int fd, std::size_t max_line) : m_fd(fd), m_max(max_line) { m_buf.resize(256 * 1024); }

  // Fill `chunk` with up to `count` lines. Returns false on a read error (with `error` set).
  // Line bytes are copied once, straight into the chunk's storage.
  bool fill(Chunk& chunk, std::size_t count, std::string& error) {
    chunk.storage.clear();
    chunk.lines.clear();
    m_spans.clear();
    // A line cut by the previous chunk boundary cannot happen: chunks end only at line ends.
    m_line_start = 0;
    while (chunk.lines.size() < count) {
      if (m_pos == m_len) {
        if (m_eof || util::interrupted()) {
          break;
        }
        const ssize_t n = ::read(m_fd, m_buf.data(), m_buf.size());
        if (n < 0) {
          if (errno == EINTR) {
            continue;
          }
          error = fmt::format("cannot read stdin: {}", std::strerror(errno));
          return false;
        }
        m_pos = 0;
        m_len = static_cast<std::size_t>(n);
        if (n == 0) {
          m_eof = true;
          if (m_partial) {
            finish_line(chunk);
          }
          break;
        }
      }
      const char* start = m_buf.data() + m_pos;
      const void* nl = std::memchr(start, '\n', m_len - m_pos);
      const std::size_t take =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : m_len - m_pos;
      m_partial = true;
      if (!m_skipping) {
        if (chunk.storage.size() - m_line_start + take > m_max) {
          m_skipping = true;
          chunk.storage.resize(m_line_start);
        } else {
          chunk.storage.append(start, take);
        }
      }
      m_pos += take;
      if (nl) {
        ++m_pos; // the newline
        finish_line(chunk);
      }
    }
    // Resolve views only now: storage no longer reallocates.
    for (std::size_t i = 0; i < chunk.lines.size(); ++i) {
      if (!chunk.lines[i].too_long) {
        chunk.lines[i].text =
            std::string_view(chunk.storage).substr(m_spans[i].first, m_spans[i].second);
      }
    }
    return true;
  }

  bool done() const { return (m_eof && m_pos == m_len) || util::interrupted(); }

private:
  void finish_line(Chunk& chunk) {
    ++m_number;
    Line line;
    line.number = m_number;
    line.too_long = m_skipping;
    m_spans.emplace_back(m_line_start, chunk.storage.size() - m_line_start);
    chunk.lines.push_back(line);
    m_line_start = chunk.storage.size();
    m_skipping = false;
    m_partial = false;
  }

  int m_fd;
  std::size_t m_max;
  std::vector<char> m_buf;
  std::vector<std::pair<std::size_t, std::size_t>> m_spans;
  std::size_t m_pos = 0;
  std::size_t m_len = 0;
  std::size_t m_line_start = 0;
  bool m_eof = false;
  bool m_skipping = false;
  bool m_partial = false;
  std::uint64_t m_number = 0;
};

} // namespace

unsigned available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) {
      return static_cast<unsigned>(n);
    }
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

Result<Stats> run_lines(int in_fd,
                        const std::function<bool(std::string_view)>& write,
                        const Options& options,
                        const std::function<ChunkFn(unsigned worker)>& make_worker) {
  LineReader reader(in_fd, options.max_line_bytes);
  Stats stats;
  std::string error;
  const std::size_t per_chunk = options.chunk_lines == 0 ? 1 : options.chunk_lines;

  if (options.jobs <= 1) {
    ChunkFn fn = make_worker(0);
    Chunk chunk;
    bool open = true;
    while (open && !reader.done()) {
      if (!reader.fill(chunk, per_chunk, error)) {
        return usage_error("unreadable", error);
      }
      if (chunk.lines.empty()) {
        continue;
      }
      stats.lines += chunk.lines.size();
      chunk.out.clear();
      fn(chunk.lines, chunk.out);
      open = write(chunk.out);
    }
    stats.interrupted = util::interrupted();
    return stats;
  }

  // Bounded: at most `limit` chunks exist at once (reading, queued, working, or waiting to be
  // written), which keeps memory flat and lets a slow writer hold the reader back.
  const std::size_t limit = static_cast<std::size_t>(options.jobs) * 4;
  std::mutex mu;
  std::condition_variable work_cv, done_cv, space_cv;
  std::deque<std::unique_ptr<Chunk>> queue;
  std::map<std::uint64_t, std::unique_ptr<Chunk>> done;
  std::vector<std::unique_ptr<Chunk>> spare;
  std::size_t in_flight = 0;
  bool closing = false;
  bool write_failed = false;

  // Signals go to the reading thread, whose blocking read() they interrupt; the worker and
  // writer threads are started with SIGINT and SIGTERM blocked.
  sigset_t block, previous;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &previous);
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < options.jobs; ++w) {
    workers.emplace_back([&, fn = make_worker(w)]() mutable {
      while (true) {
        std::unique_ptr<Chunk> c;
        {
          std::unique_lock lock(mu);
          work_cv.wait(lock, [&] { return !queue.empty() || closing; });
          if (queue.empty()) {
            return;
          }
          c = std::move(queue.front());
          queue.pop_front();
        }
        c->out.clear();
        fn(c->lines, c->out);
        {
          std::lock_guard lock(mu);
          const auto seq = c->seq;
          done.emplace(seq, std::move(c));
        }
        done_cv.notify_one();
      }
    });
  }

  std::uint64_t produced = 0;
  std::thread writer([&] {
    std::uint64_t next = 0;
    while (true) {
      std::unique_ptr<Chunk> c;
      {
        std::unique_lock lock(mu);
        done_cv.wait(lock, [&] { return done.count(next) != 0 || (closing && next == produced); });
        if (done.count(next) == 0) {
          return;
        }
        c = std::move(done[next]);
        done.erase(next);
      }
      const bool ok = write_failed ? false : write(c->out);
      {
        std::lock_guard lock(mu);
        if (!ok) {
          write_failed = true;
        }
        --in_flight;
        spare.push_back(std::move(c));
      }
      space_cv.notify_one();
      ++next;
    }
  });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  bool read_ok = true;
  while (!reader.done()) {
    std::unique_ptr<Chunk> c;
    {
      std::unique_lock lock(mu);
      space_cv.wait(lock, [&] { return in_flight < limit; });
      if (write_failed) {
        break;
      }
      if (!spare.empty()) {
        c = std::move(spare.back());
        spare.pop_back();
      }
      ++in_flight;
    }
    if (!c) {
      c = std::make_unique<Chunk>();
    }
    if (!reader.fill(*c, per_chunk, error)) {
      read_ok = false;
      std::lock_guard lock(mu);
      --in_flight;
      break;
    }
    if (c->lines.empty()) {
      std::lock_guard lock(mu);
      --in_flight;
      spare.push_back(std::move(c));
      continue;
    }
    stats.lines += c->lines.size();
    {
      std::lock_guard lock(mu);
      c->seq = produced++;
      queue.push_back(std::move(c));
    }
    work_cv.notify_one();
  }
  {
    std::lock_guard lock(mu);
    closing = true;
  }
  work_cv.notify_all();
  for (auto& t : workers) {
    t.join();
  }
  done_cv.notify_all();
  writer.join();
  if (!read_ok) {
    return usage_error("unreadable", error);
  }
  stats.interrupted = util::interrupted();
  return stats;
}

} // namespace tollgate::core::batch
