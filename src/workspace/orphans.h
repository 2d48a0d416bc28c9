// State orphans: a workdir under the work dir that holds Terraform state (or was initialised
// with a remote backend, whose state lives there) for a component the project no longer
// declares — renamed or removed. Such state is never dropped silently: validate, plan, apply
// and destroy report it, `strata state orphans` lists it, and `strata state mv` moves local
// state to the component's new name.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "model/project.h"

namespace strata::workspace {

struct StateOrphan {
  std::string name;           // "dev/old-app": the stack and component its folder names
  std::string workdir;        // relative to the project root: ".strata/dev/old-app"
  std::vector<std::string> state_files;  // relative to the workdir: "terraform.tfstate", ...
  std::string remote_backend;  // the backend type .terraform/ records when not local ("s3"), else ""
};

// Every orphan under the project's work dir, sorted by name. Reads directories and small JSON
// files only; no lock is taken.
// `declared`, when given, names the declared components ("stack/component") instead of the
// project's (a focused workspace's project holds only some stacks).
std::vector<StateOrphan> find_state_orphans(const Project& project, const std::set<std::string>* declared = nullptr);

// One line per orphan and what to do, for warnings ("…: holds state for dev/old-app, which no
// stack declares; …").
std::string describe_orphan(const StateOrphan& orphan);

// Moves the local state of the orphan `from` ("dev/old-app") into the workdir of the declared
// component `to` ("dev/app"), under both workdirs' locks. Refuses (strata::Error) when `from` is
// not an orphan, `to` is not declared or already holds state, or the state lives in a remote
// backend. Returns the moved files, relative to the project root.
std::vector<std::string> move_orphan_state(const Project& project, const std::string& from, const std::string& to);

}  // namespace strata::workspace
