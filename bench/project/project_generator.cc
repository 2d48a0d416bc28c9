#include "project_generator.h"

#include <filesystem>
#include <fstream>

namespace strata::bench {
namespace {

namespace fs = std::filesystem;

constexpr int kModules = 4;

void write_modules(const fs::path& root) {
  for (int m = 0; m < kModules; ++m) {
    fs::path dir = root / "modules" / ("m" + std::to_string(m));
    fs::create_directories(dir);
    std::ofstream(dir / "variables.tf")
        << "variable \"name\" { type = string }\n"
           "variable \"size\" { type = number }\n"
           "variable \"ratio\" { type = number }\n"
           "variable \"enabled\" { type = bool }\n"
           "variable \"zones\" { type = list(string) }\n"
           "variable \"tags\" { type = map(string) }\n"
           "variable \"network\" { type = string }\n"
           "variable \"upstream\" {\n  type    = string\n  default = \"\"\n}\n"
           "variable \"first\" {\n  type    = string\n  default = \"\"\n}\n";
    std::ofstream(dir / "main.tf")
        << "resource \"terraform_data\" \"this\" {\n"
           "  input = {\n    name     = var.name\n    size     = var.size\n"
           "    upstream = var.upstream\n    network  = var.network\n  }\n}\n";
    std::ofstream(dir / "outputs.tf")
        << "output \"id\" { value = terraform_data.this.id }\n"
           "output \"name\" { value = var.name }\n";
  }
  fs::path net = root / "modules" / "network";
  fs::create_directories(net);
  std::ofstream(net / "main.tf")
      << "variable \"cidr\" { type = string }\n"
         "resource \"terraform_data\" \"vpc\" { input = var.cidr }\n"
         "output \"vpc_id\" { value = terraform_data.vpc.id }\n";
}

}  // namespace

int generate_js_project(const std::string& dir, const JsProjectShape& shape) {
  fs::path root(dir);
  fs::create_directories(root / "stacks" / "lib");
  std::ofstream(root / "comet.yaml") << "stacks_dir: stacks\nwork_dir: .strata\n";
  std::ofstream(root / "stacks" / "lib" / "naming.js")
      << "module.exports.name = (stack, part) => `acme-${stack}-${part}`;\n"
         "module.exports.tags = (stack) => ({ env: stack, team: 'platform', cost: 'shared' });\n";
  std::ofstream(root / "stacks" / "shared.stack.js")
      << "stack('shared', { org: 'acme' });\n"
         "backend('local', { path: 'state/{{ .stack }}/{{ .component }}.tfstate' });\n"
         "component('network', 'modules/network', {\n"
         "  inputs: { cidr: '10.0.0.0/16' },\n"
         "  mock_outputs: { vpc_id: 'vpc-not-created-yet' },\n"
         "});\n";
  if (shape.with_modules) write_modules(root);
  int written = 1;
  for (int s = 0; s < shape.stacks; ++s) {
    std::string name = "env-" + std::to_string(s);
    std::ofstream out(root / "stacks" / (name + ".stack.js"));
    out << "const naming = require('./lib/naming');\n"
        << "const st = stack('" << name << "', { opts: { org: 'acme', index: " << s << " } });\n"
        << "backend('local', { path: 'state/{{ .stack }}/{{ .component }}.tfstate' });\n"
        << "metadata({ description: 'generated stack " << s << "', tags: ['bench'] });\n";
    for (int c = 0; c < shape.components; ++c) {
      out << "const c" << c << " = component('comp" << c << "', 'modules/m" << (c % kModules)
          << "', {\n"
          << "  inputs: {\n"
          << "    name: naming.name(st.name, 'comp" << c << "'),\n"
          << "    size: " << (c + 1) * 10 << ",\n"
          << "    ratio: 0." << c + 1 << ",\n"
          << "    enabled: " << (c % 2 ? "true" : "false") << ",\n"
          << "    zones: ['a', 'b', 'c'],\n"
          << "    tags: naming.tags(st.name),\n"
          << "    network: '{{ (state \"shared\" \"network\").vpc_id }}',\n";
      if (c > 0) out << "    upstream: `${c" << c - 1 << ".id}/sub`,\n";
      if (c > 1) out << "    first: c0.name,\n";
      out << "  },\n"
          << "  mock_outputs: { id: 'id-not-created-yet', name: 'name-not-created-yet' },\n";
      if (c % 3 == 0) {
        out << "  providers: { google: { project: 'acme-" << s
            << "', region: 'europe-west1' } },\n";
      }
      out << "});\n";
      ++written;
    }
    out << "append('providers', ['data \"google_client_config\" \"default\" {}']);\n";
  }
  return written;
}

}  // namespace strata::bench
