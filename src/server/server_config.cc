#include "server/server_config.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/atomic_file.h"
#include "base/suggest.h"
#include "hcl/eval.h"
#include "hcl/functions.h"
#include "hcl/parser.h"
#include "hcl/source_range.h"
#include "model/error.h"

namespace strata::server {

namespace {

const std::vector<std::string> kSettings = {"listen",  "data_dir", "database", "workers",
                                            "lease",   "tls_cert", "tls_key",  "metrics"};

}  // namespace

void load_server_config(const std::string& path, ServerOptions& options) {
  std::optional<std::string> source = read_file_if_exists(path);
  if (!source)
    throw Error(ErrorKind::kUserInput, "no server configuration at " + path, {},
                "pass --config the path of an HCL file (see `strata server --help`)");
  auto file_name = std::make_shared<const std::string>(path);
  hcl::File file = hcl::parse_config(*source, path);
  Diagnostics diags;
  auto at = [&](const hcl::Range& r) { return hcl::origin_of(file_name, r); };
  for (const auto& d : file.diagnostics.items())
    if (d.severity == Severity::kError) diags.error(at(d.subject), d.summary + (d.detail.empty() ? "" : ": " + d.detail));
  diags.throw_if_errors();

  std::string folder = std::filesystem::path(path).parent_path().string();
  auto relative = [&](const std::string& p) {
    return p.empty() || p.front() == '/' || folder.empty() ? p : folder + "/" + p;
  };
  hcl::FunctionTable functions = hcl::standard_functions();
  hcl::EvalContext ctx;
  ctx.functions = &functions;
  for (const auto& block : file.body.blocks)
    diags.error(at(block.type_range), "the server configuration has no \"" + block.type + "\" block",
                "write settings as name = value (" + [] {
                  std::string all;
                  for (const auto& s : kSettings) all += (all.empty() ? "" : ", ") + s;
                  return all;
                }() + ")");
  for (const auto& a : file.body.attributes) {
    if (std::find(kSettings.begin(), kSettings.end(), a.name) == kSettings.end()) {
      std::string guess = closest_match(a.name, kSettings);
      diags.error(at(a.name_range), "unknown setting \"" + a.name + "\" in the server configuration",
                  guess.empty() ? "the settings are the flags' names with '_' for '-'"
                                : "did you mean \"" + guess + "\"?");
      continue;
    }
    hcl::HclDiagnostics d;
    Value v = hcl::evaluate(*a.expr, &ctx, d);
    for (const auto& item : d.items())
      if (item.severity == Severity::kError) diags.error(at(item.subject), a.name + ": " + item.summary);
    if (d.has_errors()) continue;
    auto want = [&](const char* kind) {
      diags.error(at(a.expr->range), a.name + " must be " + kind + ", not " + v.kind_name());
    };
    if (a.name == "workers" || a.name == "lease") {
      std::optional<int64_t> whole = v.is_number() ? v.as_number().as_int() : std::nullopt;
      if (!whole) {
        want("a whole number");
        continue;
      }
      int64_t n = *whole;
      if (a.name == "workers") {
        if (n < 0 || n > 256) {
          diags.error(at(a.expr->range), "workers must be from 0 to 256", "0 runs activities only on `strata worker`s");
          continue;
        }
        options.workers = static_cast<int>(n);
      } else {
        if (n < 3 || n > 86400) {
          diags.error(at(a.expr->range), "lease must be from 3 to 86400 seconds", "the default is 60");
          continue;
        }
        options.lease = std::chrono::seconds(n);
      }
    } else if (a.name == "metrics") {
      if (!v.is_bool()) {
        want("true or false");
        continue;
      }
      options.metrics = v.as_bool();
    } else {
      if (!v.is_string()) {
        want("a string");
        continue;
      }
      const std::string& text = v.as_string();
      if (a.name == "listen") options.listen = text;
      if (a.name == "data_dir") options.data_dir = relative(text);
      if (a.name == "tls_cert") options.tls_cert = relative(text);
      if (a.name == "tls_key") options.tls_key = relative(text);
      if (a.name == "database") {
        bool url = text.find("://") != std::string::npos || text.rfind("sqlite:", 0) == 0;
        options.database = url ? text : relative(text);
      }
    }
  }
  diags.throw_if_errors();
}

}  // namespace strata::server
