#include "core/claims/check.hpp"

namespace tollgate::core::claims {

std::string_view status_name(CheckStatus s) {
  switch (s) {
  case CheckStatus::pass:
    return "pass";
  case CheckStatus::fail:
    return "fail";
  case CheckStatus::not_requested:
    return "not_requested";
  case CheckStatus::not_checked:
    return "not_checked";
  }
  return "?";
}

void Recorder::pass(std::string_view name, std::string_view detail) {
  if (m_detail) {
    m_checks.push_back({std::string(name), CheckStatus::pass, std::string(detail), {}});
  }
}

void Recorder::fail(std::string_view name, std::string_view code, std::string message) {
  if (m_first_code.empty()) {
    m_first_code = code;
    m_first_message = message;
  }
  if (m_detail) {
    m_checks.push_back(
        {std::string(name), CheckStatus::fail, std::move(message), std::string(code)});
  }
}

void Recorder::not_requested(std::string_view name, std::string_view detail) {
  if (m_detail) {
    m_checks.push_back({std::string(name), CheckStatus::not_requested, std::string(detail), {}});
  }
}

void Recorder::not_checked(std::string_view name, std::string_view reason) {
  if (m_detail) {
    m_checks.push_back({std::string(name), CheckStatus::not_checked, std::string(reason), {}});
  }
}

void Recorder::reset(bool detail) {
  m_detail = detail;
  m_checks.clear();
  m_first_code.clear();
  m_first_message.clear();
}

} // namespace tollgate::core::claims
