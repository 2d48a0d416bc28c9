#include "execute/component_runner.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <cstdlib>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "base/atomic_file.h"
#include "base/duration.h"
#include "base/file_lock.h"
#include "base/fnv.h"
#include "base/log.h"
#include "base/subprocess.h"
#include "engine/local_state.h"
#include "engine/output_json.h"
#include "engine/plan_json.h"
#include "model/error.h"
#include "model/module_source.h"
#include "resolve/component_resolver.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

const char kInitStamp[] = ".strata-init-stamp";
const char kNoEngineDir[] = " (init made no .terraform)";
const char kLockFile[] = ".strata.lock";

// `path` relative to the project root, for messages. Lexical: fs::relative resolves symlinks with
// a readlink per path component, which was most of the system calls of a large generate.
std::string relative_to(const std::string& path, const std::string& root) {
  std::string rel = fs::path(path).lexically_relative(root).string();
  return rel.empty() ? path : rel;
}

// Runs a stack's hook commands for one phase ("pre_plan", ...) through /bin/sh in the run dir,
// one after the other, appending each command and its output to the node's log. Returns "" when
// all succeeded, else what failed (the log has its output).
std::string run_hooks(const std::vector<std::string>& commands, const std::string& phase, const std::string& run_dir,
                      const std::map<std::string, std::string>& env, const std::string& log_path,
                      const EngineRunner& engine, RunContext& ctx) {
  const Redactor* redactor = engine.redactor();
  for (const auto& command : commands) {
    if (ctx.interrupted()) return phase + " hook not run: the run was interrupted";
    ctx.phase(phase + ": " + command);
    std::ofstream log;
    if (!log_path.empty()) {
      fs::create_directories(fs::path(log_path).parent_path());
      log.open(log_path, std::ios::app);
      log << "$ " << command << "    (" << phase << " hook)\n";
    }
    auto to_log = [&](std::string_view line) {
      std::string text = redactor ? redactor->redact(line) : std::string(line);
      if (log.is_open()) log << text << "\n";
      ctx.log_line(text);
    };
    SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", command};
    o.cwd = run_dir;
    engine.apply_environment(o, env);  // the engine's environment: the workspace's, not strata's
    o.on_stdout_line = to_log;
    o.on_stderr_line = to_log;
    Subprocess process(std::move(o));
    SubprocessResult r = process.run();
    if (log.is_open()) log << "(" << r.describe() << ")\n";
    if (!r.success()) return phase + " hook `" + command + "` failed: " + r.describe();
  }
  return "";
}

std::string first_error(const EngineResponse& r) {
  for (const auto& d : r.diagnostics)
    if (d.is_error()) return d.str();
  if (!r.error_text.empty()) return r.error_text;
  return r.last_message;
}

// Forwards the run's cancellation to the engine process while it runs: the first Ctrl-C sends
// SIGINT to its process group (so it can release state locks), the second SIGKILL. No thread of
// its own: the raise reaches it through a listener, so finishing an engine call costs nothing
// (a polling thread here used to add up to 100 ms after every engine call).
class CancelForwarder {
 public:
  explicit CancelForwarder(const Cancellation& c)
      : cancellation_(c), listener_(c.add_listener([this](Cancellation::Level now) {
          std::lock_guard<std::mutex> lock(mutex_);
          if (process_) apply(now, process_);
        })) {}
  ~CancelForwarder() { cancellation_.remove_listener(listener_); }
  CancelForwarder(const CancelForwarder&) = delete;
  CancelForwarder& operator=(const CancelForwarder&) = delete;

  void watch(Subprocess* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    process_ = p;
    // A Ctrl-C before the engine started still reaches it.
    if (p) apply(cancellation_.level(), p);
  }

 private:
  void apply(Cancellation::Level now, Subprocess* p) {
    if (now >= Cancellation::Level::kInterrupt && sent_ < Cancellation::Level::kInterrupt) p->interrupt();
    if (now >= Cancellation::Level::kKill && sent_ < Cancellation::Level::kKill) p->kill();
    if (now > sent_) sent_ = now;
  }

  const Cancellation& cancellation_;
  std::mutex mutex_;
  Subprocess* process_ = nullptr;
  Cancellation::Level sent_ = Cancellation::Level::kNone;
  int listener_;
};

constexpr const char* kPlanDir = ".strata-plans";

// Where `plan` saves a component's plan, relative to its run dir.
std::string plan_file_path(const ComponentRef& ref) {
  std::string name = ref.stack + "-" + ref.component + ".planfile";
  std::replace(name.begin(), name.end(), '/', '_');
  return std::string(kPlanDir) + "/" + name;
}

// Where `plan` records what the saved plan was made from (execute/saved_plan.h), beside it.
std::string plan_stamp_path(const ComponentRef& ref) {
  std::string path = plan_file_path(ref);
  return path.substr(0, path.size() - std::string(".planfile").size()) + ".stamp";
}

