#include "workspace/operations.h"

#include "generate/clean.h"

namespace strata::workspace {

std::unique_ptr<Engine> engine_for(const Workspace& ws, Operation op) {
  try {
    return ws.make_engine();
  } catch (const Error&) {
    // generate runs no engine; it needs one only to read outputs for state(), and says so then.
    if (op != Operation::kGenerate) throw;
    auto engine = std::make_unique<Engine>(EngineChoice{"tofu", "tofu", false, "PATH"}, "");
    engine->set_redactor(&ws.redactor());
    engine->set_environment(ws.environment());
    engine->set_supervisor(ws.engine_supervisor());
    return engine;
  }
}

std::unique_ptr<Execution> prepare_execution(const Workspace& ws, EngineRunner& engine, ExecuteRequest request) {
  return std::make_unique<Execution>(ws.project(), ws.environment(), engine, ws.secrets(), std::move(request));
}

Value component_outputs(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref) {
  ComponentRunOptions options;
  options.operation = Operation::kApply;  // real outputs only, never mocks
  options.env = ws.environment();
  ComponentRunner runner(ws.project(), engine, ws.secrets(), options);
  return runner.outputs(ComponentRef{ref.stack, ref.component, {}}, {});
}

ComponentRunner::SavedPlan saved_plan(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref) {
  ComponentRunOptions options;
  options.operation = Operation::kPlan;
  options.env = ws.environment();
  ComponentRunner runner(ws.project(), engine, ws.secrets(), options);
  return runner.saved_plan(ref);
}

NodeOutcome run_in_component(const Workspace& ws, EngineRunner& engine, const ComponentRef& ref,
                             const std::vector<std::string>& args,
                             std::function<void(std::string_view line, bool is_stderr)> on_output,
                             Cancellation& cancellation) {
  const Component* component = ws.project().find(ref);
  if (!component) throw Error("no component " + ref.str(), ref.origin, "`strata list` shows the components");
  ComponentRunOptions options;
  options.operation = Operation::kCustom;
  options.extra_args = args;
  options.env = ws.environment();
  options.on_output = [print = std::move(on_output)](const ComponentRef&, std::string_view line, bool is_stderr) {
    print(line, is_stderr);
  };
  ComponentRunner runner(ws.project(), engine, ws.secrets(), options);
  RunContext ctx(component->ref(), cancellation, [](RunEvent) {});
  return runner.run(component->ref(), ctx);
}

CleanSummary clean_stacks(const Workspace& ws, const std::vector<const Stack*>& stacks) {
  const Project& project = ws.project();
  std::string work_root = project.root + "/" + project.settings.work_dir;
  CleanSummary out;
  auto clean_stack = [&](const Stack& stack) {
    for (const auto& c : stack.components) {
      std::string display = stack.name + "/" + c.name;
      CleanResult r = clean_workdir(work_root + "/" + display, display);
      out.removed += r.removed.size();
      for (const auto& k : r.kept) out.kept.push_back(project.settings.work_dir + "/" + display + "/" + k);
    }
  };
  if (stacks.empty()) {
    for (const auto& [_, stack] : project.stacks) clean_stack(stack);
  } else {
    // In the project's order, each once, as before.
    for (const auto& [name, stack] : project.stacks)
      for (const Stack* s : stacks)
        if (s == &stack) {
          clean_stack(stack);
          break;
        }
  }
  return out;
}

}  // namespace strata::workspace
