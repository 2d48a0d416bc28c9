// docs/templates.md names every template function strata has: adding a function without
// documenting it fails here.
#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "template/functions.h"
#include "tests/support/conformance.h"

namespace strata::testing {
namespace {

TEST(DocTemplates, EveryFunctionIsDocumented) {
  std::string doc = read_file(source_dir() + "/docs/templates.md");
  for (const auto& name : tpl::function_names())
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos)
        << "docs/templates.md does not name the template function `" << name << "`";
}

}  // namespace
}  // namespace strata::testing
