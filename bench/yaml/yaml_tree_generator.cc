#include "yaml_tree_generator.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace strata::bench {
namespace {

// One layer file: a section named after the layer with `values` entries, of which
// `interpolated_percent` reference values set by the layers above (or this one).
std::string layer_yaml(const std::string& layer, const std::string& name,
                       const std::string& parent_layer, const YamlTreeShape& shape) {
  std::string out = layer + ":\n  name: " + name + "\n";
  out += "  tags: [" + layer + "-" + name + "]\n";
  for (int i = 0; i < shape.values_per_layer; ++i) {
    out += "  v" + std::to_string(i) + ": ";
    if (i * 100 < shape.values_per_layer * shape.interpolated_percent) {
      std::string ref = parent_layer.empty() ? layer : parent_layer;
      out += i % 2 == 0 ? "\"{{" + ref + ".name}}-" + std::to_string(i) + "\""
                        : "\"{{" + ref + ".v" + std::to_string(i + 2) + "}}\"";
    } else {
      out += i % 3 == 0 ? std::to_string(i * 7) : "value-" + std::to_string(i);
    }
    out += "\n";
  }
  return out;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

int generate_yaml_tree(const std::string& dir, const YamlTreeShape& shape) {
  fs::path root(dir);
  write(
      root / ".komposconfig.yaml",
      "komposconfig:\n  compositions:\n    system_keys:\n      terraform: [provider, terraform]\n");
  for (int c = 0; c < shape.components; ++c)
    write(root / "modules" / ("comp" + std::to_string(c)) / "main.tf", "");
  write(root / "config" / "defaults.yaml",
        layer_yaml("global", "g", "", shape) +
            "provider:\n  aws:\n    region: \"{{region.name}}\"\n");
  int leaves = 0;
  for (int a = 0; a < shape.clouds; ++a) {
    fs::path p1 = root / "config" / ("cloud=c" + std::to_string(a));
    write(p1 / "cloud.yaml", layer_yaml("cloud", "c" + std::to_string(a), "global", shape));
    for (int b = 0; b < shape.envs; ++b) {
      fs::path p2 = p1 / ("env=e" + std::to_string(b));
      write(p2 / "env.yaml", layer_yaml("env", "e" + std::to_string(b), "cloud", shape));
      for (int r = 0; r < shape.regions; ++r) {
        fs::path p3 = p2 / ("region=r" + std::to_string(r));
        write(p3 / "region.yaml", layer_yaml("region", "r" + std::to_string(r), "env", shape));
        for (int k = 0; k < shape.clusters; ++k) {
          fs::path p4 = p3 / ("cluster=k" + std::to_string(k));
          write(p4 / "cluster.yaml",
                layer_yaml("cluster", "k" + std::to_string(k), "region", shape));
          for (int c = 0; c < shape.components; ++c) {
            std::string comp = "comp" + std::to_string(c);
            write(p4 / "composition=terraform" / ("terraform=" + comp) / "leaf.yaml",
                  "component:\n  name: " + comp + "\n  full: \"{{cluster.name}}-" + comp +
                      "\"\n  zones: [a, b]\n");
            ++leaves;
          }
        }
      }
    }
  }
  return leaves;
}

}  // namespace strata::bench
