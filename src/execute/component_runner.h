// ComponentRunner: runs one engine command for one component — the NodeRunner the scheduler
// drives in the real program. Per node: resolve templates (state() through this runner's own
// StateSource), lock the workdir, generate it, `init` when needed, run the command, and after an
// apply read the outputs so later nodes of the same run can use them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "secrets/secret_resolver.h"
#include "engine/engine.h"
#include "engine/plan_stream.h"
#include "execute/saved_plan.h"
#include "generate/workdir.h"
#include "model/plan_changes.h"
#include "model/project.h"
#include "resolve/component_resolver.h"
#include "resolve/state_source.h"
#include "run/node_runner.h"
#include "template/template.h"

namespace strata {

// kGenerate writes the workdir and runs no engine; kCustom runs `extra_args` as the whole
// engine command (strata run) and passes its output through.
enum class Operation { kGenerate, kInit, kPlan, kApply, kDestroy, kCustom };
const char* operation_name(Operation op);

struct ComponentRunOptions {
  Operation operation = Operation::kPlan;
  std::string run_id;
  std::string log_dir;  // <work_root>/.logs/<run_id>
  std::map<std::string, std::string> env;  // project-wide variables for every engine call
  std::vector<std::string> extra_args;     // passed through to the engine command
  // apply: whether the plans `strata plan` saved are applied (execute/saved_plan.h).
  SavedPlans saved_plans = SavedPlans::kUse;
  // apply: plans made elsewhere, by "stack/component", put in place of the saved ones before
  // the check (the same check: a plan made from other files or values is not applied).
  std::map<std::string, SavedPlanFiles> given_plans;
  // plan: each component's saved plan once it is made (a worker hands it to its server).
  std::function<void(const ComponentRef& node, const SavedPlanFiles& plan)> on_plan_saved;
  // kRequire: what a refusal says to do instead of the CLI's "run `strata plan …`" ("" = that).
  std::string replan_hint;
  // Who holds the state lock of `node` when its engine could not take it ("alice@laptop
  // (OperationTypeApply since …, lock …)"), from whoever keeps the state (a strata server);
  // nullopt = unknown. Terraform 1.11.4 names its own request instead of the holder.
  std::function<std::optional<std::string>(const ComponentRef& node)> lock_holder;
  // How long to wait for a workdir another strata holds (--lock-wait); 0 fails at once.
  std::chrono::milliseconds lock_wait{0};
  // kCustom: every line the engine prints, and the component that printed it.
  std::function<void(const ComponentRef& node, std::string_view line, bool is_stderr)> on_output;
  // Where a dependency's outputs come from when it is not part of this run: its state's outputs
  // (an empty map when it has no state yet), instead of generating and initialising its workdir
  // to ask the engine. A worker sets it: its control plane holds every state. nullopt = ask the
  // engine after all. Unset = always the engine.
  std::function<std::optional<Value>(const ComponentRef& dependency)> dependency_outputs;
};

class ComponentRunner : public NodeRunner, public StateSource {
 public:
  ComponentRunner(const Project& project, EngineRunner& engine, SecretResolver* secrets, ComponentRunOptions options);

  NodeOutcome run(const ComponentRef& node, RunContext& ctx) override;
  // state(): outputs produced earlier in this run; else `output -json` in the dependency's
  // workdir (once per run); else its mock_outputs when only planning; else an error saying
  // what to run first.
  Value outputs(const ComponentRef& ref, const Origin& where) override;
  // What the plan the last `strata plan` saved for `ref` will do (`show -json` of the plan file,
  // sensitive values masked, variables never read), and the plan file's path relative to the
  // project root. Throws an Error when there is no saved plan (never planned, or applied since).
  struct SavedPlan {
    PlanChanges changes;
    std::string path;
  };
  SavedPlan saved_plan(const ComponentRef& ref);
  // What the stamp of ref's saved plan says (when it was made, its changes as the summary showed
  // them), without running the engine; nullopt when there is no saved plan or no stamp.
  std::optional<PlanStamp> saved_plan_stamp(const ComponentRef& ref);

 private:
  // True when TF_DATA_DIR is set for engine runs (init then keeps its folder elsewhere).
  bool data_dir_elsewhere() const;
  NodeOutcome run_locked(const Component& component, RunContext& ctx);
  // Runs the engine with Ctrl-C forwarding from the run's cancellation.
  // `outputs`, when given, receives the last `outputs` message of the UI stream; `plan`, when
  // given, every planned change and output action.
  EngineResponse run_engine(const EngineRequest& request, RunContext* ctx,
                            std::optional<std::map<std::string, UiOutput>>* outputs = nullptr,
                            PlanStream* plan = nullptr);
  Value read_outputs(const ComponentRef& ref, const std::string& run_dir);
  // `show -json` of ref's saved plan, run as `req` says (cwd, env, log): the changes, masked.
  PlanChanges show_plan(EngineRequest req, const ComponentRef& ref, const Origin& where, RunContext* ctx);
  // Generates and initialises a dependency's workdir so its state can be read; returns its run dir.
  std::string prepare_dependency(const Component& component);

  const Project& project_;
  EngineRunner& engine_;
  SecretResolver* secrets_;
  ComponentRunOptions options_;
  std::recursive_mutex read_mutex_;  // one dependency's outputs read at a time
  std::mutex mutex_;  // guards the maps below
  std::map<std::string, Value> outputs_;  // by "stack/component"
  std::map<std::string, std::string> run_dirs_;
  ModuleCache modules_;
  tpl::TemplateCache templates_;
  ComponentResolver resolver_;  // shared by the worker threads (one copy of the env, one cache)
};

// What a successful init depended on, as two fingerprints of the run dir's *.tf and *.tf.json
// files: `selective` covers what init reads (the backend, provider requirements, module sources:
// lines naming a source, version, backend or required_providers; backend.tf.json whole); `full`
// covers every byte, for a module whose init made no .terraform folder (no backend, providers
// or modules), where any new block (a provider, a data source) may need init after all.
struct InitStamp {
  std::string selective;
  std::string full;
};

// True when `init` must run in run_dir: no .terraform/, or the backend, provider requirements or
// module sources changed since the last successful init (any file, when init made no
// .terraform). `stamp` receives the new stamp.
bool init_needed(const std::string& run_dir, InitStamp* stamp);
// Records a successful init of run_dir (see component_runner.cc for the no-.terraform case).
// `data_dir_elsewhere`: TF_DATA_DIR is set for the engine.
void write_init_stamp(const std::string& run_dir, const InitStamp& stamp, bool data_dir_elsewhere);

}  // namespace strata
