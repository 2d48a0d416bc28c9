#include "app/starter_file.h"

#include <filesystem>

#include "app/app_config.h"
#include "base/atomic_file.h"
#include "model/error.h"

namespace strata::app {

namespace fs = std::filesystem;

std::string starter_cloudstation_hcl(const std::string& project, const std::string& app) {
  return "# cloudstation.hcl: how strata builds, pushes, deploys and releases this project's "
         "apps.\n"
         "# strata app up      build -> registry (if present) -> deploy -> release (if present)\n"
         "# strata app status  what is deployed and whether it answers; strata app destroy stops "
         "it\n"
         "project = \"" +
         project +
         "\"\n"
         "\n"
         "# A variable: var.port below. env = [...] lets the environment set it; sensitive = true\n"
         "# keeps its value out of every output and record.\n"
         "variable \"port\" {\n"
         "  type    = number\n"
         "  default = 8080\n"
         "  env     = [\"PORT\"]\n"
         "}\n"
         "\n"
         "app \"" +
         app +
         "\" {\n"
         "  path = \".\"  # the app's folder, relative to this file\n"
         "\n"
         "  # oci: an OCI image from the folder, without a daemon (same files -> same digest).\n"
         "  build {\n"
         "    use        = \"oci\"\n"
         "    entrypoint = [\"./start.sh\"]  # what runs; the folder lands at /app\n"
         "  }\n"
         "\n"
         "  # Push it to a registry (remove this block to deploy the local image):\n"
         "  # registry {\n"
         "  #   use        = \"registry\"\n"
         "  #   address    = \"127.0.0.1:5000\"\n"
         "  #   repository = \"" +
         project + "/" + app +
         "\"\n"
         "  #   insecure   = true  # plain http, for a registry on this machine\n"
         "  # }\n"
         "\n"
         "  # local: runs the image's entrypoint in this folder as a background process.\n"
         "  deploy {\n"
         "    use = \"local\"\n"
         "  }\n"
         "\n"
         "  config {\n"
         "    env           = { GREETING = \"hello\" }\n"
         "    internal_port = var.port  # the app listens on $PORT; health = this port answers\n"
         "  }\n"
         "}\n";
}

std::string write_starter_file(const std::string& dir) {
  for (const auto& name : kConfigFileNames) {
    if (fs::exists(fs::path(dir) / name))
      throw Error(ErrorKind::kConflict, name + " already exists here; not overwriting it", {},
                  "edit it, or remove it first to start again");
  }
  std::string folder = fs::absolute(dir).lexically_normal().filename().string();
  if (folder.empty())
    folder = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  std::string name;
  for (char c : folder)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  if (name.empty()) name = "app";
  std::string path = (fs::path(dir) / "cloudstation.hcl").string();
  write_file_atomic(path, starter_cloudstation_hcl(name, name), 0644);
  return path;
}

}  // namespace strata::app
