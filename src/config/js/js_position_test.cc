#include "config/js/js_position.h"

#include <gtest/gtest.h>

#include <cstring>

namespace strata::js {
namespace {

TEST(JsPosition, ParsesFramesAndCorrectsTheFirstLine) {
  int header = static_cast<int>(std::strlen(kModuleHeader));
  auto frames =
      parse_stack("component@[native code]\nmake@stacks/lib/x.js:1:" + std::to_string(header + 7) +
                  "\n@stacks/a:b.js:12:3\n");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(frames[0].native());
  EXPECT_EQ(frames[0].function, "component");
  EXPECT_EQ(frames[1].function, "make");
  EXPECT_EQ(frames[1].file, "stacks/lib/x.js");
  EXPECT_EQ(frames[1].line, 1);
  EXPECT_EQ(frames[1].column, 7);
  EXPECT_EQ(frames[2].file, "stacks/a:b.js");
  EXPECT_EQ(frames[2].line, 12);
  EXPECT_EQ(frames[2].column, 3);
}

TEST(JsPosition, CalleeStartColumnWalksBackOverTheCallee) {
  EXPECT_EQ(callee_start_column("const vpc = component('vpc')", 22), 13);
  EXPECT_EQ(callee_start_column("  lib.make (1)", 12), 3);
  EXPECT_EQ(callee_start_column("foo.bar", 4), 4);  // not at a call: unchanged
}

TEST(JsPosition, LineOf) {
  EXPECT_EQ(line_of("a\nbb\nccc", 2), "bb");
  EXPECT_EQ(line_of("a\nbb\nccc", 3), "ccc");
  EXPECT_EQ(line_of("a\nbb", 5), "");
}

}  // namespace
}  // namespace strata::js
