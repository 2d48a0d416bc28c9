// Where print() and console.log/warn/error from stack files go: a sink, never stdout.
#pragma once

#include <functional>
#include <string>

#include "model/origin.h"

namespace strata::js {

enum class LogLevel { kInfo, kWarning, kError };

// Called for every print()/console.* line, with the position of the call.
using LogSink = std::function<void(LogLevel level, const std::string& text, const Origin& where)>;

}  // namespace strata::js
