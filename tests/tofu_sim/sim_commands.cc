#include "sim_commands.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include "sim_state.h"
#include "sim_ui.h"

namespace tofu_sim {

const char* const kSimVersion = "1.11.4";

namespace {

namespace fs = std::filesystem;

const std::set<std::string> kValueFlags = {"var",   "var-file",  "out",    "lock-timeout",
                                           "state", "parallelism", "target", "replace",
                                           "backend-config", "chdir", "plugin-dir", "state-out",
                                           "backup"};
const std::set<std::string> kBoolFlags = {
    "json", "auto-approve", "detailed-exitcode", "destroy", "reconfigure", "no-color", "raw",
    "upgrade", "migrate-state", "force-copy", "refresh-only", "compact-warnings", "input",
    "lock", "refresh", "get", "backend", "check", "concise"};

void report(Ui& ui, const SimDiag& d) {
  ui.diagnostic(d.severity, d.summary, d.detail, d.origin.known() ? d.origin.path() : "",
                d.origin.line, d.origin.column);
}

bool report_all(Ui& ui, const std::vector<SimDiag>& diags) {
  bool error = false;
  for (const auto& d : diags) {
    report(ui, d);
    error |= d.severity == "error";
  }
  return error;
}

std::string backend_record_path() { return ".terraform/terraform.tfstate"; }

// The backend recorded by the last init: {"type": ..., "config": {...}}, or null.
Value recorded_backend() {
  std::ifstream in(backend_record_path());
  if (!in) return Value();
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    Value doc = strata::parse_json_text(ss.str());
    if (const Value* b = doc.find("backend")) return *b;
  } catch (const strata::Error&) {
  }
  return Value();
}

bool same_backend(const BackendBlock& b, const Value& recorded) {
  if (!recorded.is_map()) return false;
  const Value* type = recorded.find("type");
  const Value* config = recorded.find("config");
  if (!type || !type->is_string() || type->as_string() != b.type) return false;
  Value want = b.config;
  if (b.type == "local") {
    if (!want.find("path")) want.set("path", Value());
    if (!want.find("workspace_dir")) want.set("workspace_dir", Value());
  }
  return config && *config == want;
}

std::string state_path_for(const Module& module) {
  if (module.backend && module.backend->type == "local") {
    if (const Value* p = module.backend->config.find("path"); p && p->is_string()) {
      return p->as_string();
    }
  }
  return "terraform.tfstate";
}

// Runs a local-exec command with /bin/sh; returns its exit status and collects its output.
int run_local_exec(const std::string& command, std::string* output) {
  std::string cmd = command + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return 127;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ojson plan_outputs_json(const Plan& plan) {
  ojson outs = ojson::object();
  for (const auto& o : plan.outputs) {
    outs[o.name] = {{"sensitive", o.sensitive}, {"action", o.action}};
  }
  return outs;
}

ojson state_outputs_json(const State& state) {
  ojson outs = ojson::object();
  for (const auto& [name, o] : state.outputs) {
    ojson j = ojson::object();
    j["sensitive"] = o.sensitive;
    j["type"] = to_ojson(o.type);
    if (!o.sensitive) j["value"] = to_ojson(o.value);
    outs[name] = j;
  }
  return outs;
}

// HCL-like rendering for human `output`.
std::string render_value(const Value& v, int indent = 0) {
  std::string pad(static_cast<size_t>(indent), ' ');
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kNumber: return v.as_number().text();
    case Value::Kind::kString: return ojson(v.as_string()).dump();
    case Value::Kind::kList: {
      std::string out = "[\n";
      for (const auto& e : v.as_list()) out += pad + "  " + render_value(e, indent + 2) + ",\n";
      return out + pad + "]";
    }
    case Value::Kind::kMap: {
      std::string out = "{\n";
      for (const auto& [k, e] : v.as_map()) {
        out += pad + "  \"" + k + "\" = " + render_value(e, indent + 2) + "\n";
      }
      return out + pad + "}";
    }
  }
  return "";
}

struct Interrupt {
  bool announced = false;
  void announce(Ui& ui) {
    if (announced) return;
    announced = true;
    ui.log("\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n"
           "Gracefully shutting down...\n");
    ui.log("Stopping operation...");
  }
};

int halted(Ui& ui, Interrupt& intr) {
  intr.announce(ui);
  ui.diagnostic("error", "execution halted",
                "Interrupted: tofu-sim received SIGINT and stopped after writing the state.");
  return 1;
}

class Operation {
 public:
  Operation(const Options& o, const Knobs& k, const std::string& cwd)
      : o_(o), knobs_(k), cwd_(cwd), ui_(o.json, k.flavor, kSimVersion) {}

