// Writes a synthetic Kompos configuration tree for the YAML load benchmark.
#pragma once

#include <string>

namespace strata::bench {

struct YamlTreeShape {
  int clouds = 2, envs = 5, regions = 10, clusters = 20;  // the 5 layers: config/ + these 4
  int components = 5;         // composition=terraform/terraform=<name> leaves per cluster
  int values_per_layer = 20;  // scalar values per layer file
  int interpolated_percent = 20;
};

// Creates <dir>/.komposconfig.yaml, <dir>/modules/<component>/ and <dir>/config/…; returns the
// number of leaf folders written.
int generate_yaml_tree(const std::string& dir, const YamlTreeShape& shape);

}  // namespace strata::bench
