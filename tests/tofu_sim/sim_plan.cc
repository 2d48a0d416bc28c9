#include "sim_plan.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace tofu_sim {

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SimDiag error(std::string summary, std::string detail, strata::Origin origin = {}) {
  return SimDiag{"error", std::move(summary), std::move(detail), std::move(origin)};
}

bool is_primitive_or_any(const std::optional<Value>& type) {
  return !type || type->is_string();
}

Value wrapped(const Typed& t) {
  if (t.value.is_null() && !t.unknown) return Value();
  Value w = Value::map();
  w.set("value", t.value);
  w.set("type", t.type);
  return w;
}

Typed unwrapped(const Value* w) {
  Typed t;
  if (!w || !w->is_map()) return t;
  if (const Value* v = w->find("value")) t.value = *v;
  if (const Value* ty = w->find("type")) t.type = *ty;
  return t;
}

Typed unknown_typed() {
  Typed t;
  t.unknown = true;
  return t;
}

Typed known(Value v) {
  Typed t;
  t.type = implied_type(v);
  t.value = std::move(v);
  return t;
}

std::optional<Typed> eval_attr(const Resource& r, const char* name, const EvalScope& scope,
                               std::vector<SimDiag>& diags) {
  auto it = r.attributes.find(name);
  if (it == r.attributes.end()) return Typed{};
  strata::Diagnostics d;
  auto v = evaluate(it->second, scope, d);
  for (auto& s : to_sim_diags(d)) diags.push_back(s);
  return v;
}

std::string fresh_numeric_id() {
  std::string id = random_uuid();
  std::string digits;
  for (char c : id) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits.empty() ? "1" : digits.substr(0, 19);
}

// Orders resources so that each comes after those it refers to.
std::optional<std::vector<const Resource*>> resource_order(const Module& module,
                                                           std::vector<SimDiag>& diags) {
  std::vector<const Resource*> out;
  std::map<std::string, int> mark;  // 1 = visiting, 2 = done
  std::function<bool(const Resource&)> visit = [&](const Resource& r) -> bool {
    int& m = mark[r.address()];
    if (m == 2) return true;
    if (m == 1) {
      diags.push_back(error("Cycle: " + r.address(),
                            "The resources refer to each other in a cycle.", r.origin));
      return false;
    }
    m = 1;
    std::vector<std::string> refs = r.depends_on;
    for (const auto& [k, e] : r.attributes) e.collect_references(refs);
    for (const auto& ref : refs) {
      if (const Resource* dep = module.find_resource(ref)) {
        if (!visit(*dep)) return false;
      }
    }
    mark[r.address()] = 2;
    out.push_back(&r);
    return true;
  };
  for (const auto& r : module.resources) {
    if (!visit(r)) return std::nullopt;
  }
  return out;
}

// Terraform's per-attribute marks (sensitive_values, after_unknown, ...) mirror the structure of
// complex values: objects become objects of their complex children, lists arrays of false or the
// child's marks.
ojson marks(const Value& v) {
  if (v.is_map()) {
    ojson out = ojson::object();
    for (const auto& [k, e] : v.as_map()) {
      if (e.is_map() || e.is_list()) out[k] = marks(e);
    }
    return out;
  }
  if (v.is_list()) {
    ojson out = ojson::array();
    for (const auto& e : v.as_list()) out.push_back(e.is_map() || e.is_list() ? marks(e) : ojson(false));
    return out;
  }
  return false;
}

ResourceChange change_of(const StateResource& r, const char* action, Value before, Value after,
                         const Resource* config) {
  ResourceChange c;
  c.address = r.address();
  c.type = r.type;
  c.name = r.name;
  c.action = action;
  c.before = std::move(before);
  c.after = std::move(after);
  c.config = config;
  return c;
}

ojson with_sensitive(ojson m, const std::vector<std::string>& names) {
  for (const auto& n : names) m[n] = true;
  return m;
}

// An unknown terraform_data output still has the type of its input, and Terraform marks its
// structure: {} for an object, [] for a list.
ojson unknown_output_marks(const ResourceChange& c, ojson m) {
  if (c.type != "terraform_data" ||
      std::find(c.after_unknown.begin(), c.after_unknown.end(), "output") == c.after_unknown.end()) {
    return m;
  }
  const Value* input = c.after.find("input");
  if (input && input->is_map()) m["output"] = ojson::object();
  if (input && input->is_list()) m["output"] = ojson::array();
  return m;
}

}  // namespace