  int run() {
    ui_.version_line();
    strata::Diagnostics load;
    module_ = load_module(".", load);
    if (report_all(ui_, to_sim_diags(load))) return 1;
    if (module_.backend && !same_backend(*module_.backend, recorded_backend())) {
      ui_.diagnostic("error", "Backend initialization required, please run \"terraform init\"",
                     "Reason: Initial configuration of the requested backend \"" +
                         module_.backend->type +
                         "\"\n\nThe \"backend\" is the interface that Terraform uses to store "
                         "state,\nperform operations, etc. Run \"terraform init\" to configure "
                         "it.");
      return 1;
    }
    if (knobs_.fail) {
      ui_.diagnostic("error", "Simulated failure",
                     "tofu-sim was told to fail \"" + o_.command +
                         "\" (TOFU_SIM_FAIL / TOFU_SIM_FAIL_IF_DIR_CONTAINS) in " + cwd_);
      return 1;
    }
    state_path_ = state_path_for(module_);
    std::string err;
    if (o_.lock && !lock_.acquire(state_path_, operation_name(), kSimVersion, o_.lock_timeout_ms,
                                  &err)) {
      ui_.diagnostic("error", "Error acquiring the state lock", err);
      return 1;
    }
    auto state = read_state(state_path_, &err);
    if (!state) {
      ui_.diagnostic("error", "Failed to load state", err);
      return 1;
    }
    state_ = *state;
    return o_.command == "plan" ? plan() : apply();
  }

 private:
  std::string operation_name() const {
    if (o_.command == "plan") return "OperationTypePlan";
    return "OperationTypeApply";
  }

  std::optional<Plan> compute(bool destroy, const std::map<std::string, Typed>* saved_vars) {
    std::vector<SimDiag> diags;
    std::map<std::string, Typed> vars;
    if (saved_vars) {
      vars = *saved_vars;
    } else {
      auto resolved = resolve_variables(module_, o_.vars, ".", diags, true);
      if (!resolved) {
        report_all(ui_, diags);
        return std::nullopt;
      }
      vars = *resolved;
      std::vector<SimDiag> now;
      for (auto& d : diags) (d.deferred ? deferred_ : now).push_back(d);
      diags = now;
    }
    // Applying a saved plan does not refresh again.
    for (const auto& r : saved_vars ? std::vector<StateResource>{} : state_.resources) {
      ui_.refresh_start(ResourceRef{r.address(), r.type, r.name, implied_provider(r.type)}, r.id());
      ui_.refresh_complete(ResourceRef{r.address(), r.type, r.name, implied_provider(r.type)},
                           r.id());
    }
    auto plan = make_plan(module_, state_, vars, destroy, diags);
    if (report_all(ui_, diags) || !plan) return std::nullopt;
    return plan;
  }

  void show_plan(const Plan& plan, bool with_summary) {
    for (const auto& c : plan.changes) {
      if (c.action != "noop") ui_.planned_change(c.ref(), c.action, c.reason);
    }
    if (!with_summary) return;
    if (!plan.has_changes()) ui_.text("\nNo changes. Your infrastructure matches the configuration.");
    ui_.change_summary(plan.counts, "plan");
    if (!plan.outputs.empty()) ui_.outputs(plan_outputs_json(plan), plan.outputs.size());
  }

  int plan() {
    auto plan = compute(o_.destroy, nullptr);
    if (!plan) return 1;
    if (knobs_.crash) std::abort();
    show_plan(*plan, true);
    if (report_all(ui_, deferred_)) return 1;
    if (!interruptible_sleep(knobs_.delay_ms)) return halted(ui_, intr_);
    if (!o_.out.empty()) {
      std::string err;
      if (!write_plan_file(o_.out, *plan, state_, ".", &err)) {
        ui_.diagnostic("error", "Failed to write plan file", err);
        return 1;
      }
      ui_.text("\nSaved the plan to: " + o_.out);
    }
    return o_.detailed_exitcode && plan->has_changes() ? 2 : 0;
  }

