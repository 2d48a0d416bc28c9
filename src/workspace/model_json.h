// The JSON shapes of the model that strata prints with --json and a server returns as API
// bodies: one rendering each, so the CLI and the API cannot drift apart. Sensitive values are
// always redacted here.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.h"
#include "model/project.h"
#include "model/plan_changes.h"
#include "resolve/component_resolver.h"
#include "workspace/describe.h"
#include "workspace/orphans.h"
#include "workspace/validate.h"

namespace strata::workspace {

// {"file", "line", "column"}, or null when unknown.
nlohmann::json origin_json(const Origin& origin);
// A Value with sensitive leaves replaced by "(sensitive)".
nlohmann::json value_json(const Value& value);

// `strata list`: a stack with its components, sources, dependencies and origins.
nlohmann::json stack_summary_json(const Stack& stack);
// `strata list --json`: {"root", "stacks": [stack_summary_json…]}.
nlohmann::json listing_json(const std::string& root, const std::vector<const Stack*>& stacks);
// `strata describe --json`: a stack's {"components": [component_preview_json…], "stack"} (no
// "stack" when one component was asked for), or a config folder's {"folder", "layers",
// "config"}; with `origins`, where every leaf came from ("origins", per component or folder).
nlohmann::json description_json(const Description& description, bool origins);
// `strata describe`: the stack's own settings (options, metadata, env, hooks…).
nlohmann::json stack_detail_json(const Stack& stack);
// `strata describe`: one component as previewed.
nlohmann::json component_preview_json(const ComponentPreview& preview);
// Every leaf path under `tree` ("a.b[0]") → "file:line:col" of the layer it came from, or null.
nlohmann::json leaf_origins_json(const Value& tree);

// `strata validate`: one problem.
nlohmann::json diagnostic_json(const Diagnostic& diagnostic);
// `strata validate --json`: {"ok", "root", "stacks", "components", "problems"}.
nlohmann::json validation_json(const ValidationReport& report, const Diagnostics& diagnostics,
                               const std::string& root);

// `strata state orphans --json`: {"name", "workdir", "state_files", "remote_backend"}.
nlohmann::json orphan_json(const StateOrphan& orphan);

// `strata show --json`: {"stack", "component", "plan_file", "plan"}.
nlohmann::json saved_plan_json(const ComponentRef& ref, const std::string& plan_file, const PlanChanges& plan);

}  // namespace strata::workspace
