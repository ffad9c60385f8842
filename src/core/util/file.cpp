#include "core/util/file.hpp"

#include "core/util/interrupt.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tollgate::core::util {
namespace {

std::string size_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
    return fmt::format("{} MiB", bytes / (1024 * 1024));
  }
  if (bytes >= 1024 && bytes % 1024 == 0) {
    return fmt::format("{} KiB", bytes / 1024);
  }
  return fmt::format("{} bytes", bytes);
}

Result<std::string> read_fd(int fd, std::size_t max_bytes, std::string_view what) {
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        if (interrupted()) {
          return Error{ErrorClass::interrupted, "interrupted", "interrupted"};
        }
        continue;
      }
      return usage_error("unreadable",
                         fmt::format("cannot read {}: {}", what, std::strerror(errno)));
    }
    if (n == 0) {
      return out;
    }
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return usage_error("too_large",
                         fmt::format("{} is larger than the {} limit", what, size_text(max_bytes)));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

} // namespace

Result<std::string>
read_file(const std::string& path, std::size_t max_bytes, std::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return usage_error("unreadable",
                       fmt::format("cannot open {} '{}': {}", what, path, std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return usage_error("unreadable", fmt::format("{} '{}' is a directory", what, path));
  }
  auto r = read_fd(fd, max_bytes, fmt::format("{} '{}'", what, path));
  ::close(fd);
  return r;
}

Result<std::string> read_stream(int fd, std::size_t max_bytes, std::string_view what) {
  return read_fd(fd, max_bytes, what);
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return usage_error("unwritable",
                       fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
  const int slot = register_temp_file(tmp.c_str());
  auto fail = [&](int err) -> Result<void> {
    ::close(fd);
    ::unlink(tmp.c_str());
    unregister_temp_file(slot);
    return usage_error("unwritable",
                       fmt::format("cannot write '{}': {}", path, std::strerror(err)));
  };
  if (::fchmod(fd, mode) != 0) {
    return fail(errno);
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    return fail(errno);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    unregister_temp_file(slot);
    return usage_error("unwritable",
                       fmt::format("cannot write '{}': {}", path, std::strerror(err)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    unregister_temp_file(slot);
    return usage_error("unwritable",
                       fmt::format("cannot write '{}': {}", path, std::strerror(err)));
  }
  unregister_temp_file(slot);
  return {};
}

} // namespace tollgate::core::util
