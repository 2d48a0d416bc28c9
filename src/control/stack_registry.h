// The stack-code registry (DESIGN §11.4, #23; the Stackly model): what a push to a repository's
// default branch registers, updates and deregisters, and re-associating a loose stack state.
// A repository with auto_destroy destroys a stack whose code is removed (with the code of the
// registry's commit before, where it still exists) instead of keeping its state loose.
//
// strata's unit of state is a component (its Terraform state lives at
// "<repository>/<stack>/<component>"), so a component is identified by its stack and name, not
// by its module's folder: a module moved to another folder whose component keeps its name is
// an update (its state stays attached); a component or stack renamed or removed is deregistered,
// and a stack with no component left becomes a loose stack state whose Terraform state is kept
// until it is re-associated with stack code (or destroyed by hand).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/project.h"
#include "store/store.h"

namespace strata::control {

class ControlPlane;
class GitCache;
struct ProjectAtCommit;

// The components of `loaded`'s project that use a file changed between commits `from` and `to`
// of repository `repository_id` (graph/changed_components.h; dependents are the selection's
// business). Throws an Error when the cache lacks either commit.
std::vector<ComponentRef> components_changed(GitCache& git, const std::string& repository_id, const std::string& from,
                                            const std::string& to, const ProjectAtCommit& loaded);

// What one push did to the registry.
struct RegistrySync {
  std::string commit;
  std::vector<std::string> registered;    // "stack/component"
  std::vector<std::string> updated;
  std::vector<std::string> deregistered;
  std::vector<std::string> loose;         // stacks whose state became loose
  std::vector<std::string> destroying;    // stacks being destroyed instead (the repository's auto_destroy)
  std::vector<std::string> alerts;        // stack state ids a force-push left pointing at a dropped commit
  std::string run_id;                     // the plan scheduled for what changed ("" = none)
  std::string note;                       // anything unusual about this sync ("" = nothing)
  // One line for the delivery's outcome: "registered 3, updated 1, …; plan run ID".
  std::string summary() const;
};

// What the registry is compared with.
struct RegistryInput {
  std::string repository_id;
  std::string repository_name;
  std::string account;
  std::string commit;
  std::vector<store::StackCode> codes;    // registered now
  std::vector<store::StackState> states;  // registered now
  // The project at `commit`: stack -> component -> its module's folder (relative to the root).
  std::map<std::string, std::map<std::string, std::string>> found;
  // Components whose files changed since the registry's commit (graph/changed_components.h).
  std::set<std::pair<std::string, std::string>> changed;
};

// The registry update a push makes (no I/O: tested on its own). New components are registered
// (a stack state for a stack that has none active), changed ones updated, removed ones
// deregistered; a stack none of whose components is left has its state marked loose.
store::RegistryUpdate registry_update(const RegistryInput& input, RegistrySync* sync);

class StackRegistry {
 public:
  explicit StackRegistry(ControlPlane& control) : control_(control) {}

  // Brings the registry of `repository` up to `commit` of its default branch: fetches, loads
  // the project there, diffs it against the registry's commit, stores the update with its
  // events, raises an alert on active stack states whose commit is no longer in the branch's
  // history when `forced`, and schedules a plan of what changed (with its dependents). The
  // first sync of a repository only registers. Throws an Error when the project does not load
  // (nothing changes then: a broken commit never deregisters anything).
  RegistrySync sync(const store::Repository& repository, const std::string& commit, bool forced,
                    const std::string& created_by);

  // Stack states being destroyed whose destroy run ended: destroyed when it succeeded; loose
  // again, with an alert naming the run, when it did not. Returns how many changed.
  size_t settle_destroys();

  // Re-associates loose stack state `state_id` with stack `stack`'s registered code: the
  // component sets must match, and the stack's components must hold no Terraform state of
  // their own; their state keys then hold the loose state's. Throws an Error saying why not
  // (kNotFound, kConflict); returns the stack state, now active.
  store::StackState associate(const std::string& state_id, const std::string& stack, const std::string& actor);

 private:
  ControlPlane& control_;
};

}  // namespace strata::control
