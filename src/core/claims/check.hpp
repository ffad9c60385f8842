#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core::claims {

enum class CheckStatus {
  pass,
  fail,
  not_requested, // an optional check the caller did not ask for (--iss, --aud, ...)
  not_checked,   // an earlier step failed, so this one could not be trusted
};

std::string_view status_name(CheckStatus s);

// One named verification step and what it found ("expired 3m 12s ago at ..., leeway 0s").
struct Check {
  std::string name;
  CheckStatus status = CheckStatus::pass;
  std::string detail;
  std::string code; // the stable error code when status == fail
};

// Collects check results. In detail mode every check is kept, described and reported; otherwise
// (the batch path) only the first failure is kept and passing checks cost nothing.
class Recorder {
public:
  explicit Recorder(bool detail) : m_detail(detail) {}

  bool detail() const { return m_detail; }
  bool failed() const { return !m_first_code.empty(); }
  // Fast mode stops at the first failure; detail mode evaluates everything.
  bool should_continue() const { return m_detail || !failed(); }

  // Details are copied only in detail mode: the batch path never builds them.
  void pass(std::string_view name, std::string_view detail = {});
  void fail(std::string_view name, std::string_view code, std::string message);
  void not_requested(std::string_view name, std::string_view detail = "not requested");
  void not_checked(std::string_view name, std::string_view reason);

  const std::string& first_code() const { return m_first_code; }
  const std::string& first_message() const { return m_first_message; }
  std::vector<Check>& checks() { return m_checks; }

  void reset(bool detail);

private:
  bool m_detail;
  std::vector<Check> m_checks;
  std::string m_first_code;
  std::string m_first_message;
};

} // namespace tollgate::core::claims
