// ComponentFiles: everything generation needs to write one workdir, already resolved (templates
// rendered, secrets decrypted, references turned into values or expressions). Generation does
// no templating of its own: it only lays files out, deterministically and without losing data.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "model/project.h"

namespace strata {

// A terraform_remote_state data source generated for a state() reference used in provider
// configuration (Terraform resolves it at plan time, so no output is needed before).
struct RemoteStateSource {
  std::string name;     // data source name, e.g. "shared_network"
  Backend backend;      // the referenced component's backend, templated
};

struct ComponentFiles {
  ComponentRef ref;
  std::string project_root;  // absolute
  std::string work_root;     // absolute <root>/<work_dir>
  std::string source;        // module path relative to project_root; "base//sub" supported

  Value inputs = Value::map();  // resolved tfvars; sensitive top-level keys go to TF_VAR_*
  bool generate_backend = true;
  Backend backend;              // resolved; an empty type means none
  Value providers = Value::map();
  // Paths ("aws/assume_role/role_arn") of provider strings that are raw HCL expressions
  // (state() references rewritten to remote-state lookups).
  std::set<std::string> provider_expressions;
  std::vector<std::string> provider_appends;
  std::vector<RemoteStateSource> remote_states;
  // The stack's environment variables for the engine, secret references decrypted (envs({K:
  // secret('k')}) in JavaScript); not written to any file.
  std::map<std::string, std::string> env;
  // What the user should hear about (a value that looks like a secret reference but is text).
  std::vector<std::string> warnings;

  // Kompos-style stacks: the merged config written as variables.tfvars.json under `config`,
  // provider/terraform keys as provider.tf.json, and data for .tf.versioned rendering.
  bool kompos_style = false;
  Value kompos_config;        // merged tree (written under the enclosing key "config")
  Value provider_json;        // written as provider.tf.json when not null
  Value versioned_data;       // null = .tf.versioned files are copied, not rendered
  // The ending of the files rendered: `X<ext>` becomes `X.tf` (a `X.tf` beside it is left out).
  std::string versioned_extension = ".tf.versioned";
};

}  // namespace strata
