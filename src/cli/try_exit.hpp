#pragma once

#include "cli/command.hpp"
#include "core/util/result.hpp"

// In a subcommand's run function (with `Env& env` in scope): evaluate a Result; on error report
// it and return its exit status.
#define TOLLGATE_TRY_EXIT_IMPL(tmp, decl, expr)                                                    \
  auto tmp = (expr);                                                                               \
  if (!tmp.ok()) {                                                                                 \
    return ::tollgate::cli::report(env, tmp.error());                                              \
  }                                                                                                \
  decl = std::move(tmp).value()
#define TOLLGATE_TRY_EXIT(decl, expr)                                                              \
  TOLLGATE_TRY_EXIT_IMPL(TOLLGATE_CONCAT(tg_exit_, __LINE__), decl, expr)
