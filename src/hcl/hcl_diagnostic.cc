#include "hcl/hcl_diagnostic.h"

namespace strata::hcl {

std::string Range::short_str() const {
  return std::to_string(start.line) + ":" + std::to_string(start.column) + "-" +
         std::to_string(end.line) + ":" + std::to_string(end.column);
}

bool HclDiagnostics::has_errors() const { return first_error() != nullptr; }

const HclDiagnostic* HclDiagnostics::first_error() const {
  for (const auto& d : items_) {
    if (d.severity == Severity::kError) return &d;
  }
  return nullptr;
}

Diagnostics to_diagnostics(const HclDiagnostics& diags,
                           const std::shared_ptr<const std::string>& file) {
  Diagnostics out;
  for (const auto& d : diags.items()) {
    out.add(d.severity, origin_of(file, d.subject), d.summary, d.detail);
  }
  return out;
}

}  // namespace strata::hcl
