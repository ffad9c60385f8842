#pragma once

#include <termios.h>

namespace tollgate::core::util {

// Install SIGINT/SIGTERM handlers. Until a long-running loop calls set_cooperative(true), a signal
// removes the registered temporary files and ends the process with 130 at once. In cooperative
// mode (batch loops) the signal only sets a flag that the loop polls with interrupted(), so it can
// flush what is done and return.
void install_interrupt_handlers();
void set_cooperative(bool on);
bool interrupted();

// Register a temporary file to unlink if a signal ends the process. Returns a slot index, or -1
// when the table is full. Paths longer than the slot are not registered.
int register_temp_file(const char* path);
void unregister_temp_file(int slot);

// While a prompt has turned terminal echo off: the settings a signal that ends the process
// restores on `fd` first (tcsetattr is async-signal-safe), so Ctrl-C never leaves the user's
// terminal without echo. Clear it once the settings are restored normally.
void set_terminal_to_restore(int fd, const termios& saved);
void clear_terminal_to_restore();

} // namespace tollgate::core::util
