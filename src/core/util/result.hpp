#pragma once

#include "core/util/error.hpp"

#include <type_traits>
#include <utility>
#include <variant>

namespace tollgate::core {

// Either a T or an Error. The core returns these instead of throwing; library exceptions are
// caught at the core boundary and turned into an Error of the right class.
template <class T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(m_v); }
  Error&& error() && { return std::get<1>(std::move(m_v)); }

private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}

  bool ok() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  const Error& error() const& { return m_error; }
  Error&& error() && { return std::move(m_error); }

private:
  Error m_error;
  bool m_ok = true;
};

} // namespace tollgate::core

// Evaluate a Result expression; on error, return the error from the enclosing function.
#define TOLLGATE_CONCAT_(a, b) a##b
#define TOLLGATE_CONCAT(a, b) TOLLGATE_CONCAT_(a, b)
#define TOLLGATE_TRY_IMPL(tmp, decl, expr)                                                         \
  auto tmp = (expr);                                                                               \
  if (!tmp.ok()) {                                                                                 \
    return std::move(tmp).error();                                                                 \
  }                                                                                                \
  decl = std::move(tmp).value()
// TOLLGATE_TRY(auto x, make_x()); declares x from the value or returns the error.
#define TOLLGATE_TRY(decl, expr) TOLLGATE_TRY_IMPL(TOLLGATE_CONCAT(tg_try_, __LINE__), decl, expr)
// TOLLGATE_CHECK(do_something()); for Result<void>.
#define TOLLGATE_CHECK(expr)                                                                       \
  do {                                                                                             \
    auto tg_check_ = (expr);                                                                       \
    if (!tg_check_.ok()) {                                                                         \
      return std::move(tg_check_).error();                                                         \
    }                                                                                              \
  } while (0)
