// Durations as users write them on the command line, in Go's form (Terraform's -lock-timeout and
// strata's --lock-wait take the same words): "500ms", "30s", "5m", "1h30m", "1.5s"; a bare "0"
// is zero. Units: ms, s, m, h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

// The duration `text` names, or nullopt when it is not one (empty, no unit, a negative value,
// an unknown unit, or over a week).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The short form of `d` for messages: "0s", "250ms", "1.5s", "30s", "5m", "1h30m".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace strata
