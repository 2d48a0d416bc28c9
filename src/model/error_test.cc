#include "model/error.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ErrorTest, RendersOriginMessageAndHint) {
  Error e("unknown component \"vpcc\"", Origin("stacks/dev.js", 12, 5), "did you mean \"vpc\"?");
  EXPECT_EQ(e.render(), "stacks/dev.js:12:5: unknown component \"vpcc\"\n  hint: did you mean \"vpc\"?");
}

TEST(ErrorTest, DiagnosticsThrowTheFirstErrorAndListTheRest) {
  Diagnostics d;
  d.warning(Origin("a.hcl", 1, 1), "deprecated");
  d.error(Origin("a.hcl", 2, 3), "first");
  d.error(Origin("a.hcl", 4, 1), "second");
  EXPECT_TRUE(d.has_errors());
  try {
    d.throw_if_errors();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "a.hcl:2:3");
    EXPECT_NE(e.hint().find("a.hcl:4:1: second"), std::string::npos);
  }
}

TEST(ErrorTest, AProblemFoundTwiceAtOnePlaceIsKeptOnce) {
  // A YAML layer shared by four leaves is read four times; its error was printed four times.
  Diagnostics d;
  for (int i = 0; i < 4; ++i) d.error(Origin("config/env=dev/defaults.yaml", 1, 4), "invalid YAML");
  d.warning(Origin("config/env=dev/defaults.yaml", 1, 4), "invalid YAML");  // another severity
  d.error(Origin("config/env=dev/defaults.yaml", 2, 4), "invalid YAML");    // another place
  Diagnostics more;
  more.error(Origin("config/env=dev/defaults.yaml", 1, 4), "invalid YAML");
  d.append(more);
  EXPECT_EQ(d.items().size(), 3u);
}

}  // namespace
}  // namespace strata
