#include "cli/interactive.hpp"

#include "core/http/url.hpp"
#include "core/util/interrupt.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace tollgate::cli {
namespace {

core::Result<std::string>
read_tty(const std::string& prompt, const std::string& what_flag, bool echo) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return core::usage_error("no_terminal", fmt::format("no terminal to ask on: {}", what_flag));
  }
  termios saved{};
  const bool have_termios = ::tcgetattr(fd, &saved) == 0;
  if (!echo && have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    core::util::set_terminal_to_restore(fd, saved); // Ctrl-C at the prompt gets echo back
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string line;
  char c = 0;
  while (line.size() < 4096) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0 || c == '\n') {
      break;
    }
    line += c;
  }
  if (!echo && have_termios) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    core::util::clear_terminal_to_restore();
  }
  ::close(fd);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  if (line.empty()) {
    return core::usage_error("empty_input", fmt::format("nothing entered ({})", what_flag));
  }
  return line;
}

} // namespace

core::Result<std::string> prompt_hidden(const std::string& prompt, const std::string& what_flag) {
  return read_tty(prompt, what_flag, false);
}

core::Result<std::string> prompt_line(const std::string& prompt, const std::string& what_flag) {
  return read_tty(prompt, what_flag, true);
}

bool open_browser(const std::string& url) {
  if (!core::http::parse_url(url)) {
    return false; // http(s) only: never a file: URL or something read as an option
  }
  const char* browser = std::getenv("BROWSER");
  std::string program = browser != nullptr && browser[0] != '\0' ? browser : "xdg-open";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0;
}

} // namespace tollgate::cli