// Now: 2026-12-06 03:10:02 (UTC).
std::string utc_now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// Creates `dir` if needed and makes it 0700 (also when an older strata made it 0755).
void make_private_dir(const std::string& dir) {
  fs::create_directories(dir);
  if (::chmod(dir.c_str(), 0700) != 0) {
    int err = errno;
    throw Error(ErrorKind::kEnvironment, "cannot make " + dir + " private: " + std::strerror(err));
  }
}

// Removes the component's saved plan (or only the *.planfile an older strata kept beside the
// module, with `legacy_only`).
void remove_plan_files(const std::string& run_dir, const ComponentRef& ref, bool legacy_only) {
  std::error_code ec;
  if (!legacy_only) {
    fs::remove(run_dir + "/" + plan_file_path(ref), ec);
    fs::remove(run_dir + "/" + plan_stamp_path(ref), ec);
  }
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    if (e.path().extension() == ".planfile") fs::remove(e.path(), ec);
  }
}

// Where the engine runs for `component`: its workdir, or the module's subfolder inside it.
std::string component_run_dir(const Project& project, const Component& component) {
  std::string run_dir = project.root + "/" + project.settings.work_dir + "/" + component.stack + "/" + component.name;
  if (std::string sub = split_module_source(component.source).subdir; !sub.empty()) run_dir += "/" + sub;
  return run_dir;
}

// Strata's secrets masked in a plan's texts too: a secret the engine does not know is sensitive
// (passed to a variable not marked so) is still a secret.
void redact_plan(PlanChanges& plan, const Redactor* redactor) {
  if (!redactor) return;
  auto redact = [&](std::optional<std::string>& text) {
    if (text) text = redactor->redact(*text);
  };
  for (auto& r : plan.resources) {
    for (auto& a : r.attributes) {
      a.path = redactor->redact(a.path);
      redact(a.before);
      redact(a.after);
    }
    r.address = redactor->redact(r.address);
  }
  for (auto& o : plan.outputs) {
    redact(o.before);
    redact(o.after);
  }
}

}  // namespace

const char* operation_name(Operation op) {
  switch (op) {
    case Operation::kGenerate: return "generate";
    case Operation::kInit: return "init";
    case Operation::kPlan: return "plan";
    case Operation::kApply: return "apply";
    case Operation::kDestroy: return "destroy";
    case Operation::kCustom: return "run";
  }
  return "?";
}

// True when `workdir` holds nothing but its lock file.
bool holds_only_the_lock(const std::string& workdir) {
  std::error_code ec;
  fs::directory_iterator it(workdir, ec), end;
  for (; !ec && it != end; it.increment(ec))
    if (it->path().filename() != kLockFile) return false;
  return !ec;
}

InitStamp init_stamp(const std::string& run_dir) {
  uint64_t h = fnv1a("strata-init-v1"), all = fnv1a("strata-init-full-v1");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(run_dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::string name = p.filename().string();
    bool tf = name.size() > 3 && (name.ends_with(".tf") || name.ends_with(".tf.json"));
    if (!tf) continue;
    std::string text = read_file(p.string());
    h = fnv1a(name, h);
    all = fnv1a(text, fnv1a(name, all));
    if (name == "backend.tf.json") {
      h = fnv1a(text, h);
      continue;
    }
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      if (line.find("source") != std::string_view::npos || line.find("version") != std::string_view::npos ||
          line.find("backend") != std::string_view::npos || line.find("required_providers") != std::string_view::npos) {
        h = fnv1a(line, h);
      }
      start = nl + 1;
    }
  }
  return {std::to_string(h), std::to_string(all)};
}

// The stamp file of the last successful init in `run_dir`, if what init set up is still there:
// .terraform, unless the stamp says init made none.
std::optional<std::string> init_done(const std::string& run_dir) {
  std::optional<std::string> stamp;
  try {
    stamp = read_file_if_exists(run_dir + "/" + kInitStamp);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!stamp) return std::nullopt;
  if (stamp->ends_with(kNoEngineDir)) return stamp;
  std::error_code ec;
  if (!fs::is_directory(run_dir + "/.terraform", ec)) return std::nullopt;
  return stamp;
}

bool init_needed(const std::string& run_dir, InitStamp* stamp) {
  *stamp = init_stamp(run_dir);
  std::optional<std::string> done = init_done(run_dir);
  if (!done) return true;
  if (done->ends_with(kNoEngineDir)) return *done != stamp->full + kNoEngineDir;
  return *done != stamp->selective;
}

// Records a successful init. A module with no backend, providers or modules gets no .terraform
// folder from init; the stamp then says so (with the full fingerprint), so that such a workdir
// counts as initialised without one until any of its files changes. Not with TF_DATA_DIR set
// (init's folder is elsewhere then, and strata cannot tell what it holds).
void write_init_stamp(const std::string& run_dir, const InitStamp& stamp, bool data_dir_elsewhere) {
  std::error_code ec;
  bool engine_dir = fs::is_directory(run_dir + "/.terraform", ec);
  if (!engine_dir && data_dir_elsewhere) return;
  write_file_atomic(run_dir + "/" + kInitStamp, engine_dir ? stamp.selective : stamp.full + kNoEngineDir, 0644,
                    Durability::kRenameOnly);
}

