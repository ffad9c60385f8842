#pragma once

#include "core/util/error.hpp"

namespace tollgate::cli {

// Exit statuses; the numbers never change once released (man page EXIT STATUS).
enum Exit : int {
  kExitOk = 0,       // done; verdict positive
  kExitNegative = 1, // answered, and the answer is no (invalid, denied, lint errors)
  kExitUsage = 2,    // bad flags or unreadable input
  kExitNetwork = 3,  // network or IdP failure: could not decide
  kExitInternal = 4, // a bug
  kExitInterrupted = 130,
};

inline int exit_code_for(core::ErrorClass cls) {
  switch (cls) {
  case core::ErrorClass::usage:
    return kExitUsage;
  case core::ErrorClass::verdict:
    return kExitNegative;
  case core::ErrorClass::network:
    return kExitNetwork;
  case core::ErrorClass::interrupted:
    return kExitInterrupted;
  case core::ErrorClass::internal:
    return kExitInternal;
  }
  return kExitInternal;
}

} // namespace tollgate::cli
