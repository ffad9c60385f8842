#include "core/util/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace tollgate::core::util {
namespace {

constexpr int kSlots = 16;
constexpr int kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];
std::atomic<bool> g_cooperative{false};
std::atomic<bool> g_interrupted{false};
termios g_saved_termios{};
std::atomic<int> g_termios_fd{-1};

extern "C" void on_signal(int sig) {
  g_interrupted.store(true);
  if (g_cooperative.load()) {
    return;
  }
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) {
      ::unlink(g_paths[i]);
    }
  }
  if (const int fd = g_termios_fd.load(); fd >= 0) {
    ::tcsetattr(fd, TCSANOW, &g_saved_termios);
  }
  // 130 for SIGINT as shells report it; 143 for SIGTERM.
  ::_exit(sig == SIGINT ? 130 : 128 + sig);
}

} // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void set_cooperative(bool on) {
  g_cooperative.store(on);
}
bool interrupted() {
  return g_interrupted.load(std::memory_order_relaxed);
}

int register_temp_file(const char* path) {
  const std::size_t n = std::strlen(path);
  if (n >= static_cast<std::size_t>(kPathMax)) {
    return -1;
  }
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_used[i].load()) {
      std::memcpy(g_paths[i], path, n + 1);
      if (g_used[i].compare_exchange_strong(expected, true)) {
        return i;
      }
    }
  }
  return -1;
}

void unregister_temp_file(int slot) {
  if (slot >= 0 && slot < kSlots) {
    g_used[slot].store(false);
  }
}

void set_terminal_to_restore(int fd, const termios& saved) {
  g_termios_fd.store(-1); // the handler never sees a half-copied struct
  g_saved_termios = saved;
  g_termios_fd.store(fd);
}

void clear_terminal_to_restore() {
  g_termios_fd.store(-1);
}

} // namespace tollgate::core::util
