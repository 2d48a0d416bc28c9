#include "scaffold/starter_project.h"

#include <filesystem>

#include "base/atomic_file.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace strata::scaffold {

namespace {

constexpr std::string_view kSettings =
    "# strata project settings; every key is optional (these are the defaults).\n"
    "# `strata help` lists the commands; `strata plan --all` plans every stack.\n"
    "stacks_dir: stacks\n"
    "work_dir: .strata\n";

constexpr std::string_view kGitignore =
    "# strata's work dir: generated workdirs, logs, run records and (with the local backend) state.\n"
    "# Keep state somewhere safer than a laptop before this project manages anything real.\n"
    ".strata/\n";

// terraform_data is built into Terraform and OpenTofu: nothing is downloaded, nothing is created
// outside the state.
constexpr std::string_view kModule =
    "# A stand-in for real infrastructure: terraform_data needs no provider, so this plans offline.\n"
    "variable \"name\" {\n"
    "  type = string\n"
    "}\n"
    "\n"
    "variable \"upstream\" {\n"
    "  type    = string\n"
    "  default = \"\"\n"
    "}\n"
    "\n"
    "resource \"terraform_data\" \"this\" {\n"
    "  input = {\n"
    "    name     = var.name\n"
    "    upstream = var.upstream\n"
    "  }\n"
    "}\n"
    "\n"
    "output \"id\" {\n"
    "  value = \"${var.name}-id\"\n"
    "}\n";

constexpr std::string_view kNetworkJs =
    "// The network stack: what the other stacks build on.\n"
    "stack('network', { env: 'dev' });\n"
    "\n"
    "backend('local', { path: 'terraform.tfstate' });\n"
    "\n"
    "component('core', 'modules/service', {\n"
    "  inputs: { name: 'network-{{ .env }}' },\n"
    "  // What `plan` uses for this component's outputs before it was ever applied.\n"
    "  mock_outputs: { id: 'network-not-applied-yet' },\n"
    "});\n";

constexpr std::string_view kAppJs =
    "// The app stack: reads the network's output, so it runs after it.\n"
    "stack('app', { env: 'dev' });\n"
    "\n"
    "backend('local', { path: 'terraform.tfstate' });\n"
    "\n"
    "component('web', 'modules/service', {\n"
    "  inputs: {\n"
    "    name: 'web-{{ .env }}',\n"
    "    // A cross-stack reference: output `id` of component core of stack network.\n"
    "    upstream: '{{ (state \"network\" \"core\").id }}',\n"
    "  },\n"
    "});\n";

}  // namespace

std::vector<StarterFile> starter_files(StackFormat format) {
  std::vector<StarterFile> files = {
      {"strata.yaml", std::string(kSettings)},
      {".gitignore", std::string(kGitignore)},
      {"modules/service/main.tf", std::string(kModule)},
  };
  switch (format) {
    case StackFormat::kJs:
      files.push_back({"stacks/network.js", std::string(kNetworkJs)});
      files.push_back({"stacks/app.js", std::string(kAppJs)});
      break;
  }
  return files;
}

std::vector<StarterFile> write_starter_project(const std::string& dir, StackFormat format) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      throw Error(ErrorKind::kConflict, dir + " exists and is not a folder", {},
                  "name a new folder: strata new DIR creates it");
    }
    if (!fs::is_empty(dir, ec)) {
      throw Error(ErrorKind::kConflict, dir + " is not empty; strata new writes only into a new or empty folder",
                  {}, "name a new folder, e.g. strata new my-infra");
    }
  }
  std::vector<StarterFile> files = starter_files(format);
  for (const auto& f : files) {
    fs::path path = fs::path(dir) / f.path;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error(ErrorKind::kEnvironment, "cannot create " + path.parent_path().string() + ": " + ec.message());
    write_file_atomic(path.string(), f.content, 0644);  // throws, naming the path and the reason
  }
  return files;
}

}  // namespace strata::scaffold
