#include "config/settings_file.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <vector>

#include "base/suggest.h"
#include "base/yaml_guard.h"
#include "model/error.h"

namespace strata::config {

namespace {

Origin origin_of(const std::string& display, const YAML::Mark& mark) {
  if (mark.line < 0) return Origin(display);
  return Origin(display, mark.line + 1, mark.column + 1);
}

YAML::Node load(const std::string& path, const std::string& display) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    throw Error("invalid YAML: " + yaml_error_text(e), origin_of(display, e.mark), "fix the YAML syntax");
  } catch (const YAML::BadFile&) {
    throw Error("cannot read " + display, Origin(display), "check the file's permissions");
  }
}

std::string scalar(const YAML::Node& n, const std::string& key, const std::string& display) {
  if (!n.IsScalar()) {
    throw Error("'" + key + "' must be a single value", origin_of(display, n.Mark()),
                "write " + key + ": value");
  }
  return n.Scalar();
}

bool boolean(const YAML::Node& n, const std::string& key, const std::string& display) {
  std::string s = scalar(n, key, display);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  throw Error("'" + key + "' must be true or false, not '" + s + "'", origin_of(display, n.Mark()),
              "write " + key + ": true or " + key + ": false");
}

std::map<std::string, std::string> string_map(const YAML::Node& n, const std::string& key,
                                              const std::string& display) {
  if (n.IsNull()) return {};
  if (!n.IsMap()) {
    throw Error("'" + key + "' must be a map of NAME: value", origin_of(display, n.Mark()),
                "write " + key + ": with one indented NAME: value line per variable");
  }
  std::map<std::string, std::string> out;
  for (const auto& item : n) {
    std::string name = item.first.Scalar();
    out[name] = scalar(item.second, key + "." + name, display);
  }
  return out;
}

using KeyReader = std::function<void(const YAML::Node&, Settings&)>;

Settings read_with(const std::string& path, const std::string& display,
                   const std::map<std::string, KeyReader>& readers, Diagnostics* unknown_keys) {
  YAML::Node root = load(path, display);
  Settings settings;
  settings.origin = Origin(display);
  if (root.IsNull()) return settings;
  if (!root.IsMap()) {
    throw Error(display + " must be a map of settings", origin_of(display, root.Mark()),
                "write one 'key: value' per line");
  }
  std::vector<std::string> known;
  for (const auto& [key, _] : readers) known.push_back(key);
  for (const auto& item : root) {
    std::string key = item.first.Scalar();
    auto it = readers.find(key);
    if (it == readers.end()) {
      std::string hint;
      std::string near = closest_match(key, known);
      if (!near.empty()) hint = "did you mean '" + near + "'? ";
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      Error problem("unknown setting '" + key + "' in " + display, origin_of(display, item.first.Mark()),
                    hint + "the settings are: " + list);
      if (!unknown_keys) throw problem;
      unknown_keys->error(problem.origin(), problem.message(), problem.hint());
      continue;
    }
    it->second(item.second, settings);
  }
  return settings;
}

// state_backend: {type: server, url: …, repository: …}
StateBackendSetting state_backend(const YAML::Node& n, const std::string& display) {
  const std::string example = "write state_backend: {type: server, url: https://strata.example.com, repository: infra}";
  if (!n.IsMap()) throw Error("'state_backend' must be a map of settings", origin_of(display, n.Mark()), example);
  StateBackendSetting b;
  b.origin = origin_of(display, n.Mark());
  const std::vector<std::string> known = {"type", "url", "repository"};
  for (const auto& item : n) {
    std::string key = item.first.Scalar();
    Origin where = origin_of(display, item.first.Mark());
    if (key == "type") {
      b.type = scalar(item.second, "state_backend.type", display);
      if (b.type != "server")
        throw Error("state_backend type '" + b.type + "' is not one strata knows", origin_of(display, item.second.Mark()),
                    "the type is server (a strata server's state); a backend of Terraform's own goes in a stack's "
                    "backend settings");
    } else if (key == "url") {
      b.url = scalar(item.second, "state_backend.url", display);
      while (!b.url.empty() && b.url.back() == '/') b.url.pop_back();
      if (b.url.rfind("http://", 0) != 0 && b.url.rfind("https://", 0) != 0)
        throw Error("state_backend url '" + b.url + "' is not an http:// or https:// URL",
                    origin_of(display, item.second.Mark()), "write the server's URL, e.g. url: https://strata.example.com");
    } else if (key == "repository") {
      b.repository = scalar(item.second, "state_backend.repository", display);
    } else {
      std::string near = closest_match(key, known);
      throw Error("unknown setting 'state_backend." + key + "'", where,
                  (near.empty() ? std::string() : "did you mean '" + near + "'? ") + "its settings are type, url and repository");
    }
  }
  for (const auto& [value, key] : {std::pair{&b.type, "type"}, {&b.url, "url"}, {&b.repository, "repository"}})
    if (value->empty())
      throw Error("state_backend has no " + std::string(key), b.origin,
                  std::string(key) == "repository"
                      ? "name it as the server knows it (the first part of each state's key), e.g. repository: infra"
                      : example);
  return b;
}

}  // namespace

