// libFuzzer target for the JavaScript front-end: the input is a stack file in a small project
// (with a helper module it may require), loaded as `strata` loads stack files (load_js_stacks),
// with a short time limit so that strata's watchdog, not libFuzzer's -timeout, stops a file that
// loops. After every input a known stack file must still load exactly: a file that leaves the
// shared JavaScriptCore VM broken fails as surely as a crash. Problems in the input must end as
// diagnostics: never a crash, a hang or a leak.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/js/js_stack_loader.h"

namespace fs = std::filesystem;

namespace {

constexpr char kHelper[] = R"(// A helper module (defines no stack).
module.exports = { tags: { project: 'fuzz', owner: 'platform-team' } };
)";

constexpr char kKnownGood[] = R"(const { tags } = require('./lib/common');
stack('known', { region: 'eu-west-1' });
const net = component('network', 'modules/network', { inputs: { name: tags.project } });
component('app', 'modules/app', { inputs: { vpc_id: net.vpc_id, zones: [1, 2] } });
)";

// The project the inputs are written into: made once, removed when the fuzzer exits.
class FuzzProject {
 public:
  FuzzProject() {
    std::string pattern = (fs::temp_directory_path() / "strata-js-fuzz-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    write("stacks/lib/common.js", kHelper);
    write("stacks/lib/data.json", "{\"zones\": [\"a\", \"b\"]}\n");
    write("known/known.js", kKnownGood);
    write("known/lib/common.js", kHelper);
  }
  ~FuzzProject() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const std::string& root() const { return root_; }
  std::string file(const std::string& rel) const { return root_ + "/" + rel; }
  void write(const std::string& rel, const std::string& text) const {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }

 private:
  std::string root_;
};

strata::js::RunnerOptions runner_options(const FuzzProject& project) {
  static const std::map<std::string, std::string> kEnvironment = {{"REGION", "eu-west-1"}};
  strata::js::RunnerOptions options;
  options.root = project.root();
  options.environment = &kEnvironment;
  // Far below libFuzzer's -timeout and -rss_limit_mb=2048 (scripts/fuzz), so that strata's own
  // limits are what stop a file.
  options.timeout_seconds = 0.5;
  options.memory_limit_bytes = size_t{1536} << 20;
  options.log = [](strata::js::LogLevel, const std::string&, const strata::Origin&) {};
  return options;
}

// The known stack file loads to the same model after any input, or the fuzzer stops here.
void check_vm_still_works(const FuzzProject& project, const strata::js::RunnerOptions& options) {
  strata::Diagnostics diagnostics;
  std::map<std::string, strata::Stack> stacks;
  strata::js::load_js_stacks({project.file("known/known.js")}, options, stacks, diagnostics);
  auto it = stacks.find("known");
  if (diagnostics.has_errors() || it == stacks.end() || it->second.components.size() != 2 ||
      it->second.components[1].depends_on.size() != 1) {
    std::fprintf(stderr, "js_stack_fuzz: the known stack file no longer loads after this input\n");
    for (const auto& d : diagnostics.items()) std::fprintf(stderr, "%s\n", d.render().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzProject project;
  static const strata::js::RunnerOptions options = runner_options(project);
  project.write("stacks/fuzz.js", std::string(reinterpret_cast<const char*>(data), size));

  strata::Diagnostics diagnostics;
  std::map<std::string, strata::Stack> stacks;
  strata::js::load_js_stacks({project.file("stacks/fuzz.js")}, options, stacks, diagnostics);
  for (const auto& d : diagnostics.items()) (void)d.render();

  check_vm_still_works(project, options);
  return 0;
}
