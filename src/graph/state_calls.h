// Finds `state "STACK" "COMPONENT"` calls inside the {{ }} actions of a template string, so the
// graph can turn every cross-component read into an edge. This is the one place that knows the
// template syntax; it can be swapped for the template library's own scanner later.
#pragma once

#include <string>
#include <vector>

#include "model/origin.h"
#include "model/project.h"

namespace strata {

// Every `state` call with two string-literal arguments ("..." or `...`) found inside `{{ }}`
// actions of `text`, in order of appearance. Calls with non-literal arguments cannot be resolved
// before rendering and are not reported. Each result carries `origin` (the string's origin).
std::vector<ComponentRef> find_state_calls(const std::string& text, const Origin& origin);

}  // namespace strata
