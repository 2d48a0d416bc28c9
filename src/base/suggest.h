// "Did you mean …?": the one place strata picks the closest name to something a user mistyped
// (commands and flags, settings keys, stack and component names).
#pragma once

#include <string>
#include <vector>

namespace strata {

// The candidate closest to `word` by edit distance, if within max(2, len/3) edits (a candidate
// that starts with a word of 2+ characters counts as 1 edit); "" when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace strata