ComponentRunner::ComponentRunner(const Project& project, EngineRunner& engine, SecretResolver* secrets,
                                 ComponentRunOptions options)
    : project_(project), engine_(engine), secrets_(secrets), options_(std::move(options)),
      resolver_(project_, *this, secrets_, options_.env, &templates_) {}

bool ComponentRunner::data_dir_elsewhere() const {
  auto dir = engine_.variable("TF_DATA_DIR", options_.env);
  return dir && !dir->empty();
}

EngineResponse ComponentRunner::run_engine(const EngineRequest& request, RunContext* ctx,
                                           std::optional<std::map<std::string, UiOutput>>* outputs,
                                           PlanStream* plan) {
  if (!ctx) return engine_.run(request, nullptr, nullptr);
  CancelForwarder forwarder(ctx->cancellation());
  EngineRequest watched = request;
  watched.on_notice = [ctx](const std::string& message) { ctx->phase(message); };
  return engine_.run(
      watched,
      [ctx, outputs, plan](const UiEvent& e) {
        if (outputs && e.type == UiEventType::kOutputs) *outputs = e.outputs;
        if (plan) plan->add(e);
        if (e.type == UiEventType::kVersion || e.message.empty()) return;
        ctx->log_line(e.message);
      },
      [&forwarder](Subprocess* p) { forwarder.watch(p); });
}

Value ComponentRunner::read_outputs(const ComponentRef& ref, const std::string& run_dir) {
  // A local state is read directly when that is exactly what the engine would answer: one engine
  // call less per dependency (40 ms and more with Terraform).
  const Stack* stack = project_.find_stack(ref.stack);
  auto variable = [&](const std::string& name) -> std::optional<std::string> {
    if (stack) {
      auto it = stack->env.find(name);
      if (it != stack->env.end()) return it->second;
    }
    return engine_.variable(name, options_.env);
  };
  if (std::optional<std::map<std::string, EngineOutput>> local = read_local_state_outputs(run_dir, variable))
    return output_values(*local);
  EngineRequest req;
  req.args = {"output", "-no-color", "-json"};
  req.cwd = run_dir;
  req.env = options_.env;
  req.capture_stdout = true;
  if (!options_.log_dir.empty()) req.log_path = options_.log_dir + "/" + ref.stack + "/" + ref.component + ".outputs.log";
  EngineResponse r = run_engine(req, nullptr);
  if (!r.success()) {
    throw Error(ErrorKind::kEngineFailed,
                "could not read the outputs of " + ref.str() + ": " + first_error(r), ref.origin,
                "see " + req.log_path);
  }
  return output_values(parse_output_json(r.stdout_text, Origin(run_dir)));
}

PlanChanges ComponentRunner::show_plan(EngineRequest req, const ComponentRef& ref, const Origin& where,
                                       RunContext* ctx) {
  req.args = {"show", "-json", "-no-color", plan_file_path(ref)};
  req.capture_stdout = true;  // the plan's JSON holds variable values in clear: never logged
  req.json_stream = false;
  req.memory_files.clear();
  EngineResponse r = run_engine(req, ctx);
  if (!r.success()) {
    throw Error(ErrorKind::kEngineFailed, "could not read the saved plan of " + ref.str() + ": " + first_error(r),
                where, req.log_path.empty() ? "" : "see " + req.log_path);
  }
  PlanChanges changes = parse_plan_json(r.stdout_text, where).changes;
  redact_plan(changes, engine_.redactor());
  return changes;
}

ComponentRunner::SavedPlan ComponentRunner::saved_plan(const ComponentRef& ref) {
  const Component* component = project_.find(ref);
  if (!component) throw Error("no component " + ref.str(), ref.origin, "`strata list` shows the components");
  std::string run_dir = component_run_dir(project_, *component);
  SavedPlan saved;
  const std::string plan_file = run_dir + "/" + plan_file_path(ref);
  saved.path = fs::relative(plan_file, project_.root).string();
  std::error_code ec;
  if (!fs::exists(plan_file, ec) || fs::file_size(plan_file, ec) == 0) {
    throw Error("no saved plan for " + ref.str() + ": it was never planned here, or it was applied (or destroyed) since",
                component->origin, "run `strata plan " + ref.stack + " " + ref.component + "` first");
  }
  // The plan holds the values of strata's secrets, in clear where the module does not mark them
  // sensitive: they are decrypted (and so known to the redactor) before anything is shown.
  try {
    resolver_.decrypt_secrets(*component);
  } catch (const Error& e) {
    throw Error(e.kind(), "cannot show the saved plan of " + ref.str() + " safely: " + e.message(), e.origin(),
                "strata masks the component's secrets in what it shows, so it must decrypt them; " +
                    (e.hint().empty() ? std::string("check the secret's key and file") : e.hint()));
  }
  EngineRequest req;
  req.cwd = run_dir;
  req.env = options_.env;
  if (const Stack* stack = project_.find_stack(ref.stack))
    for (const auto& [k, v] : stack->env)
      if (v.find("{{ secret `") == std::string::npos) req.env[k] = v;  // as the plan ran (TF_DATA_DIR, ...)
  if (!options_.log_dir.empty()) req.log_path = options_.log_dir + "/" + ref.stack + "/" + ref.component + ".show.log";
  saved.changes = show_plan(std::move(req), ref, Origin(saved.path), nullptr);
  return saved;
}

