// Finds ../shared/conformance for tests. STRATA_CONFORMANCE_DIR overrides the default
// (<source dir>/../shared/conformance). When the folder is missing a test skips with a message,
// except under CI=true, where a missing folder is a failure: CI must never skip conformance.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace strata::testing {

inline std::string source_dir() {
  const char* s = std::getenv("STRATA_SOURCE_DIR");
  return s ? s : std::filesystem::current_path().string();
}

inline std::string binary_dir() {
  const char* s = std::getenv("STRATA_BINARY_DIR");
  return s ? s : (source_dir() + "/build");
}

inline std::string conformance_dir() {
  if (const char* s = std::getenv("STRATA_CONFORMANCE_DIR")) return s;
  return source_dir() + "/../shared/conformance";
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace strata::testing

// Use at the top of a test that needs conformance data.
#define STRATA_REQUIRE_CONFORMANCE(dir_var)                                                  \
  const std::string dir_var = ::strata::testing::conformance_dir();                          \
  if (!std::filesystem::is_directory(dir_var)) {                                             \
    if (::strata::testing::in_ci()) FAIL() << "conformance folder missing in CI: " << dir_var; \
    GTEST_SKIP() << "conformance folder not found at " << dir_var                            \
                 << " (set STRATA_CONFORMANCE_DIR)";                                         \
  }
