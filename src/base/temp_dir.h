// TempDir: a fresh private directory (mkdtemp) that is removed with everything in it when the
// object goes away. Tests build their fixtures in one; code that needs scratch space can too.
#pragma once

#include <string>
#include <string_view>

namespace strata {

class TempDir {
 public:
  // Creates "$TMPDIR/<prefix>.XXXXXX" (TMPDIR defaults to /tmp). Throws strata::Error on failure.
  explicit TempDir(std::string_view prefix = "strata");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute path, without a trailing slash. Empty after being moved from.
  const std::string& path() const { return path_; }
  // path() + "/" + relative.
  std::string file(std::string_view relative) const;

 private:
  void remove() noexcept;

  std::string path_;
};

}  // namespace strata
