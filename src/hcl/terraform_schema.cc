#include "hcl/terraform_schema.h"

namespace strata::hcl {
namespace {

constexpr JsonStringMode kLiteral = JsonStringMode::kLiteral;
constexpr JsonStringMode kExpression = JsonStringMode::kExpression;

BlockSchema block(std::string type, std::vector<std::string> labels, BodySchema body = {}) {
  return BlockSchema{std::move(type), std::move(labels), std::move(body)};
}

// Terraform's JSON syntax rules (developer.hashicorp.com/terraform/language/syntax/json):
// `type`, `depends_on`, `provider`, `providers`, `ignore_changes`, `replace_triggered_by` and
// the `moved`/`import`/`removed` addresses are native expressions written in a string; values
// Terraform evaluates without a context (variable defaults and descriptions, module sources and
// versions, required_version) are literal, so "${" in them is plain text.
BodySchema lifecycle() {
  return BodySchema{{block("precondition", {}), block("postcondition", {})},
                    {{"ignore_changes", kExpression}, {"replace_triggered_by", kExpression}}};
}

BodySchema resource_body() {
  return BodySchema{{block("lifecycle", {}, lifecycle()), block("connection", {}),
                     block("provisioner", {"type"}, BodySchema{{block("connection", {})}, {}}),
                     block("dynamic", {"name"}, BodySchema{{block("content", {})}, {}})},
                    {{"depends_on", kExpression}, {"provider", kExpression}}};
}

BodySchema make_file_schema() {
  BodySchema variable{{block("validation", {})},
                      {{"type", kExpression},
                       {"default", kLiteral},
                       {"description", kLiteral},
                       {"sensitive", kLiteral},
                       {"nullable", kLiteral}}};
  BodySchema output{{block("precondition", {})},
                    {{"depends_on", kExpression}, {"description", kLiteral}}};
  BodySchema module{{},
                    {{"source", kLiteral},
                     {"version", kLiteral},
                     {"providers", kExpression},
                     {"depends_on", kExpression}}};
  BodySchema terraform{{block("required_providers", {}), block("backend", {"type"}),
                        block("cloud", {}, BodySchema{{block("workspaces", {})}, {}}),
                        block("provider_meta", {"provider"})},
                       {{"required_version", kLiteral}}};
  BodySchema check{{block("data", {"type", "name"}, resource_body()), block("assert", {})}, {}};
  return BodySchema{
      {block("terraform", {}, terraform), block("variable", {"name"}, variable),
       block("output", {"name"}, output), block("locals", {}), block("provider", {"name"}),
       block("module", {"name"}, module), block("resource", {"type", "name"}, resource_body()),
       block("data", {"type", "name"}, resource_body()),
       block("ephemeral", {"type", "name"}, resource_body()),
       block("moved", {}, BodySchema{{}, {{"from", kExpression}, {"to", kExpression}}}),
       block("import", {}, BodySchema{{}, {{"to", kExpression}, {"provider", kExpression}}}),
       block("removed", {},
             BodySchema{{block("lifecycle", {}), block("provisioner", {"type"})},
                        {{"from", kExpression}}}),
       block("check", {"name"}, check)},
      {}};
}

}  // namespace

const BodySchema& terraform_file_schema() {
  static const BodySchema kSchema = make_file_schema();
  return kSchema;
}

}  // namespace strata::hcl