std::vector<std::string> resource_dependencies(const Module& module, const Resource& r) {
  std::vector<std::string> refs = r.depends_on;
  for (const auto& [k, e] : r.attributes) e.collect_references(refs);
  std::set<std::string> deps;
  for (const auto& ref : refs) {
    if (module.find_resource(ref)) deps.insert(ref);
  }
  return {deps.begin(), deps.end()};
}

std::vector<SimDiag> to_sim_diags(const strata::Diagnostics& diags) {
  std::vector<SimDiag> out;
  for (const auto& d : diags.items()) {
    out.push_back(SimDiag{d.severity == strata::Severity::kError ? "error" : "warning", d.message,
                          d.hint, d.origin});
  }
  return out;
}

std::string provider_address(const std::string& type) {
  if (type == "terraform_data") return "provider[\"terraform.io/builtin/terraform\"]";
  return "provider[\"registry.terraform.io/hashicorp/" + implied_provider(type) + "\"]";
}

std::string implied_provider(const std::string& type) {
  if (type == "terraform_data") return "terraform";
  return type.substr(0, type.find('_'));
}

ResourceRef ResourceChange::ref() const {
  return ResourceRef{address, type, name, implied_provider(type)};
}

bool Plan::has_changes() const {
  for (const auto& c : changes) {
    if (c.action != "noop") return true;
  }
  for (const auto& o : outputs) {
    if (o.action != "noop") return true;
  }
  return false;
}

