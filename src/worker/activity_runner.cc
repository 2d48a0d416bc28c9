#include "worker/activity_runner.h"

#include <set>

#include "engine/output_json.h"

#include <condition_variable>
#include <fstream>
#include <iterator>
#include <thread>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "control/control_plane.h"
#include "execute/execution.h"
#include "model/error.h"
#include "run/run_event.h"
#include "secrets/crypto.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::worker {

namespace {

// Collects what the one component's run reports: its phases as log lines, and its outcome.
class Collector : public EventSink {
 public:
  explicit Collector(const std::function<void(const std::string&)>& log) : log_(log) {}
  void on_event(const RunEvent& e) override {
    if (e.type == RunEvent::Type::kNodePhase) log_("strata: " + e.text + "\n");
    if (e.type == RunEvent::Type::kNodeFinished && e.outcome) outcome = *e.outcome;
  }
  std::optional<NodeOutcome> outcome;

 private:
  const std::function<void(const std::string&)>& log_;
};

Operation operation_of(const std::string& command) {
  if (command == "apply") return Operation::kApply;
  if (command == "destroy") return Operation::kDestroy;
  return Operation::kPlan;
}

// Follows the component's log file while the engine writes it, handing on whole lines about
// four times a second; finish() hands on the rest.
class LogTail {
 public:
  LogTail(std::string path, std::function<void(const std::string&)> emit)
      : path_(std::move(path)), emit_(std::move(emit)), thread_([this] { loop(); }) {}
  ~LogTail() { finish(); }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    read(true);
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!changed_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; })) {
      lock.unlock();
      read(false);
      lock.lock();
    }
  }
  void read(bool all) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t end = all ? text.size() : text.rfind('\n');
    if (end == std::string::npos || end == 0) return;
    if (!all) ++end;  // through the newline
    offset_ += end;
    emit_(text.substr(0, end));
  }

  std::string path_;
  std::function<void(const std::string&)> emit_;
  size_t offset_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

