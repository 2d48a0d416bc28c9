#include "workspace/module_checks.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "base/suggest.h"
#include "hcl/module_inspector.h"
#include "model/module_source.h"
#include "template/template.h"

namespace strata::workspace {

namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}

// A component's module, read once per folder.
class Modules {
 public:
  explicit Modules(const Project& project) : project_(project) {}

  // The module folder of `c`, relative to the project root ("modules/net/vpc").
  static std::string folder_of(const Component& c) {
    ModuleSource s = split_module_source(c.source);
    std::string folder = (fs::path(s.package) / s.subdir).lexically_normal().string();
    while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
    return folder;
  }

  // Null when the folder does not exist or holds no Terraform file (reported once, by the
  // caller that asks with a Diagnostics).
  const hcl::ModuleInfo* info(const Component& c, Diagnostics* diagnostics) {
    std::string folder = folder_of(c);
    auto it = cache_.find(folder);
    if (it == cache_.end()) it = cache_.emplace(folder, read(folder)).first;
    const Entry& e = it->second;
    if (diagnostics) {
      if (!e.problem.empty()) {
        diagnostics->error(c.origin, c.stack + "/" + c.name + ": " + e.problem, e.hint);
      } else {
        diagnostics->append(e.info->diagnostics);
      }
    }
    return e.problem.empty() ? e.info.get() : nullptr;
  }

 private:
  struct Entry {
    std::string problem, hint;
    std::shared_ptr<hcl::ModuleInfo> info;
  };

  Entry read(const std::string& folder) {
    Entry e;
    fs::path dir = fs::path(project_.root) / folder;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      e.problem = "module folder " + folder + " does not exist";
      std::vector<std::string> siblings;
      for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec))
        if (entry.is_directory(ec)) siblings.push_back(entry.path().filename().string());
      std::string close = closest_match(dir.filename().string(), siblings);
      e.hint = close.empty() ? "check the component's source (relative to the project root)"
                             : "did you mean " + (fs::path(folder).parent_path() / close).string() + "?";
      return e;
    }
    bool has_tf = false;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      has_tf = has_tf || name.ends_with(".tf") || name.ends_with(".tf.json");
    }
    if (!has_tf) {
      e.problem = "module folder " + folder + " holds no .tf or .tf.json file";
      e.hint = "point the component's source at the folder of the module's .tf files";
      return e;
    }
    try {
      e.info = std::make_shared<hcl::ModuleInfo>(hcl::inspect_module_dir(dir.string()));
    } catch (const Error& err) {
      e.problem = "module folder " + folder + " cannot be read: " + err.message();
      e.hint = err.hint();
    }
    return e;
  }

  const Project& project_;
  std::map<std::string, Entry> cache_;
};

struct OutputReference {
  tpl::StateCall call;
  Origin origin;  // of the string that holds it
};

// Every `(state "S" "C").KEY` the templates in the strings of `v` read: the form JavaScript's
// component references and templates write. A string that does not parse as a template is
// skipped: rendering it reports why, where it stands.
void collect_output_references(const Value& v, std::vector<OutputReference>& out) {
  if (v.is_list()) {
    for (const auto& item : v.as_list()) collect_output_references(item, out);
    return;
  }
  if (v.is_map()) {
    for (const auto& [_, item] : v.as_map()) collect_output_references(item, out);
    return;
  }
  if (!v.is_string()) return;
  try {
    for (auto& call : tpl::find_state_calls(v.as_string(), v.origin()))
      if (!call.fields.empty()) out.push_back({std::move(call), v.origin()});
  } catch (const Error&) {
  }
}

Origin relative_origin(Origin o, const std::string& root) {
  if (!o.known() || !fs::path(*o.file).is_absolute()) return o;
  std::error_code ec;
  return Origin(fs::relative(*o.file, root, ec).string(), o.line, o.column);
}

bool set_by_environment(const std::string& variable, const Stack& stack,
                        const std::map<std::string, std::string>& env) {
  const std::string name = "TF_VAR_" + variable;
  return env.count(name) || stack.env.count(name);
}

}  // namespace

void check_modules(const Project& project, const std::map<std::string, std::string>& env, Diagnostics& diagnostics) {
  Modules modules(project);
  for (const auto& [_, stack] : project.stacks) {
    for (const auto& c : stack.components) {
      const hcl::ModuleInfo* info = modules.info(c, &diagnostics);
      // Kompos leaves pass one `config` tree, which the module reads as it likes.
      if (!info || stack.kind == "yaml") continue;
      const std::string where = c.stack + "/" + c.name;
      const std::string folder = Modules::folder_of(c);
      std::set<std::string> declared;
      std::vector<std::string> names;
      for (const auto& v : info->variables) {
        declared.insert(v.name);
        names.push_back(v.name);
      }
      if (c.inputs.is_map()) {
        for (const auto& [input, value] : c.inputs.as_map()) {
          if (declared.count(input)) continue;
          std::string close = closest_match(input, names);
          diagnostics.warning(value.origin().known() ? value.origin() : c.origin,
                              where + ": input " + input + " is not a variable of " + folder +
                                  ", so Terraform ignores it (\"Value for undeclared variable\")",
                              close.empty() ? "declare variable \"" + input + "\" in " + folder +
                                                  ", or remove the input; its variables: " + joined(names)
                                            : "did you mean " + close + "?");
        }
      }
      for (const auto& v : info->variables) {
        if (v.has_default || (c.inputs.is_map() && c.inputs.find(v.name)) || set_by_environment(v.name, stack, env))
          continue;
        diagnostics.error(c.origin,
                          where + ": variable " + v.name + " of " + folder +
                              " has no default and no input sets it, so plan would stop at \"No value for "
                              "required variable\"",
                          "set " + v.name + " in the component's inputs (the variable is declared at " +
                              relative_origin(v.origin, project.root).str() + ")");
      }
      std::vector<OutputReference> refs;
      collect_output_references(c.inputs, refs);
      collect_output_references(c.providers, refs);
      for (const auto& r : refs) {
        const Component* target = project.find({r.call.stack, r.call.component, {}});
        if (!target) continue;  // the graph reports a reference to a component that does not exist
        const hcl::ModuleInfo* target_info = modules.info(*target, nullptr);
        if (!target_info) continue;
        const std::string& output = r.call.fields.front();
        std::vector<std::string> outputs;
        bool found = false;
        for (const auto& o : target_info->outputs) {
          outputs.push_back(o.name);
          found = found || o.name == output;
        }
        if (found) continue;
        std::string close = closest_match(output, outputs);
        diagnostics.error(r.origin.known() ? r.origin : c.origin,
                          where + ": no output " + output + " on " + r.call.stack + "/" + r.call.component +
                              "; it has: " + joined(outputs),
                          close.empty() ? "declare output \"" + output + "\" in " + Modules::folder_of(*target)
                                        : "did you mean " + close + "?");
      }
    }
  }
}

}  // namespace strata::workspace
