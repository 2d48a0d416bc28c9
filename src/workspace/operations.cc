#include "workspace/operations.h"

#include "model/error.h"

#include "workspace/orphans.h"

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

SavedPlans saved_plans(const Workspace& ws, EngineRunner& engine, const std::vector<ComponentRef>& refs) {
  SavedPlans result;
  for (const auto& ref : refs) {
    try {
      result.found.emplace_back(ref, saved_plan(ws, engine, ref));
    } catch (const Error& e) {
      if (refs.size() == 1 || e.kind() == ErrorKind::kEngineFailed) throw;
      result.missing.push_back(ref.str());
    }
  }
  if (result.found.empty() && !refs.empty()) {
    const std::string& stack = refs.front().stack;
    throw Error("no saved plan in stack " + stack + ": none of its " + std::to_string(refs.size()) +
                    " components was planned here, or they were applied since",
                {}, "run `strata plan " + stack + "` first");
  }
  return result;
}

std::vector<std::string> orphan_warnings(const Workspace& ws, Operation op) {
  std::vector<std::string> warnings;
  if ((op != Operation::kPlan && op != Operation::kApply && op != Operation::kDestroy) || ws.set_aside_errors())
    return warnings;
  const std::set<std::string> declared = ws.declared_components();
  for (const auto& o : find_state_orphans(ws.project(), &declared)) warnings.push_back(describe_orphan(o));
  return warnings;
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
