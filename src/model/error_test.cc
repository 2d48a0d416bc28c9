#include "model/error.h"

#include <gtest/gtest.h>

#include <set>

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

TEST(ErrorTest, AnErrorIsTheUsersInputUnlessTheThrowerSaysOtherwise) {
  EXPECT_EQ(Error("bad value").kind(), ErrorKind::kUserInput);
  Error locked(ErrorKind::kConflict, "workdir is locked", Origin("a.js", 1, 1), "wait");
  EXPECT_EQ(locked.kind(), ErrorKind::kConflict);
  EXPECT_EQ(locked.render(), "a.js:1:1: workdir is locked\n  hint: wait");
}

TEST(ErrorKindTableTest, EveryKindHasANameAnExitCodeAndAnHttpStatus) {
  const ErrorKind all[] = {ErrorKind::kUserInput,    ErrorKind::kNotFound,    ErrorKind::kConflict,
                           ErrorKind::kEngineFailed, ErrorKind::kEnvironment, ErrorKind::kInternal};
  ASSERT_EQ(std::size(all), kErrorKinds.size());
  std::set<std::string_view> names;
  for (ErrorKind kind : all) {
    const ErrorKindInfo& info = error_kind_info(kind);
    EXPECT_EQ(info.kind, kind);
    EXPECT_FALSE(info.name.empty());
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " twice";
    EXPECT_FALSE(info.why.empty()) << info.name;
    // A failure exits non-zero, and never with 2: that is a usage error or plan's
    // --detailed-exitcode "changes present".
    EXPECT_NE(exit_code(kind), 0) << info.name;
    EXPECT_NE(exit_code(kind), 2) << info.name;
    EXPECT_GE(http_status(kind), 400) << info.name;
    EXPECT_LT(http_status(kind), 600) << info.name;
  }
}

TEST(ErrorKindTableTest, TheClientsMistakesAre4xxAndTheServersSide5xx) {
  EXPECT_EQ(http_status(ErrorKind::kUserInput), 422);
  EXPECT_EQ(http_status(ErrorKind::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorKind::kConflict), 409);
  EXPECT_EQ(http_status(ErrorKind::kEngineFailed), 502);
  EXPECT_EQ(http_status(ErrorKind::kEnvironment), 503);
  EXPECT_EQ(http_status(ErrorKind::kInternal), 500);
  // The CLI's exit codes are those of before kinds existed.
  for (const ErrorKindInfo& info : kErrorKinds) EXPECT_EQ(info.exit_code, 1) << info.name;
}

}  // namespace
}  // namespace strata