store::Finish ActivityRunner::run(const ActivityJob& job, const std::function<void(const std::string&)>& log) {
  store::Finish finish;
  const store::Activity& a = job.activity;
  try {
    workspace::WorkspaceOptions options;
    options.start_dir = job.code_dir;
    options.env = job.env;
    // The engine reaches the server's state with the activity's own credential, which stops
    // working when the lease is lost; it is never written into a file.
    options.env["TF_HTTP_USERNAME"] = "activity";
    options.env["TF_HTTP_PASSWORD"] = job.state_credential;
    // A server that restarts mid-run is waited for (about half a minute), not a failed state
    // write; a setting of the environment's own wins.
    options.env.try_emplace("TF_HTTP_RETRY_MAX", "8");
    options.env.try_emplace("TF_HTTP_RETRY_WAIT_MIN", "1");
    options.env.try_emplace("TF_HTTP_RETRY_WAIT_MAX", "5");
    options.engine = job.engine;
    options.engine_supervisor = job.engine_supervisor;
    // The state is this server's, reached with the activity's credential (below), whatever
    // strata.yaml's state_backend says.
    options.apply_state_backend = false;
    options.js_cache = !job.js_cache_dir.empty();
    options.js_cache_dir = job.js_cache_dir;
    std::unique_ptr<workspace::Workspace> ws = workspace::open_workspace(options);
    // The component's stack and the stacks it reads state from (a `shared` network…).
    ws->focus(workspace::stacks_needed_by(ws->project(), a.stack));
    ws->throw_if_errors();
    // The credential is a secret like any other: no log line may show it.
    ws->redactor().add_secret(options.env["TF_HTTP_PASSWORD"]);
    for (const std::string& value : job.secret_values) ws->redactor().add_secret(value);
    const std::set<std::string> server_state = control::use_server_state(ws->edit_project(), job.server_url, job.repository);

    std::unique_ptr<Engine> engine = workspace::engine_for(*ws, operation_of(a.command));
    ExecuteRequest request;
    request.operation = operation_of(a.command);
    request.selection.components.push_back(ComponentRef{a.stack, a.component, {}});
    request.jobs = 1;
    if (job.state_outputs) {
      // Dependencies whose state is the server's are read there: initialising a dependency's
      // workdir to run `output -json` cost two engine calls per dependency of every activity.
      request.dependency_outputs = [&job, &server_state](const ComponentRef& ref) -> std::optional<Value> {
        if (!server_state.count(ref.str())) return std::nullopt;  // a backend of its own: ask the engine
        std::optional<std::string> outputs = job.state_outputs(ref.stack, ref.component);
        if (!outputs) return std::nullopt;
        return output_values(parse_output_json(*outputs, Origin(job.server_url + "/tfstate/" + ref.str())));
      };
    }
    if (!a.plan_activity_id.empty()) {
      // Exactly the plan that was reviewed, or nothing: never a fresh plan.
      if (!job.plan)
        throw Error(ErrorKind::kConflict,
                    "the plan this apply was made from (activity " + a.plan_activity_id + ") is no longer on the server",
                    {}, "plan again, and apply that run");
      std::optional<std::string> file = secrets::base64_decode_std(job.plan->plan_file);
      if (!file) throw Error(ErrorKind::kInternal, "the saved plan of activity " + a.plan_activity_id + " is damaged");
      request.saved_plans = SavedPlans::kRequire;
      request.replan_hint = "plan again (a new plan run) and apply that run";
      request.given_plans[ComponentRef{a.stack, a.component, {}}.str()] = SavedPlanFiles{*file, job.plan->stamp};
    }
    if (job.lock_holder)
      request.lock_holder = [&job, &server_state](const ComponentRef& ref) -> std::optional<std::string> {
        if (!server_state.count(ref.str())) return std::nullopt;  // a backend of its own
        return job.lock_holder(ref.stack, ref.component);
      };
    std::optional<SavedPlanFiles> made;
    if (request.operation == Operation::kPlan && job.save_plan)
      request.on_plan_saved = [&made](const ComponentRef&, const SavedPlanFiles& plan) { made = plan; };
    std::unique_ptr<Execution> execution = workspace::prepare_execution(*ws, *engine, std::move(request));
    {
      std::lock_guard lock(mutex_);
      execution_ = execution.get();
      if (interrupts_ > 0) execution_->interrupt();
      if (interrupts_ > 1) execution_->kill_engines(std::chrono::seconds(10));
    }
    Collector collector(log);
    // The engine's log, as the CLI keeps it (already redacted by the engine), followed live.
    const Project& project = ws->project();
    std::string log_path = project.root + "/" + project.settings.work_dir + "/.logs/" + execution->run_id() + "/" +
                           a.stack + "/" + a.component + ".log";
    RunRecord record;
    {
      LogTail tail(log_path, [&](const std::string& text) {
        log(control::relative_to(ws->redactor().redact(text), job.code_dir));
      });
      record = execution->run(collector);
    }
    {
      std::lock_guard lock(mutex_);
      execution_ = nullptr;
    }
    const NodeRecord* node = record.find(a.stack, a.component);
    // Which plan an apply applied (the saved one, or why a fresh one), as the CLI's summary says.
    if (node && !node->plan_note.empty()) log("strata: " + node->plan_note + "\n");
    if (made && node && node->result == NodeResult::kSucceeded) {
      try {
        job.save_plan(secrets::base64_encode(made->plan_file), made->stamp);
      } catch (const Error& e) {
        throw Error(e.kind(), "the plan succeeded but the server did not keep it: " + e.message(), {},
                    "plan again once the server is reachable");
      }
      log("strata: the plan is saved on the server; apply exactly it with `strata remote runs apply " + a.run_id + "`\n");
    }
    std::optional<NodeOutcome> outcome = collector.outcome;
    NodeResult result = node ? node->result : NodeResult::kFailed;
    if (result == NodeResult::kSucceeded) {
      finish.status = "succeeded";
    } else if (result == NodeResult::kInterrupted || record.interrupted) {
      finish.status = "cancelled";
    } else {
      finish.status = "failed";
    }
    std::string message = node ? node->message : "the component did not run";
    if (!message.empty() && finish.status != "succeeded")
      finish.error = control::relative_to(ws->redactor().redact(message), job.code_dir);
    if (outcome) {
      nlohmann::json changes = {{"summary", to_json(outcome->changes)}};
      if (outcome->plan) changes["plan"] = to_json(*outcome->plan);
      if (!outcome->warnings.empty()) changes["warnings"] = outcome->warnings;
      finish.changes_json = ws->redactor().redact(changes.dump());
      if (!outcome->outputs.is_null()) {
        // Sensitive outputs stay in the state; the record shows that they exist, not what.
        nlohmann::json outputs = nlohmann::json::object();
        if (outcome->outputs.is_map())
          for (const auto& [name, value] : outcome->outputs.as_map())
            outputs[name] = value.contains_sensitive() ? nlohmann::json("(sensitive)") : to_json(value);
        finish.outputs_json = ws->redactor().redact(outputs.dump());
      }
    }
  } catch (const Error& e) {
    finish.status = "failed";
    finish.error = control::relative_to(e.render(), job.code_dir);
    log(finish.error + "\n");
  } catch (const std::exception& e) {
    finish.status = "failed";
    finish.error = std::string("internal error: ") + e.what();
    log(finish.error + "\n");
  }
  return finish;
}

void ActivityRunner::interrupt(bool kill) {
  std::lock_guard lock(mutex_);
  interrupts_ = std::max(interrupts_, kill ? 2 : 1);
  if (!execution_) return;
  execution_->interrupt();
  if (kill) execution_->kill_engines(std::chrono::seconds(10));
}

}  // namespace strata::worker
