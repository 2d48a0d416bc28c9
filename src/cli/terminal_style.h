// The ANSI styles strata's terminal views use (plan_view, run_view); written only when colour
// is on (globals.h decides).
#pragma once

namespace strata::cli::style {

inline constexpr const char* kReset = "\033[0m";
inline constexpr const char* kRed = "\033[31m";
inline constexpr const char* kGreen = "\033[32m";
inline constexpr const char* kYellow = "\033[33m";
inline constexpr const char* kCyan = "\033[36m";
inline constexpr const char* kBold = "\033[1m";
inline constexpr const char* kDim = "\033[2m";

}  // namespace strata::cli::style