  int apply() {
    bool destroy = o_.command == "destroy";
    std::optional<SavedPlan> saved;
    if (!o_.positional.empty()) {
      std::string err;
      saved = read_plan_file(o_.positional[0], &err);
      if (!saved) {
        ui_.diagnostic("error", "Failed to load \"" + o_.positional[0] + "\" as a plan file", err);
        return 1;
      }
      if (saved->had_state != state_.exists ||
          (state_.exists &&
           (saved->serial != state_.serial || saved->lineage != state_.lineage))) {
        ui_.diagnostic("error", "Saved plan is stale",
                       "The given plan file can no longer be applied because the state was "
                       "changed by another operation after the plan was created.");
        return 1;
      }
      destroy = saved->destroy;
    } else if (!o_.auto_approve) {
      ui_.diagnostic("error", "Approval required",
                     "tofu-sim asks no questions: run " + o_.command +
                         " with -auto-approve, or apply a saved plan file.");
      return 1;
    }
    auto plan = compute(destroy, saved ? &saved->variables : nullptr);
    if (!plan) return 1;
    show_plan(*plan, !saved);
    if (report_all(ui_, deferred_)) return 1;
    if (knobs_.crash) std::abort();
    if (!rendezvous(knobs_) && !interrupted())
      std::fprintf(stderr, "tofu-sim: rendezvous of %d runs timed out\n", knobs_.rendezvous_n);

    // Delay spread over the changes, so an interrupt lands between resources.
    std::vector<const ResourceChange*> work;
    for (const auto& c : plan->changes) {
      if (c.action != "noop") work.push_back(&c);
    }
    int slice = work.empty() ? knobs_.delay_ms : knobs_.delay_ms / static_cast<int>(work.size());
    if (work.empty() && !interruptible_sleep(slice)) return finish_interrupted(*plan);

    State next = state_;
    EvalScope scope = scope_from_state(plan->variables, next);
    Counts done;
    for (const ResourceChange* c : work) {
      if (interrupted()) return finish_interrupted(*plan, &next);
      long long start = now_ms();
      const StateResource* prior = next.find(c->address);
      std::string prior_id = prior ? prior->id() : "";
      if (c->action == "delete" || c->action == "replace") {
        ui_.apply_start(c->ref(), "delete", prior_id);
        for (auto it = next.resources.begin(); it != next.resources.end(); ++it) {
          if (it->address() == c->address) {
            next.resources.erase(it);
            break;
          }
        }
        scope.resources.erase(c->address);
        ui_.apply_complete(c->ref(), "delete", "", 0);
        if (c->action == "delete") ++done.remove;
      }
      if (c->action == "delete") {
        if (!interruptible_sleep(slice)) return finish_interrupted(*plan, &next);
        continue;
      }
      std::string action = c->action == "update" ? "update" : "create";
      ui_.apply_start(c->ref(), action, action == "update" ? prior_id : "");
      std::vector<SimDiag> diags;
      StateResource fresh;
      fresh.type = c->type;
      fresh.name = c->name;
      fresh.provider = provider_address(c->type);
      fresh.attributes = resource_attributes(*c->config, scope, prior, action == "create", diags,
                                             &fresh.sensitive_attributes);
      if (report_all(ui_, diags)) return 1;
      fresh.dependencies = resource_dependencies(module_, *c->config);
      bool sleep_ok = interruptible_sleep(slice);
      bool failed = false;
      if (action == "create") {
        for (const auto& p : c->config->provisioners) {
          if (p.type != "local-exec" || p.when == "destroy") continue;
          ui_.provision(c->ref(), p.type, "provision_start");
          std::string output;
          int rc = run_local_exec(p.command, &output);
          std::istringstream lines(output);
          for (std::string line; std::getline(lines, line);) {
            ui_.provision(c->ref(), p.type, "provision_progress", line);
          }
          if (rc != 0) {
            ui_.provision(c->ref(), p.type, "provision_errored");
            fresh.tainted = true;
            failed = true;
            ui_.apply_errored(c->ref(), action, static_cast<int>((now_ms() - start) / 1000));
            upsert(next, fresh);
            ui_.diagnostic("error", "local-exec provisioner error",
                           "Error running command '" + p.command + "': exit status " +
                               std::to_string(rc) + ". Output: " + output,
                           p.origin.known() ? p.origin.path() : "", p.origin.line,
                           p.origin.column, c->address);
            break;
          }
          ui_.provision(c->ref(), p.type, "provision_complete");
        }
      }
      if (failed) {
        persist(next, *plan);
        return 1;
      }
      upsert(next, fresh);
      EvalScope applied = scope_from_state(plan->variables, next);
      scope.resources[c->address] = applied.resources[c->address];
      ui_.apply_complete(c->ref(), action, fresh.id(),
                         static_cast<int>((now_ms() - start) / 1000));
      if (c->action == "replace") {
        ++done.add;
        ++done.remove;
      } else if (action == "create") {
        ++done.add;
      } else {
        ++done.change;
      }
      if (!sleep_ok) return finish_interrupted(*plan, &next);
    }
    if (!persist(next, *plan)) return 1;
    if (destroy) {
      ui_.change_summary(done, "destroy");
      return 0;
    }
    ui_.change_summary(done, "apply");
    // Terraform ends every apply with an outputs message, "Outputs: 0" included.
    ui_.outputs(state_outputs_json(next), next.outputs.size());
    if (!o_.json && !next.outputs.empty()) {
      ui_.text("\nOutputs:\n");
      for (const auto& [name, o] : next.outputs) {
        ui_.text(name + " = " + (o.sensitive ? "<sensitive>" : render_value(o.value)));
      }
    }
    return 0;
  }

