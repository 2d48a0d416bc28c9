// libFuzzer target for the hierarchical YAML front-end: the input becomes, in turn, one layer
// of a small Kompos project (with a general layer above it and two leaves below) and its
// .komposconfig.yaml, and the project is loaded as `strata` loads it (load_yaml_stacks) and as
// `strata describe` resolves a leaf (resolve_folder). Problems in the input must end as
// diagnostics: never a crash, a hang or a leak.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/yaml/yaml_stack_loader.h"

namespace fs = std::filesystem;

namespace {

constexpr char kKomposConfig[] = R"(komposconfig:
  terraform:
    local_path: ./compositions/terraform
  compositions:
    order:
      terraform: [network, cluster]
    system_keys:
      terraform: [provider, terraform]
    config_keys:
      excluded:
        network: [cluster]
)";

constexpr char kDefaults[] = R"(cloud: {type: aws}
provider: {aws: {region: "{{region.name}}"}}
terraform: {required_version: ">= 1.5"}
tags: [base]
)";

constexpr char kEnvLayer[] = R"(region: {name: us-east-1}
env: dev
tags: [dev]
)";

constexpr char kLeafFolder[] = "config/cloud=aws/env=dev/composition=terraform/terraform=network";

// The project the inputs are written into: made once, removed when the fuzzer exits.
class FuzzProject {
 public:
  FuzzProject() {
    std::string pattern = (fs::temp_directory_path() / "strata-yaml-fuzz-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    write(".komposconfig.yaml", kKomposConfig);
    write("config/defaults.yaml", kDefaults);
    write("config/cloud=aws/env=dev/env.yaml", kEnvLayer);
    write(std::string(kLeafFolder) + "/n.yaml", "net: {cidr: 10.0.0.0/16}\n");
    write("config/cloud=aws/env=dev/composition=terraform/terraform=cluster/c.yaml",
          "cluster: {name: c1, full: \"{{env}}-{{cluster.name}}\"}\n");
    fs::create_directories(fs::path(root_) / "compositions/terraform/aws/network");
  }
  ~FuzzProject() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const std::string& root() const { return root_; }
  void write(const std::string& rel, const std::string& text) const {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }

 private:
  std::string root_;
};

void load(const FuzzProject& project) {
  static const std::map<std::string, std::string> kEnvironment = {{"REGION", "eu-west-1"}};
  strata::yaml::YamlLoadOptions options;
  options.environment = &kEnvironment;
  strata::Diagnostics diagnostics;
  std::map<std::string, strata::Stack> stacks;
  strata::yaml::load_yaml_stacks(project.root(), strata::Settings{}, options, stacks, diagnostics);
  (void)strata::yaml::resolve_folder(project.root(), "config", kLeafFolder, options, diagnostics);
  for (const auto& d : diagnostics.items()) (void)d.render();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzProject project;
  std::string text(reinterpret_cast<const char*>(data), size);

  project.write("config/cloud=aws/env=dev/env.yaml", text);
  load(project);
  project.write("config/cloud=aws/env=dev/env.yaml", kEnvLayer);

  project.write(".komposconfig.yaml", text);
  load(project);
  project.write(".komposconfig.yaml", kKomposConfig);
  return 0;
}
