// Go's fmt printing of template values: %v as fmt.Fprint prints it (what an action outputs),
// fmt.Sprint/Sprintln/Sprintf for print, println and printf, and strconv.Quote for %q.
#pragma once

#include <string>
#include <vector>

#include "template/val.h"

namespace strata::tpl {

// Appends v as Go's fmt prints it with %v ("[a b]", "map[k:v]", "1e+06", "<nil>").
void append_value(std::string& out, const Val& v);
std::string value_string(const Val& v);
// Go's %v for a float64: shortest digits, exponent form below 1e-4 and from 1e6 ("1e+06").
std::string format_float(double f);
// Go's strconv.Quote.
std::string go_quote(const std::string& s);

std::string go_sprint(const std::vector<Val>& args);
std::string go_sprintln(const std::vector<Val>& args);
std::string go_sprintf(const std::string& format, const std::vector<Val>& args);

}  // namespace strata::tpl
