// to_valid_utf8: what the control plane stores of an engine's log, whatever bytes it printed.
#include "base/utf8.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Utf8, InvalidBytesBecomeReplacementCharactersAndValidTextStays) {
  EXPECT_EQ(to_valid_utf8("plain ascii"), "plain ascii");
  EXPECT_EQ(to_valid_utf8("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(to_valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(to_valid_utf8("cut \xE2\x9C"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(to_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "an overlong '/'";
  std::string nul("a\0b", 3);
  EXPECT_EQ(to_valid_utf8(nul), nul);
  EXPECT_EQ(to_valid_utf8(nul, true), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(invalid_utf8_at(to_valid_utf8("\x80\x80 x \xF5")), std::string::npos);
}

}  // namespace
}  // namespace strata