  static void upsert(State& s, const StateResource& r) {
    for (auto& existing : s.resources) {
      if (existing.address() == r.address()) {
        existing = r;
        return;
      }
    }
    s.resources.push_back(r);
  }

  bool persist(State& next, const Plan& plan) {
    std::vector<SimDiag> diags;
    if (plan.destroy) {
      next.outputs.clear();
    } else if (auto outs = final_outputs(module_, plan.variables, next, diags)) {
      next.outputs = *outs;
    }
    report_all(ui_, diags);
    std::string err;
    if (!write_state(state_path_, next, kSimVersion, &err)) {
      ui_.diagnostic("error", "Failed to save state", err);
      return false;
    }
    return true;
  }

  int finish_interrupted(const Plan& plan, State* next = nullptr) {
    intr_.announce(ui_);
    if (next) persist(*next, plan);
    return halted(ui_, intr_);
  }

  const Options& o_;
  const Knobs& knobs_;
  std::string cwd_;
  Ui ui_;
  Module module_;
  State state_;
  std::string state_path_;
  StateLock lock_;
  Interrupt intr_;
  std::vector<SimDiag> deferred_;  // reported after the plan lines, then exit 1
};

int cmd_version(const Options& o, const Knobs& k) {
  if (o.json) {
    ojson doc = ojson::object();
    doc[k.flavor == "tofu" ? "terraform_version" : "terraform_version"] = kSimVersion;
    doc["platform"] = "linux_amd64";
    doc["provider_selections"] = ojson::object();
    doc["terraform_outdated"] = false;
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << (k.flavor == "tofu" ? "OpenTofu v" : "Terraform v") << kSimVersion
              << "\non linux_amd64\n";
  }
  return 0;
}

int cmd_init(const Options& o, const Knobs& k) {
  Ui ui(o.json, k.flavor, kSimVersion);
  ui.version_line();
  strata::Diagnostics load;
  Module module = load_module(".", load);
  if (report_all(ui, to_sim_diags(load))) return 1;
  if (k.fail) {
    ui.diagnostic("error", "Simulated failure", "tofu-sim was told to fail \"init\"");
    return 1;
  }
  if (k.crash) std::abort();
  if (!interruptible_sleep(k.delay_ms)) {
    Interrupt intr;
    return halted(ui, intr);
  }
  ui.init_output("Initializing the backend...", "initializing_backend_message");
  std::error_code ec;
  if (module.backend) {
    Value recorded = recorded_backend();
    if (!recorded.is_null() && !same_backend(*module.backend, recorded) && !o.reconfigure) {
      ui.diagnostic("error", "Backend configuration changed",
                    "A change in the backend configuration has been detected, which may require "
                    "migrating existing state.\n\nIf you wish to attempt automatic migration of "
                    "the state, use \"terraform init -migrate-state\".\nIf you wish to store the "
                    "current configuration with no changes to the state, use \"terraform init "
                    "-reconfigure\".");
      return 1;
    }
    Value config = module.backend->config;
    if (module.backend->type == "local") {
      if (!config.find("path")) config.set("path", Value());
      if (!config.find("workspace_dir")) config.set("workspace_dir", Value());
    }
    ojson record = ojson::object();
    record["version"] = 3;
    record["terraform_version"] = kSimVersion;
    ojson backend = ojson::object();
    backend["type"] = module.backend->type;
    backend["config"] = to_ojson(config);
    backend["hash"] = std::hash<std::string>{}(to_json_text(config, -1)) % 4294967296ULL;
    record["backend"] = backend;
    fs::create_directories(".terraform", ec);
    std::ofstream(backend_record_path()) << record.dump(2);
    if (!o.json) {
      ui.text("\nSuccessfully configured the backend \"" + module.backend->type + "\"!");
    } else {
      // Terraform prints this one as coloured text even with -json.
      std::cout << "\x1b[0m\x1b[32m\nSuccessfully configured the backend \""
                << module.backend->type
                << "\"! Terraform will automatically\nuse this backend unless the backend "
                   "configuration changes.\x1b[0m\n";
    }
  }
  ui.init_output("Initializing provider plugins...", "initializing_provider_plugin_message");
  std::set<std::string> providers;
  for (const auto& r : module.resources) providers.insert(r.type);
  bool builtin = providers.erase("terraform_data") > 0;
  if (builtin) ui.log("terraform.io/builtin/terraform is built in to Terraform");
  if (!providers.empty()) {
    std::string lock = "# This file is maintained automatically by \"terraform init\".\n"
                       "# Manual edits may be lost in future updates.\n";
    for (const auto& type : providers) {
      std::string name = implied_provider(type);
      ui.log("Installing hashicorp/" + name + " (simulated by tofu-sim)...");
      lock += "\nprovider \"registry.terraform.io/hashicorp/" + name +
              "\" {\n  version = \"0.0.0-sim\"\n}\n";
    }
    fs::create_directories(".terraform/providers", ec);
    std::ofstream(".terraform.lock.hcl") << lock;
  }
  ui.init_output("Terraform has been successfully initialized!", "output_init_success_message");
  // Like Terraform, no advice for humans when running in automation.
  const char* automation = std::getenv("TF_IN_AUTOMATION");
  if (automation && *automation) return 0;
  ui.init_output(
      "You may now begin working with Terraform. Try running \"terraform plan\" to see\nany "
      "changes that are required for your infrastructure. All Terraform commands\nshould now "
      "work.\n\nIf you ever set or change modules or backend configuration for Terraform,\n"
      "rerun this command to reinitialize your working directory. If you forget, other\n"
      "commands will detect it and remind you to do so if necessary.",
      "output_init_success_cli_message");
  return 0;
}

int cmd_validate(const Options& o, const Knobs& k) {
  Ui ui(false, k.flavor, kSimVersion);
  strata::Diagnostics load;
  load_module(".", load);
  auto diags = to_sim_diags(load);
  int errors = 0, warnings = 0;
  ojson list = ojson::array();
  for (const auto& d : diags) {
    (d.severity == "error" ? errors : warnings)++;
    ojson j = {{"severity", d.severity}, {"summary", d.summary}, {"detail", d.detail}};
    if (d.origin.known()) {
      j["range"] = {{"filename", d.origin.path()},
                    {"start", {{"line", d.origin.line}, {"column", d.origin.column}, {"byte", 0}}},
                    {"end", {{"line", d.origin.line}, {"column", d.origin.column + 1}, {"byte", 0}}}};
    }
    list.push_back(j);
  }
  if (o.json) {
    ojson doc = {{"format_version", "1.0"}, {"valid", errors == 0}, {"error_count", errors},
                 {"warning_count", warnings}, {"diagnostics", list}};
    std::cout << doc.dump(2) << "\n";
  } else {
    report_all(ui, diags);
    if (errors == 0) std::cout << "Success! The configuration is valid.\n";
  }
  return errors ? 1 : 0;
}

int cmd_output(const Options& o, const Knobs& k) {
  Ui ui(false, k.flavor, kSimVersion);
  strata::Diagnostics load;
  Module module = load_module(".", load);
  std::string err;
  auto state = read_state(state_path_for(module), &err);
  if (!state) {
    ui.diagnostic("error", "Failed to load state", err);
    return 1;
  }
  if (!o.positional.empty()) {
    const std::string& name = o.positional[0];
    auto it = state->outputs.find(name);
    if (it == state->outputs.end()) {
      ui.diagnostic("error", "Output \"" + name + "\" not found",
                    "The output variable requested could not be found in the state file. If you "
                    "recently added this to your configuration, be sure to run `terraform "
                    "apply`, since the state won't be updated with new output variables until "
                    "that command is run.");
      return 1;
    }
    const Value& v = it->second.value;
    if (o.json) {
      std::cout << to_ojson(v).dump() << "\n";
    } else if (o.raw) {
      auto text = primitive_text(v);
      if (!text) {
        ui.diagnostic("error", "Unsupported value for raw output",
                      "The -raw option only supports strings, numbers, and boolean values, but "
                      "output value \"" + name + "\" is " + v.kind_name() + ".");
        return 1;
      }
      std::cout << *text;
    } else {
      std::cout << render_value(v) << "\n";
    }
    return 0;
  }
  if (o.json) {
    ojson doc = ojson::object();
    for (const auto& [name, out] : state->outputs) {
      doc[name] = {{"sensitive", out.sensitive}, {"type", to_ojson(out.type)},
                   {"value", to_ojson(out.value)}};
    }
    std::cout << (doc.empty() ? "{}" : doc.dump(2)) << "\n";
    return 0;
  }
  if (state->outputs.empty()) {
    ui.diagnostic("warning", "No outputs found",
                  "The state file either has no outputs defined, or all the defined outputs are "
                  "empty. Please define an output in your configuration with the `output` "
                  "keyword and run `terraform refresh` for it to become available.");
    return 0;
  }
  for (const auto& [name, out] : state->outputs) {
    std::cout << name << " = " << (out.sensitive ? "<sensitive>" : render_value(out.value))
              << "\n";
  }
  return 0;
}

int cmd_show(const Options& o, const Knobs& k) {
  Ui ui(false, k.flavor, kSimVersion);
  strata::Diagnostics load;
  Module module = load_module(".", load);
  std::string err;
  auto state = read_state(state_path_for(module), &err);
  if (!state) {
    ui.diagnostic("error", "Failed to load state", err);
    return 1;
  }
  if (o.positional.empty()) {
    if (o.json) {
      std::cout << state_document(*state, kSimVersion) << "\n";
    } else if (!state->exists) {
      std::cout << "No state.\n";
    } else {
      for (const auto& r : state->resources) std::cout << "# " << r.address() << ":\n";
    }
    return 0;
  }
  if (report_all(ui, to_sim_diags(load))) return 1;
  auto saved = read_plan_file(o.positional[0], &err);
  if (!saved) {
    ui.diagnostic("error", "Failed to read the given file as a state or plan file", err);
    return 1;
  }
  std::vector<SimDiag> diags;
  auto plan = make_plan(module, *state, saved->variables, saved->destroy, diags);
  if (report_all(ui, diags) || !plan) return 1;
  if (o.json) {
    std::cout << plan_document(module, *plan, *state, kSimVersion) << "\n";
  } else {
    for (const auto& c : plan->changes) {
      if (c.action != "noop") std::cout << "  # " << c.address << " will be " << c.action << "d\n";
    }
  }
  return 0;
}

}  // namespace

