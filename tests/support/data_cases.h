// Data-driven suites, one gtest test per case: lists the case files or folders of a data folder
// as DataCase values with a readable, unique test name ("06_komposconfig", "plan_noop_json"), so
// ctest shows each case by name and one failing case does not hide the others. Use with
// INSTANTIATE_TEST_SUITE_P(Cases, Suite, ::testing::ValuesIn(data_cases(...)), data_case_name);
// a folder that may be absent (conformance data) gives no cases, so pair the suite with
// GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST and a plain test that skips or fails saying so.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace strata::testing {

struct DataCase {
  std::string name;      // the test's name: letters, digits and '_'
  std::string path;      // the case's file or folder
  std::string relative;  // path below the data folder, for messages
};

// gtest prints a parameter with the test; the path says more than bytes.
inline void PrintTo(const DataCase& c, std::ostream* os) { *os << c.relative; }

// "06-komposconfig" -> "06_komposconfig"; "" -> "case".
inline std::string data_case_identifier(const std::string& text) {
  std::string n;
  for (char ch : text) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return n.empty() ? "case" : n;
}

// Every entry below `dir` that `wanted` accepts, sorted by path; `recursive` walks sub-folders.
// Names come from the path relative to `dir` (minus `strip_extension` when it ends so) and are
// made unique with a numeric suffix. No cases when `dir` does not exist.
inline std::vector<DataCase> data_cases(
    const std::string& dir, const std::function<bool(const std::filesystem::path&)>& wanted,
    bool recursive = false, const std::string& strip_extension = "") {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
      if (wanted(e.path())) paths.push_back(e.path());
  } else {
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (wanted(e.path())) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<DataCase> out;
  std::set<std::string> taken;
  for (const auto& p : paths) {
    std::string rel = p.lexically_relative(dir).generic_string();
    std::string stem = rel;
    if (!strip_extension.empty() && stem.size() > strip_extension.size() &&
        stem.ends_with(strip_extension))
      stem.resize(stem.size() - strip_extension.size());
    std::string name = data_case_identifier(stem);
    for (int i = 2; taken.count(name); ++i)
      name = data_case_identifier(stem) + "_" + std::to_string(i);
    taken.insert(name);
    out.push_back({name, p.string(), rel});
  }
  return out;
}

inline bool is_case_folder(const std::filesystem::path& p) {
  return std::filesystem::is_directory(p);
}

inline std::string data_case_name(const ::testing::TestParamInfo<DataCase>& info) {
  return info.param.name;
}

}  // namespace strata::testing
