#pragma once

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

} // namespace tollgate::core::util