bool parse_options(const std::vector<std::string>& args, Options& o, std::string* err) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      o.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (kValueFlags.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) {
          *err = "flag needs an argument: -" + name;
          return false;
        }
        value = args[++i];
      }
      if (name == "var") o.vars.push_back({false, *value});
      if (name == "var-file") o.vars.push_back({true, *value});
      if (name == "out") o.out = *value;
      if (name == "lock-timeout") {
        int n = std::atoi(value->c_str());
        o.lock_timeout_ms = value->ends_with("ms") ? n : value->ends_with("m") ? n * 60000 : n * 1000;
      }
      continue;
    }
    if (!kBoolFlags.count(name)) {
      *err = "flag provided but not defined: -" + name;
      return false;
    }
    bool on = !value || *value == "true" || *value == "1";
    if (name == "json") o.json = on;
    if (name == "auto-approve") o.auto_approve = on;
    if (name == "detailed-exitcode") o.detailed_exitcode = on;
    if (name == "destroy") o.destroy = on;
    if (name == "reconfigure") o.reconfigure = on;
    if (name == "raw") o.raw = on;
    if (name == "lock") o.lock = on;
    if (name == "input") o.input = on;
  }
  return true;
}

int run_command(const Options& o, const Knobs& k, const std::string& cwd) {
  if (o.command == "version" || o.command == "-version" || o.command == "--version") {
    return cmd_version(o, k);
  }
  if (o.command == "init") return cmd_init(o, k);
  if (o.command == "validate") return cmd_validate(o, k);
  if (o.command == "output") return cmd_output(o, k);
  if (o.command == "show") return cmd_show(o, k);
  if (o.command == "plan" || o.command == "apply" || o.command == "destroy") {
    return Operation(o, k, cwd).run();
  }
  std::cerr << "tofu-sim: the \"" << o.command
            << "\" command is not simulated; supported: version, init, validate, plan, apply, "
               "destroy, output, show\n";
  return 1;
}

}  // namespace tofu_sim
