// Golden trees: a generated folder compared file by file, byte for byte, with a checked-in copy.
// STRATA_UPDATE_GOLDEN=1 rewrites the copy instead (review the diff before committing it).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "base/atomic_file.h"

namespace strata::testing {

using Tree = std::map<std::string, std::string>;

// Every file under `root` (relative path -> content) for which `keep` is true. Generation
// manifests record mtimes, which differ per run: they keep path, size and hash only.
inline Tree read_golden_tree(const std::string& root,
                             const std::function<bool(const std::string&)>& keep = nullptr) {
  Tree tree;
  if (!std::filesystem::is_directory(root)) return tree;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), root).string();
    if (keep && !keep(rel)) continue;
    std::string content = read_file(e.path().string());
    if (rel.ends_with(".strata-manifest")) {
      content = std::regex_replace(content, std::regex("\t[0-9]+\t([0-9a-f]+)\n"), "\t(mtime)\t$1\n");
    }
    tree[rel] = content;
  }
  return tree;
}

// Expects `actual` to equal the tree checked in at `golden` (or rewrites it, see above).
inline void expect_golden_tree(const Tree& actual, const std::string& golden) {
  if (std::getenv("STRATA_UPDATE_GOLDEN")) {
    std::filesystem::remove_all(golden);
    for (const auto& [rel, content] : actual) {
      std::filesystem::create_directories(std::filesystem::path(golden + "/" + rel).parent_path());
      write_file_atomic(golden + "/" + rel, content);
    }
  }
  const Tree expected = read_golden_tree(golden);
  EXPECT_FALSE(expected.empty()) << "no golden tree at " << golden;
  std::set<std::string> names;
  for (const auto& [k, _] : actual) names.insert(k);
  for (const auto& [k, _] : expected) names.insert(k);
  for (const auto& n : names) {
    auto a = actual.find(n), e = expected.find(n);
    EXPECT_TRUE(a != actual.end()) << "missing generated file " << n;
    EXPECT_TRUE(e != expected.end()) << "unexpected generated file " << n;
    if (a != actual.end() && e != expected.end()) {
      EXPECT_EQ(a->second, e->second) << "file " << n;
    }
  }
}

}  // namespace strata::testing