std::optional<std::map<std::string, Typed>> resolve_variables(const Module& module,
                                                              const std::vector<VarArg>& args,
                                                              const std::string& dir,
                                                              std::vector<SimDiag>& diags,
                                                              bool require_all) {
  size_t errors_before = diags.size();
  std::map<std::string, std::optional<Value>> types;
  std::map<std::string, Typed> raw;  // before conversion
  std::map<std::string, std::string> raw_origin;
  strata::Diagnostics d;
  EvalScope empty;
  for (const auto& [name, v] : module.variables) {
    types[name] = v.type ? type_constraint(*v.type, d) : std::nullopt;
    if (v.default_value) {
      if (auto t = evaluate(*v.default_value, empty, d)) raw[name] = *t;
    }
  }
  // A value given as a string (-var, TF_VAR_): literal for primitive types, an expression
  // otherwise, as Terraform reads them.
  auto set_string = [&](const std::string& name, const std::string& text, const std::string& src) {
    if (is_primitive_or_any(types[name])) {
      raw[name] = known(Value(text));
    } else if (auto e = parse_expression(text, strata::Origin(src), d)) {
      if (auto t = evaluate(*e, empty, d)) raw[name] = *t;
    }
    raw_origin[name] = src == "-var" ? "-var=\"" + name + "=...\"" : "the " + src + " environment variable";
  };
  for (const auto& [name, v] : module.variables) {
    if (const char* env = std::getenv(("TF_VAR_" + name).c_str())) {
      set_string(name, env, "TF_VAR_" + name);
    }
  }
  bool file_failed = false;
  // `given`: the path as the command line wrote it, which Terraform's messages quote.
  auto load_file = [&](const fs::path& p, bool from_cli, const std::string& given = "") {
    std::string text = read_text(p);
    std::string label = p.filename().string();
    if (from_cli) label = given.empty() ? p.string() : given;
    if (!fs::exists(p)) {
      file_failed = true;
      diags.push_back(error("Failed to read variables file",
                            "Given variables file " + p.string() + " does not exist."));
      return;
    }
    std::map<std::string, Value> values;
    if (p.string().ends_with(".json")) {
      try {
        Value doc = strata::parse_json_text(text, strata::Origin(label));
        if (doc.is_map()) {
          for (const auto& [k, v] : doc.as_map()) values[k] = v;
        }
      } catch (const strata::Error& e) {
        diags.push_back(error("Invalid JSON in variables file", e.message(), strata::Origin(label)));
      }
    } else {
      for (auto& [k, e] : parse_tfvars(text, label, d)) {
        if (auto t = evaluate(e, empty, d)) values[k] = t->value;
      }
    }
    for (auto& [k, v] : values) {
      if (!module.variables.count(k)) {
        diags.push_back(SimDiag{"warning", "Value for undeclared variable",
                                "The root module does not declare a variable named \"" + k +
                                    "\" but a value was found in file \"" + label +
                                    "\". If you meant to use this value, add a \"variable\" "
                                    "block to the configuration.",
                                strata::Origin()});  // Terraform gives this warning no range
        continue;
      }
      raw[k] = known(v);
    }
  };
  std::vector<fs::path> auto_files;
  for (const char* f : {"terraform.tfvars", "terraform.tfvars.json"}) {
    if (fs::exists(fs::path(dir) / f)) auto_files.push_back(fs::path(dir) / f);
  }
  std::vector<fs::path> auto_glob;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")) auto_glob.push_back(e.path());
  }
  std::sort(auto_glob.begin(), auto_glob.end());
  for (const auto& p : auto_files) load_file(p, false);
  for (const auto& p : auto_glob) load_file(p, false);
  for (const auto& a : args) {
    if (a.is_file) {
      fs::path p(a.text);
      load_file(p.is_absolute() ? p : fs::path(dir) / p, true, a.text);
      continue;
    }
    size_t eq = a.text.find('=');
    std::string name = a.text.substr(0, eq);
    if (eq == std::string::npos || name.empty()) {
      diags.push_back(error("Invalid -var option",
                            "The given -var option \"" + a.text +
                                "\" is not correctly specified. It must be a variable name and "
                                "value separated an equals sign, like -var=\"key=value\"."));
      continue;
    }
    if (!module.variables.count(name)) {
      diags.push_back(error("Value for undeclared variable",
                            "A variable named \"" + name +
                                "\" was assigned on the command line, but the root module does "
                                "not declare a variable of that name. To use this value, add a "
                                "\"variable\" block to the configuration."));
      continue;
    }
    set_string(name, a.text.substr(eq + 1), "-var");
  }
  for (auto& s : to_sim_diags(d)) diags.push_back(s);
  if (file_failed) return std::nullopt;  // Terraform stops at an unreadable file

  std::map<std::string, Typed> out;
  for (const auto& [name, v] : module.variables) {
    auto it = raw.find(name);
    if (it == raw.end()) {
      if (require_all) {
        diags.push_back(error("No value for required variable",
                              "The root module input variable \"" + name +
                                  "\" is not set, and has no default value. Use a -var or "
                                  "-var-file command line argument to provide a value for this "
                                  "variable.",
                              v.origin));
      }
      continue;
    }
    std::string err;
    auto c = convert(it->second, types[name], &err);
    if (!c) {
      std::string how = raw_origin.count(name) ? "set using " + raw_origin[name]
                                               : "declared at " + v.origin.str();
      SimDiag bad = error("Invalid value for input variable",
                          "Unsuitable value for var." + name + " " + how + ": " + err + ".",
                          v.origin);
      // Terraform checks the value during the walk: the plan goes on with it unknown.
      bad.deferred = true;
      diags.push_back(bad);
      out[name] = unknown_typed();
      continue;
    }
    c->sensitive = v.sensitive;
    out[name] = *c;
  }
  for (size_t i = errors_before; i < diags.size(); ++i) {
    if (diags[i].severity == "error" && !diags[i].deferred) return std::nullopt;
  }
  return out;
}

Value resource_attributes(const Resource& r, const EvalScope& scope, const StateResource* prior,
                          bool new_id, std::vector<SimDiag>& diags,
                          std::vector<std::string>* sensitive) {
  Value attrs = Value::map();
  std::string id = prior && !new_id ? prior->id() : std::string();
  if (r.type == "terraform_data") {
    auto input = eval_attr(r, "input", scope, diags);
    auto triggers = eval_attr(r, "triggers_replace", scope, diags);
    attrs.set("id", id.empty() ? random_uuid() : id);
    attrs.set("input", input ? wrapped(*input) : Value());
    attrs.set("output", input ? wrapped(*input) : Value());
    attrs.set("triggers_replace", triggers ? wrapped(*triggers) : Value());
    // Terraform marks only the attribute the sensitive value was given to.
    if (input && input->sensitive) sensitive->push_back("input");
    if (triggers && triggers->sensitive) sensitive->push_back("triggers_replace");
    return attrs;
  }
  attrs.set("id", id.empty() ? fresh_numeric_id() : id);
  for (const auto& [name, e] : r.attributes) {
    auto v = eval_attr(r, name.c_str(), scope, diags);
    attrs.set(name, v ? v->value : Value());
    if (v && v->sensitive) sensitive->push_back(name);
  }
  if (r.type == "null_resource" && !attrs.find("triggers")) attrs.set("triggers", Value());
  return attrs;
}

