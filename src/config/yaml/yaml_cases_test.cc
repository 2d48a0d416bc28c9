// Data-driven cases from tests/data/yaml/ (see its README): each folder is a configuration tree,
// a target folder and the expected merged tree or the expected first error; each is a test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml/yaml_stack_loader.h"
#include "tests/support/conformance.h"
#include "tests/support/data_cases.h"

namespace strata::yaml {
namespace {

namespace fs = std::filesystem;

std::string read_trimmed(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

fs::path cases_dir() { return fs::path(strata::testing::source_dir()) / "tests/data/yaml"; }

TEST(YamlCases, TheCaseFolderHoldsCases) {
  ASSERT_TRUE(fs::is_directory(cases_dir())) << cases_dir();
  EXPECT_GE(strata::testing::data_cases(cases_dir(), strata::testing::is_case_folder).size(), 25u);
}

// One test per folder: Cases/YamlCase.MergesAsExpected/<folder>.
class YamlCase : public ::testing::TestWithParam<strata::testing::DataCase> {};

TEST_P(YamlCase, MergesAsExpected) {
  const fs::path dir = GetParam().path;
  ASSERT_TRUE(fs::exists(dir / "expected_error") || fs::exists(dir / "expected.json"))
      << "case " << GetParam().relative << " has neither expected.json nor expected_error";
  YamlLoadOptions options;
  std::map<std::string, std::string> env;
  options.environment = &env;
  if (fs::exists(dir / "options")) {
    std::istringstream lines(read_trimmed(dir / "options"));
    for (std::string line; std::getline(lines, line);) {
      size_t eq = line.find('=');
      std::string name = line.substr(0, eq), value = line.substr(eq + 1);
      if (name == "list_merge") {
        options.list_merge = parse_list_merge(value);
        ASSERT_TRUE(options.list_merge) << line;
      } else if (name == "env") {
        size_t at = value.find('=');
        env[value.substr(0, at)] = value.substr(at + 1);
      } else if (name == "exclude") {
        options.exclude.push_back(value);
      } else if (name == "filter") {
        options.filter.push_back(value);
      } else {
        FAIL() << "unknown option line: " << line;
      }
    }
  }
  Diagnostics d;
  Value v =
      resolve_folder(dir.string(), "tree", "tree/" + read_trimmed(dir / "target"), options, d);
  if (fs::exists(dir / "expected_error")) {
    ASSERT_FALSE(d.empty()) << "expected an error";
    const Diagnostic& first = d.items()[0];
    EXPECT_EQ(first.origin.str() + ": " + first.message, read_trimmed(dir / "expected_error"));
  } else {
    ASSERT_TRUE(d.empty()) << d.items()[0].render();
    EXPECT_EQ(to_json_text(v, -1), read_trimmed(dir / "expected.json"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, YamlCase,
    ::testing::ValuesIn(strata::testing::data_cases(cases_dir(), strata::testing::is_case_folder)),
    strata::testing::data_case_name);

}  // namespace
}  // namespace strata::yaml
