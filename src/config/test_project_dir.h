// A temporary project folder for config tests: write files by relative path, removed at the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace strata::config {

class TestProjectDir {
 public:
  TestProjectDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "strata-config-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TestProjectDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestProjectDir(const TestProjectDir&) = delete;
  TestProjectDir& operator=(const TestProjectDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& rel) const { return path_ + "/" + rel; }
  void write(const std::string& rel, const std::string& text) const {
    auto p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::string path_;
};

}  // namespace strata::config
