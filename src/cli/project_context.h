// What commands that work on a project share: loading it (every problem reported, the first
// error thrown) and choosing the engine (--engine, strata.yaml `engine:`, STRATA_ENGINE, then
// tofu and terraform on PATH; tofu-sim only when named, with a banner saying it is simulated).
#pragma once

#include <memory>

#include "base/log.h"
#include "cli/globals.h"
#include "config/project_loader.h"
#include "engine/engine.h"
#include "secrets/sops_resolver.h"

namespace strata::cli {

// A loaded project with what a run needs beside it: the secret resolver (sops:// references,
// decrypted in-process) and the redactor that every resolved secret is added to, so no log
// line, event or message shows it.
struct ProjectSession {
  std::unique_ptr<Redactor> redactor;
  std::unique_ptr<secrets::SopsSecretResolver> secrets;
  config::LoadedProject loaded;
  const Project& project() const { return loaded.project; }
};

config::LoadOptions load_options(const Globals& globals);

// Loads the project; warnings go to stderr; throws the first error (others in its hint) unless
// `throw_on_errors` is false (validate reports them all itself).
std::unique_ptr<ProjectSession> open_project(const Globals& globals, bool throw_on_errors = true);

// What a command-line stack argument names: a stack by name, or a Kompos config folder
// (relative to the project root or the current folder): the stack's folder
// (`config/cloud=aws/env=dev/` names stack `cloud=aws/env=dev`), or a leaf below it
// (`…/composition=terraform/terraform=vpc`), which names component `vpc` as well.
struct StackArgument {
  std::string stack;
  std::string component;  // set for a leaf folder
  // The folder relative to the project root when the argument is one at or below the config
  // folder (which may hold no stack at all, e.g. `config/cloud=aws`); else empty.
  std::string config_folder;
};
StackArgument parse_stack_argument(const Project& project, const std::string& argument);

// parse_stack_argument(…).stack.
std::string stack_name_from_argument(const Project& project, std::string argument);

// The error for a STACK argument that names no stack: suggests a near name, or, for an existing
// folder outside config_dir, says that hierarchical YAML is read from config_dir only.
Error unknown_stack(const Project& project, const std::string& argument);

// The --help footer of commands about one component (`output`, `run`): the folder forms of
// STACK, then `tail`, that command's own leaf-folder usage.
std::string component_folder_forms(const std::string& tail);

// For commands about one component (`output`, `run`): `STACK COMPONENT …` or `LEAF …`, where
// `first` is a stack name or folder, or a Kompos leaf folder (which names the component too) and
// `second` the next word (empty when none). `second_used` says whether `second` named the
// component (false for a leaf folder: the words after it shift by one). Throws strata::Error
// for an unknown stack or component, a folder that is neither a stack nor a leaf, and a missing
// component; `usage` ("strata output") goes into hints.
struct ComponentArgument {
  ComponentRef ref;
  bool second_used = true;
};
ComponentArgument parse_component_arguments(const Project& project, const std::string& first,
                                            const std::string& second, const std::string& usage);

// The engine for this project, or an Error saying how to install or name one.

std::unique_ptr<Engine> make_engine(const Globals& globals, const Project& project);

}  // namespace strata::cli
