// Go time layouts ("2006-01-02 15:04:05") for sprig's now/date, in the local time zone as Go's
// time.Local uses it.
#pragma once

#include <cstdint>
#include <string>

namespace strata::tpl {

inline constexpr const char* kGoTimeStringLayout = "2006-01-02 15:04:05.999999999 -0700 MST";

std::string format_go_time(int64_t unix_nanos, const std::string& layout);
int64_t now_unix_nanos();

}  // namespace strata::tpl