Settings read_strata_yaml(const std::string& path, const std::string& display, Diagnostics* unknown_keys) {
  auto text = [&](std::string Settings::*field, const char* key) {
    return KeyReader([=](const YAML::Node& n, Settings& s) { s.*field = scalar(n, key, display); });
  };
  std::map<std::string, KeyReader> readers = {
      {"engine", text(&Settings::engine, "engine")},
      {"stacks_dir", text(&Settings::stacks_dir, "stacks_dir")},
      {"config_dir", text(&Settings::config_dir, "config_dir")},
      {"work_dir", text(&Settings::work_dir, "work_dir")},
      {"plugin_cache", text(&Settings::plugin_cache, "plugin_cache")},
      {"parallelism",
       [&](const YAML::Node& n, Settings& s) {
         std::string v = scalar(n, "parallelism", display);
         int p = 0;
         try {
           size_t used = 0;
           p = std::stoi(v, &used);
           if (used != v.size()) p = 0;
         } catch (const std::exception&) {
           p = 0;
         }
         if (p < 1) {
           throw Error("'parallelism' must be a whole number of at least 1, not '" + v + "'",
                       origin_of(display, n.Mark()), "write parallelism: 4");
         }
         s.parallelism = p;
       }},
      {"generate_backend",
       [&](const YAML::Node& n, Settings& s) {
         s.generate_backend = boolean(n, "generate_backend", display);
       }},
      {"env", [&](const YAML::Node& n, Settings& s) { s.env = string_map(n, "env", display); }},
      {"state_backend", [&](const YAML::Node& n, Settings& s) { s.state_backend = state_backend(n, display); }},
  };
  return read_with(path, display, readers, unknown_keys);
}

Settings read_comet_yaml(const std::string& path, const std::string& display, Diagnostics* unknown_keys) {
  auto ignored = [](const YAML::Node&, Settings&) {};
  std::map<std::string, KeyReader> readers = {
      {"log_level", ignored},
      {"bootstrap", ignored},
      {"tf_command",
       [&](const YAML::Node& n, Settings& s) {
         std::string v = scalar(n, "tf_command", display);
         if (v != "tofu" && v != "terraform") {
           throw Error("'tf_command' must be tofu or terraform, not '" + v + "'",
                       origin_of(display, n.Mark()), "write tf_command: tofu");
         }
         s.engine = v;
       }},
      {"stacks_dir",
       [&](const YAML::Node& n, Settings& s) { s.stacks_dir = scalar(n, "stacks_dir", display); }},
      {"work_dir",
       [&](const YAML::Node& n, Settings& s) {
         std::string v = scalar(n, "work_dir", display);
         if (!v.empty()) s.work_dir = v;
       }},
      {"generate_backend",
       [&](const YAML::Node& n, Settings& s) {
         s.generate_backend = boolean(n, "generate_backend", display);
       }},
      {"env", [&](const YAML::Node& n, Settings& s) { s.env = string_map(n, "env", display); }},
  };
  return read_with(path, display, readers, unknown_keys);
}

}  // namespace strata::config
