#include "base/duration.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ReadsGoStyleDurations) {
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5400000));
}

TEST(Duration, RefusesWhatIsNotADuration) {
  for (const char* bad : {"", "30", "-1s", "5 m", "1d", "s", "1..5s", "ms", "9999h"})
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(Duration, FormatsShortly) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(30000)), "30s");
  EXPECT_EQ(format_duration(milliseconds(300000)), "5m");
  EXPECT_EQ(format_duration(milliseconds(5430000)), "1h30m30s");
}

}  // namespace
}  // namespace strata
