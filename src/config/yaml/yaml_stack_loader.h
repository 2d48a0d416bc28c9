// The hierarchical YAML front-end's entry point: every `composition=terraform/terraform=<name>`
// leaf under the config folder becomes component `<name>` of the stack named by the folder path
// above `composition=…` (e.g. `cloud=aws/env=dev/cluster=c1`), as Kompos lays it out.
#pragma once

#include <map>
#include <optional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "secrets/secret_resolver.h"
#include "config/yaml/kompos_config.h"
#include "config/yaml/layers.h"
#include "model/error.h"
#include "model/project.h"

namespace strata::yaml {

struct YamlLoadOptions {
  // Variables for {{env(NAME)}}; null = the process environment.
  const std::map<std::string, std::string>* environment = nullptr;
  SecretResolver* secrets = nullptr;    // null = sops:// references stay strings
  std::optional<ListMerge> list_merge;  // overrides .komposconfig.yaml
  // For resolve_folder only (stacks use .komposconfig.yaml's keys): top-level keys removed
  // before interpolation, and the only top-level keys kept after it.
  std::vector<std::string> exclude, filter;
  // The largest YAML file read (a layer or .komposconfig.yaml); 0 = STRATA_YAML_MAX_FILE_MB
  // from `environment` (else the process environment), else kDefaultMaxFileBytes.
  size_t max_file_bytes = 0;
};

// The file size limit for `options` (see YamlLoadOptions::max_file_bytes); a
// STRATA_YAML_MAX_FILE_MB that is not a positive number is an error in `diagnostics` (and the
// default applies).
size_t file_size_limit(const YamlLoadOptions& options, Diagnostics& diagnostics);

// One loaded leaf: the component as the model holds it, plus what only Kompos-style generation
// needs.
struct YamlComponent {
  std::string stack;     // e.g. "cloud=aws/env=dev/cluster=c1"
  Component component;   // inputs = {"config": merged tree less system/excluded keys}
  Value raw;             // merged and interpolated, nothing excluded (Kompos's "raw" config)
  Value versioned_data;  // raw when .tf.versioned rendering is on, else null
};

// A leaf folder's path ('/'-separated, relative or absolute) split into the folder of its stack
// and the component it names: `<stack>/composition=terraform/terraform=<name>`, or (newer Kompos
// layouts) `<stack>/composition=<name>`, `typed` then. `stack_folder` is "" when the leaf sits
// right at the start of `path`. nullopt for any other folder. Whether a typed folder really is a
// component depends on the routing in .komposconfig.yaml (see find_terraform_leaves).
struct LeafFolder {
  std::string stack_folder;
  std::string component;
  bool typed = false;
};
std::optional<LeafFolder> split_leaf_folder(const std::string& path);

// The component leaves under `config_dir` (absolute, sorted): `…/composition=terraform/
// terraform=<name>` folders, and (newer Kompos layouts) `…/composition=<name>` folders whose
// <name> is one of `terraform_types` (.komposconfig.yaml `compositions.order.terraform`, Kompos's
// routing table) and that hold no `terraform=…` folder. Hidden folders are not searched.
// `unrouted`, when given, receives the `composition=<name>` folders (absolute) whose <name> is
// neither in `terraform_types` nor in `other_types` (the other runners' order lists), and that
// hold no terraform=… folder: Kompos routes them nowhere, so they are probably a mistake.
std::vector<std::string> find_terraform_leaves(const std::string& config_dir,
                                               const std::set<std::string>& terraform_types = {},
                                               const std::set<std::string>& other_types = {},
                                               std::vector<std::string>* unrouted = nullptr);

// Loads every leaf under <project_root>/<settings.config_dir>. A leaf whose layers or
// interpolation fail becomes diagnostics; the others still load. A leaf with
// `composition.enabled` false/0/no/off is skipped.
std::vector<YamlComponent> load_yaml_components(const std::string& project_root,
                                                const Settings& settings,
                                                const YamlLoadOptions& options,
                                                Diagnostics& diagnostics);

// The merged, interpolated tree at any folder at or below the config folder, as
// `kompos PATH config` (himl) shows it; `folder` is absolute or relative to `project_root`,
// `config_dir` likewise. The `komposconfig` key holds .komposconfig.yaml's settings. Problems
// become diagnostics (the tree is then incomplete).
Value resolve_folder(const std::string& project_root, const std::string& config_dir,
                     const std::string& folder, const YamlLoadOptions& options,
                     Diagnostics& diagnostics);

// Adds the YAML stacks (kind "yaml") to `stacks`, one per folder above `composition=…`.
// Does nothing when the config folder does not exist.
void load_yaml_stacks(const std::string& project_root, const Settings& settings,
                      const YamlLoadOptions& options, std::map<std::string, Stack>& stacks,
                      Diagnostics& diagnostics);

// Same, into a Project (a stack name already taken is an error naming both sources).
void load_yaml_stacks(const std::string& project_root, const Settings& settings, Project& project,
                      Diagnostics& diagnostics);

}  // namespace strata::yaml
