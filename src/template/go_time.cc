#include "template/go_time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace strata::tpl {

namespace {

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

std::string num(int v, int width, char fill = '0') {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s = fill + s;
  return s;
}

bool starts(const std::string& s, size_t i, const char* p) { return s.compare(i, std::char_traits<char>::length(p), p) == 0; }

}  // namespace

int64_t now_unix_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_go_time(int64_t unix_nanos, const std::string& layout) {
  int64_t secs = unix_nanos / 1000000000;
  int64_t nanos = unix_nanos % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&t, &tm);
  long off = tm.tm_gmtoff;
  auto zone = [&](bool colon, bool z, bool secs_too) {
    if (z && off == 0) return std::string("Z");
    long a = off < 0 ? -off : off;
    std::string s = off < 0 ? "-" : "+";
    s += num(static_cast<int>(a / 3600), 2);
    if (colon) s += ":";
    s += num(static_cast<int>(a / 60 % 60), 2);
    if (secs_too) s += (colon ? ":" : "") + num(static_cast<int>(a % 60), 2);
    return s;
  };
  std::string out;
  size_t i = 0;
  while (i < layout.size()) {
    if (starts(layout, i, "January")) { out += kMonths[tm.tm_mon]; i += 7; }
    else if (starts(layout, i, "Jan")) { out += std::string(kMonths[tm.tm_mon]).substr(0, 3); i += 3; }
    else if (starts(layout, i, "Monday")) { out += kDays[tm.tm_wday]; i += 6; }
    else if (starts(layout, i, "Mon")) { out += std::string(kDays[tm.tm_wday]).substr(0, 3); i += 3; }
    else if (starts(layout, i, "MST")) { out += tm.tm_zone ? tm.tm_zone : "UTC"; i += 3; }
    else if (starts(layout, i, "2006")) { out += num(tm.tm_year + 1900, 4); i += 4; }
    else if (starts(layout, i, "01")) { out += num(tm.tm_mon + 1, 2); i += 2; }
    else if (starts(layout, i, "02")) { out += num(tm.tm_mday, 2); i += 2; }
    else if (starts(layout, i, "_2")) { out += num(tm.tm_mday, 2, ' '); i += 2; }
    else if (starts(layout, i, "002")) { out += num(tm.tm_yday + 1, 3); i += 3; }
    else if (starts(layout, i, "06")) { out += num((tm.tm_year + 1900) % 100, 2); i += 2; }
    else if (starts(layout, i, "15")) { out += num(tm.tm_hour, 2); i += 2; }
    else if (starts(layout, i, "03")) { out += num(tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12, 2); i += 2; }
    else if (starts(layout, i, "04")) { out += num(tm.tm_min, 2); i += 2; }
    else if (starts(layout, i, "05")) { out += num(tm.tm_sec, 2); i += 2; }
    else if (starts(layout, i, "PM")) { out += tm.tm_hour >= 12 ? "PM" : "AM"; i += 2; }
    else if (starts(layout, i, "pm")) { out += tm.tm_hour >= 12 ? "pm" : "am"; i += 2; }
    else if (starts(layout, i, "-07:00:00")) { out += zone(true, false, true); i += 9; }
    else if (starts(layout, i, "-0700")) { out += zone(false, false, false); i += 5; }
    else if (starts(layout, i, "-07:00")) { out += zone(true, false, false); i += 6; }
    else if (starts(layout, i, "-07")) { out += zone(false, false, false).substr(0, 3); i += 3; }
    else if (starts(layout, i, "Z07:00")) { out += zone(true, true, false); i += 6; }
    else if (starts(layout, i, "Z0700")) { out += zone(false, true, false); i += 5; }
    else if ((starts(layout, i, ".0") || starts(layout, i, ".9") || starts(layout, i, ",0") ||
              starts(layout, i, ",9")) && layout.size() > i + 1) {
      char d = layout[i + 1];
      size_t j = i + 1;
      while (j < layout.size() && layout[j] == d) ++j;
      if (j < layout.size() && layout[j] >= '0' && layout[j] <= '9') {
        out += layout[i];
        ++i;
        continue;
      }
      size_t n = j - i - 1;
      std::string frac = num(static_cast<int>(nanos), 9).substr(0, n > 9 ? 9 : n);
      if (d == '9') {
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (!frac.empty()) out += layout[i] + frac;
      } else {
        out += layout[i] + frac;
      }
      i = j;
    }
    else if (starts(layout, i, "1")) { out += std::to_string(tm.tm_mon + 1); i += 1; }
    else if (starts(layout, i, "2")) { out += std::to_string(tm.tm_mday); i += 1; }
    else if (starts(layout, i, "3")) { out += std::to_string(tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12); i += 1; }
    else if (starts(layout, i, "4")) { out += std::to_string(tm.tm_min); i += 1; }
    else if (starts(layout, i, "5")) { out += std::to_string(tm.tm_sec); i += 1; }
    else { out += layout[i]; ++i; }
  }
  return out;
}

}  // namespace strata::tpl
