// The `.komposconfig.yaml` settings strata honours for hierarchical YAML stacks. Only the project
// root's file is read (Kompos also reads /etc/kompos/ and ~/; strata keeps a project
// self-contained).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml/layers.h"
#include "config/yaml/yaml_reader.h"
#include "model/error.h"
#include "model/origin.h"

namespace strata::yaml {

struct KomposConfig {
  // Module folder: <local_path>/<root_path>[/<cloud.provider>]/<component>, relative to the
  // project root. From `terraform.{local_path,root_path}`, else
  // `compositions.source.{local_path,root_path}`; both empty = `modules/<component>`.
  std::string local_path;
  std::string root_path;
  // `terraform.versioned_module_sources` (schema default: true): render .tf.versioned files.
  bool versioned_module_sources = true;
  // `terraform.versioned_extension` (default .tf.versioned): a module file `X<ext>` is rendered
  // into `X.tf`, and a `X.tf` beside it is left out.
  std::string versioned_extension = ".tf.versioned";
  // `compositions.system_keys.terraform` (default [provider, terraform]); `komposconfig` is
  // always excluded as well.
  std::vector<std::string> system_keys = {"provider", "terraform"};
  // `compositions.order.terraform`: the order Kompos runs compositions in. strata makes each
  // listed component depend on the nearest earlier listed one present in the same stack (destroy
  // then runs in reverse); each name keeps its origin in the file for the dependency's origin.
  std::vector<std::pair<std::string, Origin>> terraform_order;
  // The types the other runners' `compositions.order.<runner>` lists route (helmfile, tfe…):
  // `composition=<type>` folders strata leaves to Kompos without a word.
  std::set<std::string> other_runner_types;
  // `compositions.config_keys.excluded.<component>`: top-level keys left out of its tfvars.
  std::map<std::string, std::vector<std::string>> excluded_keys;
  // strata's own addition, `strata.list_merge_strategy` at the top of the file (outside
  // `komposconfig`); Kompos itself always appends.
  ListMerge list_merge = ListMerge::kAppend;
  Origin origin;  // the file, when there is one
  // The `komposconfig` map itself: Kompos puts it into the layered data, so placeholders such
  // as {{komposconfig.compositions.properties.app.output_subdir}} resolve. Null without a file.
  Value data;
};

// Reads `<project_root>/.komposconfig.yaml`; defaults when there is none. Throws strata::Error
// (with file:line:col) for a value of the wrong type or an unknown list strategy, and for a file
// larger than `max_file_bytes`.
KomposConfig read_kompos_config(const std::string& project_root,
                                size_t max_file_bytes = kDefaultMaxFileBytes);

// The settings of Kompos's other runners that strata leaves alone, because it writes workdirs
// as Kompos's terraform runner does: `defaults.base_dir`, `compositions.build_order`,
// `compositions.properties.<type>.output_subdir` and each key under `tfe`. One warning each (at
// the value in the file), saying what Kompos uses it for and what strata does instead; the
// build_order warning also says when its terraform entries contradict
// `compositions.order.terraform`. `work_dir` is strata.yaml's. Only `strata validate` asks.
void warn_runner_only_settings(const KomposConfig& config, const std::string& work_dir,
                               Diagnostics& diagnostics);

}  // namespace strata::yaml