std::optional<PlanStamp> ComponentRunner::saved_plan_stamp(const ComponentRef& ref) {
  const Component* component = project_.find(ref);
  if (!component) return std::nullopt;
  const std::string run_dir = component_run_dir(project_, *component);
  std::error_code ec;
  const std::string plan_file = run_dir + "/" + plan_file_path(ref);
  if (!fs::exists(plan_file, ec) || fs::file_size(plan_file, ec) == 0) return std::nullopt;
  std::string text;
  if (!try_read_file(run_dir + "/" + plan_stamp_path(ref), text)) return std::nullopt;
  return parse_plan_stamp(text);
}

Value ComponentRunner::outputs(const ComponentRef& ref, const Origin& where) {
  std::string key = ref.str();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = outputs_.find(key);
    if (it != outputs_.end()) return it->second;
  }
  const Component* target = project_.find(ref);
  if (!target) {
    throw Error("state(\"" + ref.stack + "\", \"" + ref.component + "\"): no such component", where,
                "check the stack and component names; `strata list` shows them");
  }
  std::string run_dir = component_run_dir(project_, *target);
  Value values = Value::map();
  {
    // One dependency at a time: two dependents must not prepare the same workdir at once.
    // Recursive: preparing a dependency may read the outputs of its own dependencies.
    std::lock_guard<std::recursive_mutex> read_lock(read_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = outputs_.find(key);
      if (it != outputs_.end()) return it->second;
    }
    std::optional<Value> given;
    if (options_.dependency_outputs) given = options_.dependency_outputs(ref);
    bool initialised = !given && init_done(run_dir).has_value();
    if (given) {
      values = std::move(*given);
    } else if (!initialised && options_.operation != Operation::kGenerate) {
      // Never initialised here, or cleaned: generate and init it so its state can be read.
      try {
        run_dir = prepare_dependency(*target);
      } catch (const Error& e) {
        throw Error(e.kind(),
                    "cannot read the outputs of " + key +
                        ": its workdir could not be prepared: " + e.message(),
                    where,
                    "run `strata init " + ref.stack + " " + ref.component + "` and see its log");
      }
      initialised = init_done(run_dir).has_value();
    }
    if (initialised) values = read_outputs(ref, run_dir);
  }
  if (values.is_map() && values.as_map().empty()) {
    bool has_mocks = target->mock_outputs.is_map() && !target->mock_outputs.as_map().empty();
    // Mock values may be planned with, never written to a state: `strata run` takes them for
    // commands that do not write one (validate, plan, console, …).
    static const std::set<std::string> kWritesState = {"apply", "destroy", "import", "refresh"};
    bool planning = options_.operation == Operation::kPlan || options_.operation == Operation::kGenerate ||
                    (options_.operation == Operation::kCustom && !options_.extra_args.empty() &&
                     !kWritesState.count(options_.extra_args.front()));
    if (planning && has_mocks) {
      values = target->mock_outputs;
    } else {
      throw Error("component " + key + " has no outputs yet, so its values cannot be read here", where,
                  "run `strata apply " + ref.stack + " " + ref.component + "` first" +
                      std::string(options_.operation == Operation::kPlan
                                      ? ", or declare mock_outputs on it to plan before it exists"
                                      : ""));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  outputs_[key] = values;
  return values;
}

std::string ComponentRunner::prepare_dependency(const Component& component) {
  ComponentFiles files = resolver_.resolve(component);
  std::string workdir = workdir_for(files);
  fs::create_directories(workdir);
  FileLock::Wait wait;
  wait.limit = options_.lock_wait;
  FileLock lock(workdir + "/" + kLockFile, "workdir " + relative_to(workdir, project_.root), wait);
  GenerateResult generated = generate_workdir(files, modules_, false, !lock.previous_holder_released());
  InitStamp stamp;
  if (init_needed(generated.run_dir, &stamp)) {
    EngineRequest r;
    r.args = {"init", "-input=false", "-no-color", "-reconfigure"};
    r.cwd = generated.run_dir;
    r.env = options_.env;
    r.keep_fd = lock.fd();
    if (!options_.log_dir.empty()) {
      r.log_path = options_.log_dir + "/" + component.stack + "/" + component.name + ".outputs.log";
    }
    EngineResponse response = run_engine(r, nullptr);
    if (!response.success())
      throw Error(ErrorKind::kEngineFailed, "init failed: " + first_error(response));
    write_init_stamp(generated.run_dir, stamp, data_dir_elsewhere());
  }
  return generated.run_dir;
}

NodeOutcome ComponentRunner::run(const ComponentRef& node, RunContext& ctx) {
  const Component* component = project_.find(node);
  if (!component) {
    NodeOutcome o;
    o.result = NodeResult::kFailed;
    o.message = "unknown component " + node.str();
    return o;
  }
  try {
    try {
      return run_locked(*component, ctx);
    } catch (const std::filesystem::filesystem_error& e) {
      throw file_error(e);  // a read-only or full disk says so, with the path
    }
  } catch (const Error& e) {
    NodeOutcome o;
    o.result = ctx.interrupted() ? NodeResult::kInterrupted : NodeResult::kFailed;
    o.message = e.render();
    return o;
  }
}

NodeOutcome ComponentRunner::run_locked(const Component& component, RunContext& ctx) {
  NodeOutcome outcome;
  const ComponentRef ref = component.ref();
  outcome.log_path = options_.log_dir.empty() ? "" : options_.log_dir + "/" + ref.stack + "/" + ref.component + ".log";

  ctx.phase("resolve");
  ComponentFiles files = resolver_.resolve(component);
  outcome.warnings = files.warnings;

  std::string workdir = workdir_for(files);
  bool new_workdir = fs::create_directories(workdir);
  FileLock::Wait wait;
  wait.limit = options_.lock_wait;
  wait.on_wait = [&](const std::string& holder) {
    ctx.phase("waiting up to " + format_duration(options_.lock_wait) + " for the workdir (locked by " + holder + ")");
  };
  wait.cancelled = [&] { return ctx.interrupted(); };
  FileLock lock(workdir + "/" + kLockFile, "workdir " + relative_to(workdir, project_.root), wait);
  // Still new once the lock is ours: another strata may have used it in between.
  new_workdir = new_workdir && holds_only_the_lock(workdir);
  // The engine keeps state (and plans) here, which hold variable values in clear: private. A
  // no-change generate does not pay for it on every workdir.
  if (new_workdir || options_.operation != Operation::kGenerate) ::chmod(workdir.c_str(), 0700);

  ctx.phase("generate");
  GenerateResult generated = generate_workdir(files, modules_, new_workdir, !lock.previous_holder_released());
  if (options_.operation == Operation::kGenerate) {
    outcome.message = std::to_string(generated.written.size()) + " written, " +
                      std::to_string(generated.unchanged.size()) + " unchanged, " +
                      std::to_string(generated.removed.size()) + " removed";
    if (!generated.kept.empty()) outcome.message += ", kept " + std::to_string(generated.kept.size()) + " state/engine files";
    outcome.message += " in " + relative_to(generated.run_dir, project_.root);
    return outcome;
  }

  std::map<std::string, std::string> env = options_.env;
  for (const auto& [k, v] : files.env) env[k] = v;  // the stack's, secrets decrypted
  for (const auto& [k, v] : generated.sensitive_env) env[k] = v;

  auto request = [&](std::vector<std::string> args, bool json) {
    EngineRequest r;
    r.args = std::move(args);
    r.cwd = generated.run_dir;
    r.env = env;
    r.log_path = outcome.log_path;
    r.json_stream = json;
    r.keep_fd = lock.fd();  // a supervised engine holds the workdir lock as long as it runs
    if (!generated.sensitive_var_file.empty()) r.memory_files = {generated.sensitive_var_file};
    return r;
  };
  // Engine messages point at the module's own files, not the workdir copies.
  const ModuleSource module_source = split_module_source(component.source);
  const std::string module_dir =
      module_source.package + "/" + (module_source.subdir.empty() ? "" : module_source.subdir + "/");
  auto failed = [&](const EngineResponse& r, const std::string& what) {
    outcome.result = ctx.interrupted() ? NodeResult::kInterrupted : NodeResult::kFailed;
    std::string error = first_error(r);
    const EngineDiagnostic* diagnostic = nullptr;
    for (const auto& d : r.diagnostics) {
      if (d.is_error() && d.has_range && !diagnostic) diagnostic = &d;
    }
    if (diagnostic && !generated.tfvars_file.empty() && diagnostic->filename == generated.tfvars_file) {
      // A value Terraform refuses, in the tfvars file strata wrote: the user wrote it at the
      // component's input ("var.replicas" in the detail names which).
      std::string text = diagnostic->summary + (diagnostic->detail.empty() ? "" : ": " + diagnostic->detail);
      Origin where = component.origin;
      std::string input;
      if (size_t at = diagnostic->detail.find("var."); at != std::string::npos) {
        size_t end = at + 4;
        while (end < diagnostic->detail.size() &&
               (std::isalnum(static_cast<unsigned char>(diagnostic->detail[end])) || diagnostic->detail[end] == '_' ||
                diagnostic->detail[end] == '-'))
          ++end;
        input = diagnostic->detail.substr(at + 4, end - at - 4);
        const Value* value = component.inputs.is_map() ? component.inputs.find(input) : nullptr;
        if (value && value->origin().known()) where = value->origin();
      }
      error = where.str() + ": " + (input.empty() ? "" : "input " + input + ": ") + "Error: " + text;
    } else if (diagnostic) {
      error = module_dir + diagnostic->filename + ":" + std::to_string(diagnostic->start.line) + ":" +
              std::to_string(diagnostic->start.column) + ": Error: " + diagnostic->summary;
      if (!diagnostic->detail.empty()) error += ": " + diagnostic->detail;
    } else if (!r.error_file.empty()) {
      error = module_dir + r.error_file + ":" + std::to_string(r.error_line) + ": " + r.error_text;
    }
    if (r.signal != 0 && !ctx.interrupted()) {
      // A crash or a kill from outside: its last line is not the reason.
      error = engine_.program_name() + " was killed by " + signal_name(r.signal) +
              (error.empty() ? std::string() : " (its last output: " + error + ")");
    }
    // Terraform 1.11.4 names its own request's LockInfo when the lock is held; the state's
    // keeper says who holds it.
    if (options_.lock_holder && !ctx.interrupted() &&
        std::any_of(r.diagnostics.begin(), r.diagnostics.end(), [](const EngineDiagnostic& d) {
          return d.is_error() && d.summary == "Error acquiring the state lock";
        })) {
      std::optional<std::string> holder;
      try {
        holder = options_.lock_holder(ref);
      } catch (const std::exception&) {
        // Unknown: the engine's own words stand.
      }
      if (holder)
        error = "the state is locked by " + *holder +
                "; try again once that is done (a lock a killed run left: `strata remote state unlock KEY`)";
    }
    outcome.message = what + " failed: " + error;
    return outcome;
  };

  InitStamp stamp;
  if (options_.operation == Operation::kInit || init_needed(generated.run_dir, &stamp)) {
    ctx.phase("init");
    if (stamp.selective.empty()) init_needed(generated.run_dir, &stamp);
    std::vector<std::string> init_args = {"init", "-input=false", "-no-color", "-reconfigure"};
    if (options_.operation == Operation::kInit) {
      // `strata init -- -upgrade`: the user's flags; -migrate-state replaces -reconfigure (the
      // engine refuses both).
      bool migrate = std::any_of(options_.extra_args.begin(), options_.extra_args.end(),
                                 [](const std::string& a) { return a == "-migrate-state" || a == "--migrate-state"; });
      if (migrate) init_args.pop_back();
      init_args.insert(init_args.end(), options_.extra_args.begin(), options_.extra_args.end());
    }
    EngineResponse r = run_engine(request(init_args, false), &ctx);
    if (!r.success()) return failed(r, "init");
    write_init_stamp(generated.run_dir, stamp, data_dir_elsewhere());
  }
  if (options_.operation == Operation::kInit) return outcome;
  if (ctx.interrupted()) {
    outcome.result = NodeResult::kInterrupted;
    outcome.message = "interrupted before " + std::string(operation_name(options_.operation));
    return outcome;
  }

  // What a plan made now would be made from (execute/saved_plan.h): kept beside a plan, compared
  // by an apply with the saved one's.
  auto stamp_now = [&] {
    PlanStamp s;
    for (const auto& [rel, hash] : generated.content_hashes) {
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
      s.files[rel] = hex;
    }
    std::map<std::string, std::string> values;
    for (const auto& [k, v] : env)
      if (k.rfind("TF_VAR_", 0) == 0) values["env " + k] = v;
    if (const Stack* stack = project_.find_stack(ref.stack))
      for (const auto& [k, v] : stack->env) values["stack env " + k] = v;
    values["var file"] = generated.sensitive_var_file;
    s.values = values_digest(values);
    s.state = state_digest(generated.run_dir + "/terraform.tfstate");
    s.engine = engine_.program_path();
    s.args = options_.extra_args;
    return s;
  };
  const std::string stamp_file = generated.run_dir + "/" + plan_stamp_path(ref);
  // Why a saved plan is not applied under kRequire, and what to do.
  auto refusal = [&](const std::string& why_not) {
    if (!options_.replan_hint.empty()) return "not applied: " + why_not + "; " + options_.replan_hint;
    return "not applied (--plan-only-saved): " + why_not + "; run `strata plan " + ref.stack + " " + ref.component +
           "`, review it, then apply";
  };
  // apply: the saved plan, when nothing it was made from changed since; else why not.
  bool apply_saved = false;
  if (options_.operation == Operation::kApply) {
    std::string why_not;
    std::string text;
    std::error_code ec;
    const std::string plan_file = generated.run_dir + "/" + plan_file_path(ref);
    if (auto given = options_.given_plans.find(ref.str()); given != options_.given_plans.end()) {
      // A plan made elsewhere goes where this machine's own would be, as private as one.
      make_private_dir(generated.run_dir + "/" + kPlanDir);
      write_file_atomic(plan_file, given->second.plan_file, 0600, Durability::kRenameOnly);
      write_file_atomic(stamp_file, given->second.stamp, 0600, Durability::kRenameOnly);
    }
    if (!fs::exists(plan_file, ec) || fs::file_size(plan_file, ec) == 0) {
      why_not = "no saved plan (never planned here, or applied since)";
    } else if (!try_read_file(stamp_file, text) || !parse_plan_stamp(text)) {
      why_not = "its saved plan has no record of what it was made from (an older strata made it)";
    } else {
      PlanStamp then = *parse_plan_stamp(text);
      why_not = stale_plan_reason(then, stamp_now());
      if (why_not.empty()) {
        apply_saved = true;
        outcome.plan_note = "applied the plan saved at " + then.planned_at + " UTC";
      }
    }
    if (!apply_saved && options_.saved_plans == SavedPlans::kRequire) {
      std::error_code ec;
      if (!fs::exists(outcome.log_path, ec)) outcome.log_path.clear();  // no engine ran: no log
      outcome.result = NodeResult::kFailed;
      outcome.message = refusal(why_not);
      return outcome;
    }
    if (!apply_saved) outcome.plan_note = "planned afresh: " + why_not;
  }

  std::vector<std::string> args;
  std::string var_file = generated.tfvars_file.empty() ? "" : "-var-file=" + generated.tfvars_file;
  // Variables holding secrets that TF_VAR_ cannot carry: read from memory, after the file.
  std::string memory_var_file =
      generated.sensitive_var_file.empty() ? "" : "-var-file=/dev/fd/" + std::to_string(memory_file_fd(0));
  switch (options_.operation) {
    case Operation::kPlan: {
      // Plan files hold variable values in clear: they live in a 0700 folder and are created
      // 0600 before the engine writes them. A plan file of an earlier strata, kept beside the
      // module, is superseded by this one.
      remove_plan_files(generated.run_dir, ref, /*legacy_only=*/true);
      std::error_code ec;
      fs::remove(stamp_file, ec);  // written again once this plan succeeds
      std::string planfile = plan_file_path(ref);
      make_private_dir(generated.run_dir + "/" + kPlanDir);
      // Nothing to keep through a crash: the engine writes the plan into it, and an apply
      // finding it empty plans afresh.
      write_file_atomic(generated.run_dir + "/" + planfile, "", 0600, Durability::kRenameOnly);
      args = {"plan", "-input=false", "-json", "-out=" + planfile};
      break;
    }
    case Operation::kApply:
      args = {"apply", "-input=false", "-json", "-auto-approve"};
      // The plan carries its variables and the flags it was made with.
      if (apply_saved) args.push_back(plan_file_path(ref));
      break;
    case Operation::kDestroy: args = {"destroy", "-input=false", "-json", "-auto-approve"}; break;
    case Operation::kGenerate:
    case Operation::kInit:
    case Operation::kCustom: break;
  }
  if (!apply_saved) {
    if (!var_file.empty() && options_.operation != Operation::kCustom) args.push_back(var_file);
    if (!memory_var_file.empty() && options_.operation != Operation::kCustom) args.push_back(memory_var_file);
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  }
  if (options_.operation == Operation::kCustom && !args.empty() && !var_file.empty()) {
    // Engine commands that read variables get the generated tfvars too, as strata's own do.
    static const std::set<std::string> kReadsVars = {"plan", "apply", "destroy", "import", "refresh", "console"};
    if (kReadsVars.count(args.front())) {
      if (!memory_var_file.empty()) args.insert(args.begin() + 1, memory_var_file);
      args.insert(args.begin() + 1, var_file);
    }
  }
  const Stack* stack = project_.find_stack(ref.stack);
  const std::vector<std::string>* pre_hooks = nullptr;
  const std::vector<std::string>* post_hooks = nullptr;
  if (stack && options_.operation == Operation::kPlan) {
    pre_hooks = &stack->hooks.pre_plan;
    post_hooks = &stack->hooks.post_plan;
  } else if (stack && options_.operation == Operation::kApply) {
    pre_hooks = &stack->hooks.pre_apply;
    post_hooks = &stack->hooks.post_apply;
  }
  // Hooks see the run's environment, not the sensitive TF_VAR_ values meant for the engine.
  std::map<std::string, std::string> hook_env = options_.env;
  if (stack) {
    for (const auto& [k, v] : stack->env) hook_env[k] = v;
  }
  const std::string op_name = operation_name(options_.operation);
  if (pre_hooks && !pre_hooks->empty()) {
    std::string error = run_hooks(*pre_hooks, "pre_" + op_name, generated.run_dir, hook_env, outcome.log_path,
                                  engine_, ctx);
    if (!error.empty()) {
      outcome.result = ctx.interrupted() ? NodeResult::kInterrupted : NodeResult::kFailed;
      outcome.message = error;
      return outcome;
    }
  }
  ctx.phase(operation_name(options_.operation));
  EngineRequest req = request(args, options_.operation != Operation::kCustom);
  if (options_.on_output)
    req.on_output = [this, &ref](std::string_view line, bool is_stderr) { options_.on_output(ref, line, is_stderr); };
  std::optional<std::map<std::string, UiOutput>> streamed_outputs;
  PlanStream plan_stream;
  EngineResponse r = run_engine(req, &ctx, &streamed_outputs,
                                options_.operation == Operation::kPlan ? &plan_stream : nullptr);
  // A remote state that changed since the plan is found by the engine only.
  if (apply_saved && !r.success() && !ctx.interrupted() &&
      std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                  [](const EngineDiagnostic& d) { return d.is_error() && d.summary == "Saved plan is stale"; })) {
    const std::string why_not = "its state changed since the plan (the engine found the saved plan stale)";
    if (options_.saved_plans == SavedPlans::kRequire) {
      outcome.result = NodeResult::kFailed;
      outcome.message = refusal(why_not);
      return outcome;
    }
    outcome.plan_note = "planned afresh: " + why_not;
    req.args = {"apply", "-input=false", "-json", "-auto-approve"};
    if (!var_file.empty()) req.args.push_back(var_file);
    if (!memory_var_file.empty()) req.args.push_back(memory_var_file);
    req.args.insert(req.args.end(), options_.extra_args.begin(), options_.extra_args.end());
    streamed_outputs.reset();
    r = run_engine(req, &ctx, &streamed_outputs);
  }
  if (r.has_summary) {
    outcome.changes.add = r.summary.add;
    outcome.changes.change = r.summary.change;
    outcome.changes.destroy = r.summary.remove;
    outcome.changes.import = r.summary.import;
    outcome.changes.reported = true;
  }
  // The state the engine wrote (or rewrote) is private too: Terraform creates it 0644.
  for (const char* state : {"terraform.tfstate", "terraform.tfstate.backup"}) {
    std::string path = generated.run_dir + "/" + state;
    if (::chmod(path.c_str(), 0600) != 0 && errno != ENOENT) {
      // Best effort: the workdir itself is 0700.
    }
  }
  // An apply or destroy changed the state: a saved plan is stale from now on.
  if (options_.operation == Operation::kApply || options_.operation == Operation::kDestroy)
    remove_plan_files(generated.run_dir, ref, /*legacy_only=*/false);
  for (const auto& d : r.diagnostics) {
    if (d.is_error()) continue;
    std::string where = d.has_range && d.start.line > 0 ? module_dir + d.filename + ":" + std::to_string(d.start.line) + ":" +
                                          std::to_string(d.start.column) + ": "
                                    : "";
    std::string detail = d.detail.substr(0, d.detail.find('\n'));
    std::string warning = where + d.summary + (detail.empty() ? "" : ": " + detail);
    outcome.warnings.push_back(engine_.redactor() ? engine_.redactor()->redact(warning) : warning);
  }
  if (!r.success()) return failed(r, operation_name(options_.operation));
  if (options_.operation == Operation::kPlan && !ctx.interrupted()) {
    // What changes, resource by resource, from the saved plan. Its JSON holds the variables in
    // clear: it is read from the engine's stdout (never logged) and only the masked summary kept.
    // A plan the change summary calls empty has nothing to show and costs no engine call; nor
    // does one whose stream says it all (no update or replacement: engine/plan_stream.h).
    PlanChanges streamed = plan_stream.changes();
    if (r.has_summary && !outcome.changes.any() && streamed.empty()) {
      outcome.plan = PlanChanges{};
    } else if (r.has_summary && !plan_stream.needs_plan_file(r.summary)) {
      outcome.plan = std::move(streamed);
    } else {
      ctx.phase("show");
      try {
        outcome.plan = show_plan(request({}, false), ref, Origin(plan_file_path(ref)), &ctx);
      } catch (const Error& e) {
        outcome.warnings.push_back("the planned changes cannot be shown (" + e.message() +
                                   "); the plan itself is saved and can be applied");
      }
    }
    PlanStamp stamp = stamp_now();
    stamp.planned_at = utc_now_text();
    stamp.changes = outcome.plan;
    // A stamp lost in a crash costs a fresh plan at apply (it is read as missing), not more.
    const std::string stamp_text = plan_stamp_text(stamp);
    write_file_atomic(stamp_file, stamp_text, 0600, Durability::kRenameOnly);
    if (options_.on_plan_saved)
      options_.on_plan_saved(ref, SavedPlanFiles{read_file(generated.run_dir + "/" + plan_file_path(ref)), stamp_text});
  }
  if (post_hooks && !post_hooks->empty()) {
    std::string error = run_hooks(*post_hooks, "post_" + op_name, generated.run_dir, hook_env, outcome.log_path,
                                  engine_, ctx);
    if (!error.empty()) {
      outcome.result = ctx.interrupted() ? NodeResult::kInterrupted : NodeResult::kFailed;
      outcome.message = op_name + " succeeded, but the " + error;
      return outcome;
    }
  }

  if (options_.operation == Operation::kApply) {
    // apply -json ends with an `outputs` message holding every value except sensitive ones; only
    // when a sensitive output is missing there does reading them cost another engine call.
    Value values = Value::map();
    bool complete = streamed_outputs.has_value();
    for (const auto& [name, o] : streamed_outputs.value_or(std::map<std::string, UiOutput>{})) {
      if (!o.has_value) complete = false;
      values.set(name, o.value);
    }
    if (!complete) {
      ctx.phase("outputs");
      values = read_outputs(ref, generated.run_dir);
    }
    outcome.outputs = values;
    std::lock_guard<std::mutex> guard(mutex_);
    outputs_[ref.str()] = values;
  }
  return outcome;
}

}  // namespace strata
