// Reads the document `output -json` prints: a map of output name -> {sensitive, type, value}.
// The result is what state() references resolve against.
#pragma once

#include <map>
#include <string>

#include "model/origin.h"
#include "model/value.h"

namespace strata {

struct EngineOutput {
  Value value;  // marked sensitive (Value::sensitive) when the engine says so
  Value type;   // the engine's type constraint in JSON form, e.g. "string" or ["list","string"]
  bool sensitive = false;
};

// Parses the whole `output -json` document. `origin` names where the text came from (a log file
// or the workdir) for errors. Throws strata::Error when the text is not that document.
std::map<std::string, EngineOutput> parse_output_json(const std::string& text,
                                                      const Origin& origin = {});

// The same, from the document already parsed (a state file's `outputs` has this shape too).
std::map<std::string, EngineOutput> outputs_from_json(Value doc, const Origin& origin = {});

// The values alone, as one map Value (name -> value), sensitive ones marked.
Value output_values(const std::map<std::string, EngineOutput>& outputs);

}  // namespace strata
