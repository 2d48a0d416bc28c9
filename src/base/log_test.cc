#include "base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(Redactor, ReplacesPlainSecretEverywhere) {
  Redactor r;
  r.add_secret("hunter2");
  EXPECT_EQ(r.redact("password=hunter2; again hunter2!"),
            "password=(sensitive); again (sensitive)!");
  EXPECT_EQ(r.redact("nothing here"), "nothing here");
}

TEST(Redactor, ReplacesJsonEscapedForm) {
  Redactor r;
  r.add_secret("p\"a\\ss\nword");
  // As it appears inside engine -json output.
  EXPECT_EQ(r.redact(R"j({"value":"p\"a\\ss\nword"})j"), R"j({"value":"(sensitive)"})j");
  // And unescaped, in plain text output.
  EXPECT_EQ(r.redact("x p\"a\\ss\nword y"), "x (sensitive) y");
}

TEST(Redactor, ReplacesGoHtmlEscapedForm) {
  // Terraform writes JSON with Go's encoding/json, which escapes <, > and &.
  Redactor r;
  r.add_secret("a<b>&c");
  EXPECT_EQ(r.redact(R"j({"v":"a\u003cb\u003e\u0026c"})j"), R"j({"v":"(sensitive)"})j");
  EXPECT_EQ(r.redact("a<b>&c"), "(sensitive)");
}

TEST(Redactor, IgnoresEmptySecret) {
  Redactor r;
  r.add_secret("");
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.redact("any text at all"), "any text at all");
  EXPECT_EQ(r.redact(""), "");
}

TEST(Redactor, LongestSecretWinsAndReplacementIsNotRescanned) {
  Redactor r;
  r.add_secret("abc");
  r.add_secret("abcdef");
  r.add_secret("sensitive");
  EXPECT_EQ(r.redact("xabcdefx abcx"), "x(sensitive)x (sensitive)x");
  EXPECT_EQ(r.redact("sensitive"), "(sensitive)");
}

TEST(Redactor, SafeWhileSecretsAreAddedConcurrently) {
  Redactor r;
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) r.add_secret("secret-" + std::to_string(i));
  });
  for (int i = 0; i < 200; ++i) {
    std::string out = r.redact("value secret-0 end");
    EXPECT_TRUE(out == "value secret-0 end" || out == "value (sensitive) end") << out;
  }
  writer.join();
  EXPECT_EQ(r.redact("secret-199"), "(sensitive)");
}

TEST(JsonEscape, MatchesCommonEncoders) {
  EXPECT_EQ(json_escape("a\"b\\c\n\t\x01"), "a\\\"b\\\\c\\n\\t\\u0001");
  EXPECT_EQ(json_escape("<&>"), "<&>");
  EXPECT_EQ(json_escape("<&>", true), "\\u003c\\u0026\\u003e");
  EXPECT_EQ(json_escape("h\xc3\xa9"), "h\xc3\xa9");
}

struct Captured {
  std::vector<std::pair<LogLevel, std::string>> lines;
  LogSink sink() {
    return [this](LogLevel level, std::string_view line) { lines.emplace_back(level, line); };
  }
};

TEST(Logger, EveryLineIsRedacted) {
  Redactor r;
  Captured c;
  Logger log(c.sink(), LogLevel::kInfo, &r);
  log.info("token is s3cr3t");
  r.add_secret("s3cr3t");  // learned later, as the secrets code resolves references
  log.info("token is s3cr3t");
  log.error("first s3cr3t\nsecond \"s3cr3t\"\n");
  ASSERT_EQ(c.lines.size(), 4u);
  EXPECT_EQ(c.lines[0].second, "token is s3cr3t");
  EXPECT_EQ(c.lines[1].second, "token is (sensitive)");
  EXPECT_EQ(c.lines[2].first, LogLevel::kError);
  EXPECT_EQ(c.lines[2].second, "first (sensitive)");
  EXPECT_EQ(c.lines[3].second, "second \"(sensitive)\"");
}

TEST(Logger, SecretSpanningLinesIsRedactedBeforeSplitting) {
  Redactor r;
  r.add_secret("line1\nline2");
  Captured c;
  Logger log(c.sink(), LogLevel::kInfo, &r);
  log.info("key: line1\nline2 end");
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].second, "key: (sensitive) end");
}

TEST(Logger, FiltersByLevel) {
  Captured c;
  Logger log(c.sink(), LogLevel::kWarning);
  log.debug("d");
  log.info("i");
  log.warning("w");
  log.error("e");
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_EQ(c.lines[0].second, "w");
  EXPECT_EQ(c.lines[1].second, "e");
  EXPECT_FALSE(log.enabled(LogLevel::kInfo));
  EXPECT_EQ(log_level_name(LogLevel::kWarning), "warning");
}

TEST(Logger, ConcurrentLinesDoNotInterleave) {
  std::vector<std::string> lines;
  Logger log([&](LogLevel, std::string_view line) { lines.emplace_back(line); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 500; ++i) log.info("thread " + std::to_string(t) + " line");
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(lines.size(), 2000u);
  for (const auto& l : lines) EXPECT_EQ(l.size(), std::string("thread 0 line").size()) << l;
}

}  // namespace
}  // namespace strata
