// Origin: where a value or a definition came from (file:line:col), so every error a user can
// cause can point at it.
#pragma once

#include <memory>
#include <string>

namespace strata {

struct Origin {
  // Shared and immutable: thousands of values come from one file, and copying the name into
  // each would dominate memory on large projects.
  std::shared_ptr<const std::string> file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown

  Origin() = default;
  Origin(std::string path, int line_no = 0, int col = 0);
  Origin(std::shared_ptr<const std::string> path, int line_no = 0, int col = 0)
      : file(std::move(path)), line(line_no), column(col) {}

  bool known() const { return file && !file->empty(); }
  const std::string& path() const;
  // "file:line:col", "file:line", "file", or "" when unknown.
  std::string str() const;
  Origin at(int line_no, int col) const { return Origin(file, line_no, col); }
};

}  // namespace strata