EvalScope scope_from_state(const std::map<std::string, Typed>& variables, const State& state) {
  EvalScope scope;
  scope.variables = variables;
  for (const auto& r : state.resources) {
    auto& attrs = scope.resources[r.address()];
    for (const auto& [k, v] : r.attributes.as_map()) {
      if (r.type == "terraform_data" && k != "id") {
        attrs[k] = unwrapped(&v);
      } else {
        attrs[k] = known(v);
      }
      attrs[k].sensitive = std::find(r.sensitive_attributes.begin(), r.sensitive_attributes.end(),
                                     k) != r.sensitive_attributes.end();
    }
  }
  return scope;
}

std::optional<Plan> make_plan(const Module& module, const State& state,
                              std::map<std::string, Typed> variables, bool destroy,
                              std::vector<SimDiag>& diags) {
  Plan plan;
  plan.destroy = destroy;
  plan.variables = variables;
  EvalScope scope;
  scope.variables = variables;
  size_t errors_before = diags.size();
  auto order = resource_order(module, diags);
  if (!order) return std::nullopt;

  if (destroy) {
    for (auto it = state.resources.rbegin(); it != state.resources.rend(); ++it) {
      ResourceChange c = change_of(*it, "delete", it->attributes, Value(),
                                   module.find_resource(it->address()));
      c.before_sensitive = it->sensitive_attributes;
      plan.changes.push_back(c);
      ++plan.counts.remove;
    }
    for (const auto& [name, o] : state.outputs) {
      OutputChange oc{name, "delete", Typed{}, o.sensitive, o};
      plan.outputs.push_back(oc);
    }
    return plan;
  }

  for (const Resource* r : *order) {
    const StateResource* prior = state.find(r->address());
    ResourceChange c;
    c.address = r->address();
    c.type = r->type;
    c.name = r->name;
    c.action = "noop";
    c.before = prior ? prior->attributes : Value();
    c.after = Value::map();
    c.config = r;
    auto& attrs = scope.resources[r->address()];
    if (r->type == "terraform_data") {
      auto input = eval_attr(*r, "input", scope, diags);
      auto triggers = eval_attr(*r, "triggers_replace", scope, diags);
      if (!input || !triggers) continue;
      if (!prior) {
        c.action = "create";
      } else if (prior->tainted || triggers->unknown ||
                 !(wrapped(*triggers) == (prior->attributes.find("triggers_replace")
                                              ? *prior->attributes.find("triggers_replace")
                                              : Value()))) {
        c.action = "replace";
      } else if (input->unknown ||
                 !(wrapped(*input) == (prior->attributes.find("input")
                                           ? *prior->attributes.find("input")
                                           : Value()))) {
        c.action = "update";
      }
      if (input->sensitive) c.after_sensitive.push_back("input");
      if (triggers->sensitive) c.after_sensitive.push_back("triggers_replace");
      if (prior) c.before_sensitive = prior->sensitive_attributes;
      c.after.set("input", input->unknown ? Value() : input->value);
      c.after.set("triggers_replace", triggers->unknown ? Value() : triggers->value);
      if (input->unknown) c.after_unknown.push_back("input");
      if (c.action == "noop") {
        c.after = Value::map();
        c.after.set("id", prior->id());
        c.after.set("input", input->value);
        c.after.set("output", input->value);
        c.after.set("triggers_replace", triggers->value);
        attrs["id"] = known(Value(prior->id()));
        attrs["output"] = unwrapped(prior->attributes.find("output"));
      } else {
        if (c.action == "update") {
          c.after.set("id", prior->id());
          attrs["id"] = known(Value(prior->id()));
        } else {
          c.after_unknown.push_back("id");
          attrs["id"] = unknown_typed();
        }
        c.after_unknown.push_back("output");
        attrs["output"] = unknown_typed();
      }
      attrs["input"] = *input;
      attrs["triggers_replace"] = *triggers;
    } else {
      Value after = Value::map();
      bool unknown = false;
      for (const auto& [name, e] : r->attributes) {
        auto v = eval_attr(*r, name.c_str(), scope, diags);
        if (!v) continue;
        unknown |= v->unknown;
        after.set(name, v->value);
        attrs[name] = *v;
      }
      if (r->type == "null_resource" && !after.find("triggers")) after.set("triggers", Value());
      bool same = prior && !prior->tainted && !unknown;
      if (same) {
        for (const auto& [k, v] : after.as_map()) {
          const Value* p = prior->attributes.find(k);
          if (!p || !(*p == v)) same = false;
        }
      }
      c.action = !prior ? "create" : same ? "noop" : "replace";
      if (c.action == "noop") {
        after.set("id", prior->id());
        attrs["id"] = known(Value(prior->id()));
      } else {
        c.after_unknown.push_back("id");
        attrs["id"] = unknown_typed();
      }
      c.after = after;
    }
    if (c.action == "replace") c.reason = prior && prior->tainted ? "tainted" : "cannot_update";
    if (c.action == "create") ++plan.counts.add;
    if (c.action == "update") ++plan.counts.change;
    if (c.action == "replace") {
      ++plan.counts.add;
      ++plan.counts.remove;
    }
    plan.changes.push_back(std::move(c));
  }
  for (const auto& r : state.resources) {
    if (module.find_resource(r.address())) continue;
    ResourceChange c = change_of(r, "delete", r.attributes, Value(), nullptr);
    c.reason = "no_resource_config";  // Terraform's delete_because_no_resource_config
    c.before_sensitive = r.sensitive_attributes;
    plan.changes.push_back(c);
    ++plan.counts.remove;
  }

  for (const auto& [name, o] : module.outputs) {
    strata::Diagnostics d;
    auto v = evaluate(o.value, scope, d);
    for (auto& s : to_sim_diags(d)) diags.push_back(s);
    if (!v) continue;
    if (v->sensitive && !o.sensitive) {
      diags.push_back(error("Output refers to sensitive values",
                            "To reduce the risk of accidentally exporting sensitive data that was "
                            "intended to be only internal, Terraform requires that any root "
                            "module output containing sensitive data be explicitly marked as "
                            "sensitive, to confirm your intent.\n\nIf you do intend to export "
                            "this data, annotate the output value as sensitive by adding the "
                            "following argument:\n    sensitive = true",
                            o.origin));
      continue;
    }
    OutputChange oc{name, "noop", *v, o.sensitive, std::nullopt};
    auto prior = state.outputs.find(name);
    if (prior != state.outputs.end()) oc.before = prior->second;
    if (!oc.before) {
      oc.action = "create";
    } else if (v->unknown || !(v->value == oc.before->value) || !(v->type == oc.before->type)) {
      oc.action = "update";
    }
    plan.outputs.push_back(std::move(oc));
  }
  for (const auto& [name, o] : state.outputs) {
    if (!module.outputs.count(name)) {
      plan.outputs.push_back(OutputChange{name, "delete", Typed{}, o.sensitive, o});
    }
  }
  for (size_t i = errors_before; i < diags.size(); ++i) {
    if (diags[i].severity == "error") return std::nullopt;
  }
  return plan;
}

