// "Did you mean …?" for names a user mistyped in project files (settings keys, stack and
// component names).
#pragma once

#include <string>
#include <vector>

namespace strata::config {

// The closest candidate within a small edit distance, or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace strata::config
