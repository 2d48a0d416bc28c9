#include "app/plugin_options.h"

#include <algorithm>

#include "app/value_text.h"
#include "base/suggest.h"

namespace strata::app {

std::string PluginOptions::plugin_label() const {
  return std::string(phase_name(config_.phase)) + " plugin \"" + config_.use + "\"";
}

const Value* PluginOptions::get(const std::string& name) {
  if (std::find(known_.begin(), known_.end(), name) == known_.end()) known_.push_back(name);
  auto it = config_.options.find(name);
  return it == config_.options.end() || it->second.is_null() ? nullptr : &it->second;
}

void PluginOptions::error(const std::string& name, const std::string& message,
                          const std::string& hint) {
  auto it = config_.options.find(name);
  Origin where = it != config_.options.end() && it->second.origin().known() ? it->second.origin()
                                                                            : config_.origin;
  diags_.error(where, plugin_label() + ": " + message, hint);
  failed_ = true;
}

void PluginOptions::missing(const std::string& name, const std::string& example) {
  diags_.error(config_.origin, plugin_label() + " needs the option \"" + name + "\"",
               "add: " + example);
  failed_ = true;
}

std::optional<std::string> PluginOptions::string(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  if (std::optional<std::string> t = scalar_text(*v)) return t;
  error(name, "option \"" + name + "\" must be a string, not a " + v->kind_name());
  return std::nullopt;
}

std::optional<std::vector<std::string>> PluginOptions::string_list(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_list()) {
    error(name, "option \"" + name + "\" must be a list of strings, not a " + v->kind_name(),
          "write: " + name + " = [\"...\"]");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_list()) {
    std::optional<std::string> t = scalar_text(item);
    if (!t) {
      error(name, "option \"" + name + "\" must hold strings; it holds a " + item.kind_name());
      return std::nullopt;
    }
    out.push_back(*t);
  }
  return out;
}

std::optional<std::map<std::string, std::string>> PluginOptions::string_map(
    const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_map()) {
    error(name, "option \"" + name + "\" must be a map of strings, not a " + v->kind_name(),
          "write: " + name + " = { KEY = \"value\" }");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : v->as_map()) {
    std::optional<std::string> t = scalar_text(item);
    if (!t) {
      error(name, "option \"" + name + "\": " + k + " must be a string, not a " + item.kind_name());
      return std::nullopt;
    }
    out[k] = *t;
  }
  return out;
}

std::optional<long long> PluginOptions::integer(const std::string& name, long long min,
                                                long long max) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  std::optional<int64_t> n = v->is_number() ? v->as_number().as_int() : std::nullopt;
  if (!n || *n < min || *n > max) {
    error(name, "option \"" + name + "\" must be a whole number from " + std::to_string(min) +
                    " to " + std::to_string(max));
    return std::nullopt;
  }
  return *n;
}

std::optional<bool> PluginOptions::boolean(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    error(name, "option \"" + name + "\" must be true or false, not a " + v->kind_name());
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::vector<int>> PluginOptions::port_list(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  std::vector<int> out;
  bool ok = v->is_list();
  if (ok) {
    for (const auto& item : v->as_list()) {
      std::optional<int64_t> n = item.is_number() ? item.as_number().as_int() : std::nullopt;
      if (!n || *n < 1 || *n > 65535)
        ok = false;
      else
        out.push_back(static_cast<int>(*n));
    }
  }
  if (!ok) {
    error(name, "option \"" + name + "\" must be a list of port numbers (1 to 65535)",
          "write: " + name + " = [8080]");
    return std::nullopt;
  }
  return out;
}

bool PluginOptions::finish() {
  for (const auto& [name, value] : config_.options) {
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
    std::string guess = closest_match(name, known_);
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    diags_.error(value.origin().known() ? value.origin() : config_.origin,
                 plugin_label() + " has no option \"" + name + "\"",
                 guess.empty() ? (list.empty() ? "it takes no options" : "its options: " + list)
                               : "did you mean \"" + guess + "\"? (its options: " + list + ")");
    failed_ = true;
  }
  return !failed_;
}

}  // namespace strata::app
