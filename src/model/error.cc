#include "model/error.h"

namespace strata {

namespace {
std::string render_parts(const Origin& origin, const std::string& prefix, const std::string& message,
                         const std::string& hint) {
  std::string s;
  if (origin.known()) s += origin.str() + ": ";
  s += prefix + message;
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}
}  // namespace

Error::Error(std::string message, Origin origin, std::string hint)
    : std::runtime_error(render_parts(origin, "", message, hint)),
      message_(std::move(message)),
      origin_(std::move(origin)),
      hint_(std::move(hint)) {}

Error::Error(ErrorKind kind, std::string message, Origin origin, std::string hint)
    : Error(std::move(message), std::move(origin), std::move(hint)) {
  kind_ = kind;
}

std::string Error::render() const { return what(); }

std::string Diagnostic::render() const {
  return render_parts(origin, severity == Severity::kWarning ? "warning: " : "", message, hint);
}

void Diagnostics::add(Severity severity, Origin origin, std::string message, std::string hint) {
  Diagnostic d{severity, std::move(origin), std::move(message), std::move(hint)};
  // A layer file shared by many leaves is read once per leaf: say each problem once.
  if (!seen_.insert(d.render() + (severity == Severity::kError ? "\1" : "\2")).second) return;
  items_.push_back(std::move(d));
}

bool Diagnostics::has_errors() const {
  for (const auto& d : items_)
    if (d.severity == Severity::kError) return true;
  return false;
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.items_) add(d.severity, d.origin, d.message, d.hint);
}

void Diagnostics::throw_if_errors() const {
  const Diagnostic* first = nullptr;
  std::string rest;
  for (const auto& d : items_) {
    if (d.severity != Severity::kError) continue;
    if (!first) {
      first = &d;
    } else {
      rest += "\n" + d.render();
    }
  }
  if (!first) return;
  std::string hint = first->hint;
  if (!rest.empty()) hint += (hint.empty() ? "" : "\n") + std::string("more errors:") + rest;
  throw Error(first->message, first->origin, hint);
}

}  // namespace strata
