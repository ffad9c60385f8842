#pragma once

// What a rule set gets while it runs over one document: the tree, the enabled rules, and a way
// to emit findings at a value or at a key.

#include "core/lint/lint.hpp"

#include <string>

namespace tollgate::core::lint {

class Context {
public:
  Context(const Document& doc, FileReport& report, const LintOptions& opts)
      : m_doc(doc), m_report(report), m_opts(opts) {}

  const Document& doc() const { return m_doc; }
  FileReport& report() { return m_report; }
  const LintOptions& options() const { return m_opts; }
  Shape shape() const { return m_report.shape; }
  bool on(Rule r) const { return m_opts.rules.enabled(r); }

  // A finding at a byte offset.
  void emit(Rule r,
            std::string pointer,
            std::uint32_t offset,
            std::string message,
            std::string hint = {});
  // At a value: the pointer names the value.
  void at(Rule r, std::string pointer, Value v, std::string message, std::string hint = {}) {
    emit(r, std::move(pointer), v.offset(), std::move(message), std::move(hint));
  }
  // At an object member's key: `object_pointer` names the object holding it.
  void at_key(Rule r,
              const std::string& object_pointer,
              const Member& m,
              std::string message,
              std::string hint = {});

private:
  const Document& m_doc;
  FileReport& m_report;
  const LintOptions& m_opts;
};

// "did you mean "x"?" or empty.
std::string did_you_mean(const std::string& candidate);

// Gateway rule sets (each in its own file).
void lint_krakend(Context& cx);
void lint_apisix(Context& cx); // Admin API bodies, standalone files, ADC and config.yaml

} // namespace tollgate::core::lint
