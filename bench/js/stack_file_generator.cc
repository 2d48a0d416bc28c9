#include "stack_file_generator.h"

#include <filesystem>
#include <fstream>

namespace strata::bench {

void generate_stack_project(const std::string& dir, int stacks, int components_per_stack) {
  namespace fs = std::filesystem;
  fs::create_directories(fs::path(dir) / "stacks" / "lib");
  std::ofstream(fs::path(dir) / "comet.yaml") << "tf_command: terraform\nstacks_dir: stacks\n";
  std::ofstream(fs::path(dir) / "stacks" / "lib" / "naming.js")
      << "module.exports.name = (stack, part) => `acme-${stack}-${part}`;\n"
         "module.exports.tags = (stack) => ({ env: stack, team: 'platform', cost: 'shared' });\n";
  for (int s = 0; s < stacks; ++s) {
    std::string name = "env-" + std::to_string(s);
    std::ofstream out(fs::path(dir) / "stacks" / (name + ".stack.js"));
    out << "const naming = require('./lib/naming');\n"
        << "const st = stack('" << name << "', { opts: { org: 'acme', index: " << s << " } });\n"
        << "backend('gcs', { bucket: 'tf-state', prefix: 'acme/{{ .stack }}/{{ .component }}' });\n"
        << "metadata({ description: 'generated stack " << s << "', tags: ['bench'] });\n";
    for (int c = 0; c < components_per_stack; ++c) {
      out << "const c" << c << " = component('comp" << c << "', 'modules/m" << (c % 4) << "', {\n"
          << "  inputs: {\n"
          << "    name: naming.name(st.name, 'comp" << c << "'),\n"
          << "    size: " << (c + 1) * 10 << ",\n"
          << "    ratio: 0." << c + 1 << ",\n"
          << "    enabled: " << (c % 2 ? "true" : "false") << ",\n"
          << "    zones: ['a', 'b', 'c'],\n"
          << "    tags: naming.tags(st.name),\n";
      if (c > 0) out << "    upstream: `${c" << c - 1 << ".id}/sub`,\n";
      if (c > 1) out << "    first: c0.name,\n";
      out << "  },\n";
      if (c % 3 == 0) {
        out << "  providers: { google: { project: 'acme-" << s
            << "', region: 'europe-west1' } },\n";
      }
      out << "});\n";
    }
    out << "append('providers', ['data \"google_client_config\" \"default\" {}']);\n";
  }
}

}  // namespace strata::bench