std::optional<std::map<std::string, StateOutput>> final_outputs(
    const Module& module, const std::map<std::string, Typed>& variables, const State& state,
    std::vector<SimDiag>& diags) {
  EvalScope scope = scope_from_state(variables, state);
  std::map<std::string, StateOutput> out;
  bool ok = true;
  for (const auto& [name, o] : module.outputs) {
    strata::Diagnostics d;
    auto v = evaluate(o.value, scope, d);
    for (auto& s : to_sim_diags(d)) diags.push_back(s);
    if (!v) {
      ok = false;
      continue;
    }
    if (v->value.is_null()) continue;  // Terraform leaves null outputs out of the state
    out[name] = StateOutput{v->value, v->type, o.sensitive};
  }
  if (!ok) return std::nullopt;
  return out;
}

bool write_plan_file(const std::string& path, const Plan& plan, const State& prior,
                     const std::string& dir, std::string* err) {
  ojson doc = ojson::object();
  doc["tofu_sim_plan"] = 1;
  doc["destroy"] = plan.destroy;
  ojson vars = ojson::object();
  for (const auto& [name, t] : plan.variables) {
    vars[name] = {{"value", to_ojson(t.value)}, {"type", to_ojson(t.type)},
                  {"sensitive", t.sensitive}};
  }
  doc["variables"] = vars;
  doc["prior"] = {{"exists", prior.exists}, {"serial", prior.serial}, {"lineage", prior.lineage}};
  doc["dir"] = dir;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(dir) / p;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << doc.dump(2) << "\n";
  if (!out) {
    *err = "Failed to write plan file: cannot write " + p.string();
    return false;
  }
  return true;
}

