// libFuzzer target: parse arbitrary bytes as native syntax and as JSON syntax (with Terraform's
// schema), then walk and evaluate every attribute (without and with the standard functions).
// Must never crash, hang or exhaust the stack.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hcl/eval.h"
#include "hcl/functions.h"
#include "hcl/json_syntax.h"
#include "hcl/parser.h"
#include "hcl/terraform_schema.h"
#include "hcl/variables.h"
#include "hcl/writer.h"

namespace {

void visit(const strata::hcl::Body& body, const strata::hcl::EvalContext& ctx) {
  for (const auto& a : body.attributes) {
    strata::hcl::HclDiagnostics d;
    strata::Value v = strata::hcl::evaluate(*a.expr, nullptr, d);
    (void)strata::hcl::write_hcl_value(v);
    (void)strata::hcl::evaluate(*a.expr, &ctx, d);
    (void)strata::hcl::expr_variables(*a.expr);
  }
  for (const auto& b : body.blocks) visit(b.body, ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const strata::hcl::FunctionTable kFunctions = strata::hcl::standard_functions();
  std::string text(reinterpret_cast<const char*>(data), size);
  strata::hcl::EvalContext ctx;
  ctx.functions = &kFunctions;
  visit(strata::hcl::parse_config(text, "fuzz.hcl").body, ctx);
  visit(strata::hcl::parse_json_config(text, "fuzz.tf.json", strata::hcl::terraform_file_schema())
            .body,
        ctx);
  return 0;
}
