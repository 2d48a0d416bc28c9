// Operations: what strata does with a loaded workspace — run an engine command over a selection,
// read a component's outputs, run any engine command in one component's workdir, clean workdirs.
// The CLI, the server and the worker call these, so each does exactly what `strata plan` does.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "execute/component_runner.h"
#include "execute/execution.h"
#include "workspace/workspace.h"

namespace strata::workspace {

// The engine for `op`: ws.make_engine(), except that `generate` (which runs no engine) gets a
// stand-in when none is installed, so it fails only if state() needs a dependency's outputs.
std::unique_ptr<Engine> engine_for(const Workspace& ws, Operation op);

// One engine command (or generation) over the request's selection; see execute/execution.h.
std::unique_ptr<Execution> prepare_execution(const Workspace& ws, EngineRunner& engine, ExecuteRequest request);

// A component's outputs, read from its state (`output -json`), never mock_outputs.
Value component_outputs(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref);

// What the plan `strata plan` last saved for `ref` will do (see ComponentRunner::saved_plan).
// Throws an Error when there is none.
ComponentRunner::SavedPlan saved_plan(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref);

// The saved plans of `refs`, for `strata show`. Asked for one, its error is the answer (none
// saved: what to run). Asked for several, those without one are named in `missing`, and an
// Error when none has one. An engine that cannot read a plan is an error either way.
struct SavedPlans {
  std::vector<std::pair<ComponentRef, ComponentRunner::SavedPlan>> found;
  std::vector<std::string> missing;  // "stack/component"
};
SavedPlans saved_plans(const Workspace& ws, EngineRunner& engine, const std::vector<ComponentRef>& refs);

// Before plan, apply or destroy: a warning for each workdir holding state that no declared
// component owns any more (workspace/orphans.h), which is never dropped silently. None for other
// operations, nor while a stack file failed to load (what it declares is then unknown).
std::vector<std::string> orphan_warnings(const Workspace& ws, Operation op);

// `strata run`: `args` as the whole engine command in the component's workdir, after
// generating it and running init when needed; every line the engine prints goes to `on_output`.
// `cancellation` interrupts or kills it.
NodeOutcome run_in_component(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref,
                             const std::vector<std::string>& args,
                             std::function<void(std::string_view line, bool is_stderr)> on_output,
                             Cancellation& cancellation);

// Removes the generated workdirs of `stacks` (every stack when empty), keeping state files.
// Throws an Error when another strata holds a workdir's lock.
struct CleanSummary {
  size_t removed = 0;               // files and folders
  std::vector<std::string> kept;    // "<work_dir>/<stack>/<component>/<file>", state files left
};
CleanSummary clean_stacks(const Workspace& ws, const std::vector<const Stack*>& stacks);

}  // namespace strata::workspace