std::optional<SavedPlan> read_plan_file(const std::string& path, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "Failed to load \"" + path + "\" as a plan file: no such file";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Value doc;
  try {
    doc = strata::parse_json_text(ss.str());
  } catch (const strata::Error&) {
    doc = Value();
  }
  if (!doc.is_map() || !doc.find("tofu_sim_plan")) {
    *err = "Failed to load \"" + path + "\" as a plan file: it was not written by tofu-sim";
    return std::nullopt;
  }
  SavedPlan plan;
  plan.destroy = doc.find("destroy") && doc.find("destroy")->as_bool();
  if (const Value* vars = doc.find("variables"); vars && vars->is_map()) {
    for (const auto& [name, v] : vars->as_map()) {
      Typed t;
      t.value = *v.find("value");
      t.type = *v.find("type");
      t.sensitive = v.find("sensitive")->as_bool();
      plan.variables[name] = t;
    }
  }
  const Value* prior = doc.find("prior");
  plan.had_state = prior->find("exists")->as_bool();
  plan.serial = static_cast<int>(prior->find("serial")->as_number().as_int().value_or(0));
  plan.lineage = prior->find("lineage")->as_string();
  return plan;
}

namespace {

ojson state_values(const State& state) {
  ojson values = ojson::object();
  ojson outputs = ojson::object();
  for (const auto& [name, o] : state.outputs) {
    outputs[name] = {{"sensitive", o.sensitive}, {"value", to_ojson(o.value)},
                     {"type", to_ojson(o.type)}};
  }
  values["outputs"] = outputs;
  ojson resources = ojson::array();
  for (const auto& r : state.resources) {
    ojson res = ojson::object();
    res["address"] = r.address();
    res["mode"] = "managed";
    res["type"] = r.type;
    res["name"] = r.name;
    std::string provider = provider_address(r.type);
    res["provider_name"] = provider.substr(10, provider.size() - 12);
    res["schema_version"] = 0;
    ojson vals = ojson::object();
    for (const auto& [k, v] : r.attributes.as_map()) {
      if (r.type == "terraform_data" && k != "id") {
        vals[k] = v.is_map() && v.find("value") ? to_ojson(*v.find("value")) : ojson(nullptr);
      } else {
        vals[k] = to_ojson(v);
      }
    }
    res["values"] = vals;
    res["sensitive_values"] = with_sensitive(marks(from_ojson(vals)), r.sensitive_attributes);
    if (!r.dependencies.empty()) res["depends_on"] = r.dependencies;
    resources.push_back(res);
  }
  values["root_module"] = resources.empty() ? ojson::object() : ojson{{"resources", resources}};
  return values;
}

ojson expression_json(const Expr& e) {
  if (e.is_constant()) {
    EvalScope empty;
    strata::Diagnostics d;
    auto v = evaluate(e, empty, d);
    return {{"constant_value", v ? to_ojson(v->value) : ojson(nullptr)}};
  }
  std::vector<std::string> refs;
  e.collect_references(refs);
  return {{"references", refs}};
}

std::vector<std::string> actions_of(const std::string& action) {
  if (action == "replace") return {"delete", "create"};
  if (action == "noop") return {"no-op"};
  return {action};
}

}  // namespace

std::string state_document(const State& state, const std::string& version) {
  ojson doc = ojson::object();
  doc["format_version"] = "1.0";
  if (!state.exists) return doc.dump();
  doc["terraform_version"] = version;
  doc["values"] = state_values(state);
  return doc.dump();
}

