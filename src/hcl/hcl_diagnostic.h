// HCL diagnostics: HCL reports severity, a one-line summary, a detail sentence and the source
// range it is about. Parsing and evaluation collect several per file; to_diagnostics() turns
// them into strata's own Diagnostics (file:line:col plus hint) for user-facing errors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hcl/source_range.h"
#include "model/error.h"

namespace strata::hcl {

struct HclDiagnostic {
  Severity severity = Severity::kError;
  std::string summary;
  std::string detail;
  Range subject;
};

class HclDiagnostics {
 public:
  void error(const Range& subject, std::string summary, std::string detail = {}) {
    items_.push_back({Severity::kError, std::move(summary), std::move(detail), subject});
  }
  void warning(const Range& subject, std::string summary, std::string detail = {}) {
    items_.push_back({Severity::kWarning, std::move(summary), std::move(detail), subject});
  }
  void append(const HclDiagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  }
  bool has_errors() const;
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<HclDiagnostic>& items() const { return items_; }
  // The first error, or nullptr.
  const HclDiagnostic* first_error() const;

 private:
  std::vector<HclDiagnostic> items_;
};

// Converts to strata::Diagnostics: message = summary, hint = detail, origin = file:line:col.
Diagnostics to_diagnostics(const HclDiagnostics& diags,
                           const std::shared_ptr<const std::string>& file);

}  // namespace strata::hcl
