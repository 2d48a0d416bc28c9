// How a plugin reads and checks its block's options: typed getters that point at the option a
// user got wrong (file:line:col), and a last check that names every option the plugin does not
// take, with did-you-mean. Problems are collected, so one run reports all of them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/app_config.h"
#include "model/error.h"

namespace strata::app {

class PluginOptions {
 public:
  PluginOptions(const PluginConfig& config, Diagnostics& diags) : config_(config), diags_(diags) {}

  std::optional<std::string> string(const std::string& name);
  std::string string(const std::string& name, const std::string& fallback) {
    return string(name).value_or(fallback);
  }
  std::optional<std::vector<std::string>> string_list(const std::string& name);
  std::optional<std::map<std::string, std::string>> string_map(const std::string& name);
  std::optional<long long> integer(const std::string& name, long long min, long long max);
  std::optional<bool> boolean(const std::string& name);
  std::optional<std::vector<int>> port_list(const std::string& name);

  // A required option that is absent.
  void missing(const std::string& name, const std::string& example);
  // A problem with option `name` (at its position), or with the block when it is absent.
  void error(const std::string& name, const std::string& message, const std::string& hint = {});
  // Reports every option that was never asked for; call last. Returns true when nothing failed.
  bool finish();

  // `build plugin "oci"`: how messages name the plugin.
  std::string plugin_label() const;

 private:
  const Value* get(const std::string& name);

  const PluginConfig& config_;
  Diagnostics& diags_;
  std::vector<std::string> known_;
  bool failed_ = false;
};

}  // namespace strata::app