std::string plan_document(const Module& module, const Plan& plan, const State& prior,
                          const std::string& version) {
  ojson doc = ojson::object();
  doc["format_version"] = "1.2";
  doc["terraform_version"] = version;
  ojson vars = ojson::object();
  for (const auto& [name, t] : plan.variables) vars[name] = {{"value", to_ojson(t.value)}};
  if (!vars.empty()) doc["variables"] = vars;

  ojson planned_outputs = ojson::object();
  ojson output_changes = ojson::object();
  for (const auto& o : plan.outputs) {
    if (o.action != "delete") {
      ojson po = {{"sensitive", o.sensitive}};
      if (!o.after.unknown) {
        po["type"] = to_ojson(o.after.type);
        po["value"] = to_ojson(o.after.value);
      }
      planned_outputs[o.name] = po;
    }
    ojson oc = ojson::object();
    oc["actions"] = actions_of(o.action);
    oc["before"] = o.before ? to_ojson(o.before->value) : ojson(nullptr);
    if (o.action == "delete") {
      oc["after"] = nullptr;
      oc["after_unknown"] = false;
    } else if (o.after.unknown) {
      oc["after_unknown"] = true;
    } else {
      oc["after"] = to_ojson(o.after.value);
      oc["after_unknown"] = false;
    }
    oc["before_sensitive"] = o.before ? o.before->sensitive : o.sensitive;
    oc["after_sensitive"] = o.action == "delete" ? false : o.sensitive;
    output_changes[o.name] = oc;
  }
  ojson planned_resources = ojson::array();
  ojson resource_changes = ojson::array();
  std::vector<const ResourceChange*> sorted;
  for (const auto& c : plan.changes) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return a->address < b->address; });
  for (const ResourceChange* c : sorted) {
    std::string provider = provider_address(c->type);
    provider = provider.substr(10, provider.size() - 12);
    if (c->action != "delete") {
      ojson pr = ojson::object();
      pr["address"] = c->address;
      pr["mode"] = "managed";
      pr["type"] = c->type;
      pr["name"] = c->name;
      pr["provider_name"] = provider;
      pr["schema_version"] = 0;
      pr["values"] = to_ojson(c->after);
      pr["sensitive_values"] =
          with_sensitive(unknown_output_marks(*c, marks(c->after)), c->after_sensitive);
      planned_resources.push_back(pr);
    }
    ojson rc = ojson::object();
    rc["address"] = c->address;
    rc["mode"] = "managed";
    rc["type"] = c->type;
    rc["name"] = c->name;
    rc["provider_name"] = provider;
    ojson change = ojson::object();
    change["actions"] = actions_of(c->action);
    Value before = c->before;
    if (c->type == "terraform_data" && before.is_map()) {
      for (auto& [k, v] : before.as_map()) {
        if (k != "id" && v.is_map() && v.find("value")) v = Value(*v.find("value"));
      }
    }
    change["before"] = to_ojson(before);
    change["after"] = c->action == "delete" ? ojson(nullptr) : to_ojson(c->after);
    ojson unknown = marks(c->after);
    for (const auto& u : c->after_unknown) unknown[u] = true;
    change["after_unknown"] = c->action == "delete" ? ojson(false) : unknown;
    change["before_sensitive"] =
        before.is_null() ? ojson(false) : with_sensitive(marks(before), c->before_sensitive);
    change["after_sensitive"] =
        c->action == "delete"
            ? ojson(false)
            : with_sensitive(unknown_output_marks(*c, marks(c->after)), c->after_sensitive);
    if (c->action == "replace" && c->reason == "cannot_update" && c->type == "terraform_data") {
      change["replace_paths"] = ojson::array({ojson::array({"triggers_replace"})});
    }
    rc["change"] = change;
    if (c->action == "replace") rc["action_reason"] = "replace_because_" + c->reason;
    if (c->action == "delete" && !c->reason.empty()) rc["action_reason"] = "delete_because_" + c->reason;
    resource_changes.push_back(rc);
  }
  ojson planned = ojson::object();
  planned["outputs"] = planned_outputs;
  planned["root_module"] = planned_resources.empty() ? ojson::object()
                                                     : ojson{{"resources", planned_resources}};
  doc["planned_values"] = planned;
  if (!resource_changes.empty()) doc["resource_changes"] = resource_changes;
  if (!output_changes.empty()) doc["output_changes"] = output_changes;
  // Terraform's prior state is the refreshed state, into which the plan walk has already
  // written every output whose value is known.
  {
    State refreshed = prior;
    refreshed.exists = true;
    if (!plan.destroy) {
      for (const auto& o : plan.outputs) {
        if (o.action == "delete") {
          refreshed.outputs.erase(o.name);
        } else if (!o.after.unknown && !o.after.value.is_null()) {
          refreshed.outputs[o.name] = StateOutput{o.after.value, o.after.type, o.sensitive};
        }
      }
    }
    ojson ps = ojson::object();
    ps["format_version"] = "1.0";
    ps["terraform_version"] = version;
    ps["values"] = state_values(refreshed);
    doc["prior_state"] = ps;
  }

  ojson config = ojson::object();
  ojson provider_config = ojson::object();
  for (const auto& r : module.resources) {
    std::string p = implied_provider(r.type);
    std::string full = provider_address(r.type);
    provider_config[p] = {{"name", p}, {"full_name", full.substr(10, full.size() - 12)}};
  }
  if (!provider_config.empty()) config["provider_config"] = provider_config;
  ojson root = ojson::object();
  ojson outs = ojson::object();
  for (const auto& [name, o] : module.outputs) {
    ojson oj = ojson::object();
    if (o.sensitive) oj["sensitive"] = true;
    oj["expression"] = expression_json(o.value);
    outs[name] = oj;
  }
  if (!outs.empty()) root["outputs"] = outs;
  ojson res = ojson::array();
  std::vector<const Resource*> by_address;
  for (const auto& r : module.resources) by_address.push_back(&r);
  std::sort(by_address.begin(), by_address.end(),
            [](auto* a, auto* b) { return a->address() < b->address(); });
  for (const Resource* rp : by_address) {
    const Resource& r = *rp;
    ojson rj = ojson::object();
    rj["address"] = r.address();
    rj["mode"] = "managed";
    rj["type"] = r.type;
    rj["name"] = r.name;
    rj["provider_config_key"] = implied_provider(r.type);
    ojson exprs = ojson::object();
    for (const auto& [k, e] : r.attributes) exprs[k] = expression_json(e);
    rj["expressions"] = exprs;
    rj["schema_version"] = 0;
    if (!r.depends_on.empty()) rj["depends_on"] = r.depends_on;
    res.push_back(rj);
  }
  if (!res.empty()) root["resources"] = res;
  ojson cvars = ojson::object();
  for (const auto& [name, v] : module.variables) {
    ojson vj = ojson::object();
    if (v.default_value) {
      EvalScope empty;
      strata::Diagnostics d;
      if (auto t = evaluate(*v.default_value, empty, d)) vj["default"] = to_ojson(t->value);
    }
    if (v.sensitive) vj["sensitive"] = true;
    cvars[name] = vj;
  }
  if (!cvars.empty()) root["variables"] = cvars;
  config["root_module"] = root;
  // Output references to resource attributes are what Terraform calls relevant attributes.
  ojson rel = ojson::array();
  for (const auto& [name, o] : module.outputs) {
    std::vector<std::string> refs;
    o.value.collect_references(refs);
    for (const auto& ref : refs) {
      size_t first = ref.find('.');
      size_t second = ref.find('.', first + 1);
      if (ref.rfind("var.", 0) == 0 || second == std::string::npos) continue;
      // Terraform lists the attributes behind outputs that the plan changes.
      bool changing = false;
      for (const auto& oc : plan.outputs) {
        if (oc.name == name) changing = oc.action != "noop";
      }
      if (!changing) continue;
      rel.push_back({{"resource", ref.substr(0, second)},
                     {"attribute", ojson::array({ref.substr(second + 1)})}});
    }
  }
  doc["configuration"] = config;
  if (!rel.empty()) doc["relevant_attributes"] = rel;
  doc["timestamp"] = timestamp_now().substr(0, 19) + "Z";
  doc["applyable"] = plan.has_changes();
  doc["complete"] = true;
  doc["errored"] = false;
  return doc.dump();
}

}  // namespace tofu_sim
