// Saved plans: `strata plan` keeps each component's plan file, and beside it a stamp of what the
// plan was made from — the generated files (inputs, backend, providers, the module's copy), the
// values that reach the engine outside them (secrets, TF_VAR_ variables, the stack's env), the
// local state, the engine and the flags given after --. `strata apply` applies the saved plan
// only when all of that is still the same (what was reviewed is what is applied) and otherwise
// plans afresh, saying what changed; `--plan-only-saved` refuses instead.
//
// The stamp holds digests (SHA-256), never values, and the plan's changes as the summary shows
// them (masked): the confirmation prompt lists them without running the engine. It is written
// 0600 in the plans' 0700 folder, beside a plan file that holds the variables in clear anyway.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/plan_changes.h"

namespace strata {

// Whether apply uses the plans `strata plan` saved.
enum class SavedPlans {
  kUse,      // apply a saved plan when nothing changed since; else plan afresh, saying why
  kRequire,  // --plan-only-saved: a component without an unchanged saved plan fails
};

struct PlanStamp {
  std::map<std::string, std::string> files;  // generated file (relative to the workdir) -> digest
  std::string values;                        // digest of secrets, TF_VAR_ variables, stack env
  std::string state;                         // digest of the local state file; "" when none
  std::string engine;                        // the engine's path
  // Engine flags given after --. Apply without flags applies the plan as it was made (a plan
  // made with -target applies only that); apply with other flags than the plan's plans afresh.
  std::vector<std::string> args;
  std::string planned_at;                    // UTC, "2026-12-06 03:10:02"
  std::optional<PlanChanges> changes;        // masked, as the summary shows them
};

std::string plan_stamp_text(const PlanStamp& stamp);
// nullopt for text that is not a stamp (a damaged file, or one of another version).
std::optional<PlanStamp> parse_plan_stamp(const std::string& text);

// Why a plan stamped `then` must not be applied when things are as `now` says; "" when it can.
// One sentence naming what changed: "its generated files changed since the plan (main.tf,
// terraform.tfvars.json)", "the state changed since the plan", ….
std::string stale_plan_reason(const PlanStamp& then, const PlanStamp& now);

// A saved plan as bytes: what a control plane keeps of a plan made on one worker and hands to
// the apply on another (both are put where `strata plan` would have left them).
struct SavedPlanFiles {
  std::string plan_file;  // the engine's plan file
  std::string stamp;      // plan_stamp_text
};

// The digest of values that reach the engine outside the generated files (name -> value).
std::string values_digest(const std::map<std::string, std::string>& values);

// The digest of a local state file's content; "" when there is none.
std::string state_digest(const std::string& state_file);

}  // namespace strata
