// Data-driven cases from tests/data/yaml/ (see its README): each folder is a configuration tree,
// a target folder and the expected merged tree or the expected first error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml/yaml_stack_loader.h"
#include "tests/support/conformance.h"

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

TEST(YamlCases, EveryCaseFolder) {
  fs::path cases = fs::path(strata::testing::source_dir()) / "tests/data/yaml";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!entry.is_directory()) continue;
    const fs::path& dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    YamlLoadOptions options;
    const std::map<std::string, std::string> env;
    options.environment = &env;
    if (fs::exists(dir / "options")) {
      std::istringstream lines(read_trimmed(dir / "options"));
      for (std::string line; std::getline(lines, line);)
        if (line.rfind("list_merge=", 0) == 0)
          options.list_merge = parse_list_merge(line.substr(11));
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
    ++count;
  }
  EXPECT_GE(count, 6);
}

}  // namespace
}  // namespace strata::yaml
