#include "hcl/module_inspector.h"

#include <algorithm>
#include <filesystem>

#include "base/atomic_file.h"
#include "hcl/eval.h"
#include "hcl/json_syntax.h"
#include "hcl/parser.h"
#include "hcl/terraform_schema.h"
#include "hcl/variables.h"

namespace strata::hcl {
namespace {

class Inspector {
 public:
  explicit Inspector(ModuleInfo& info) : info_(info) {}

  void file(const File& f) {
    file_ = &f;
    json_ = f.filename->ends_with(".json");
    info_.diagnostics.append(to_diagnostics(f.diagnostics, f.filename));
    collect_references(f.body, "");
    for (const auto& b : f.body.blocks) top_block(b);
  }

 private:
  Origin origin(const Range& r) const { return origin_of(file_->filename, r); }
  // Where a block is declared, as Terraform reports it: the header in native syntax, the
  // opening brace of the block's object in JSON (where the type name may be shared by many).
  Origin decl_origin(const Block& b) const {
    return origin(json_ ? b.open_brace_range : b.type_range);
  }

  std::vector<Reference> refs_of(const Expr& e) const {
    std::vector<Reference> out;
    for (const auto& v : expr_variables(e)) {
      Reference r;
      r.traversal = traversal_str(v.traversal);
      r.root = v.traversal[0].name;
      for (const auto& s : v.traversal) {
        if (s.kind == TraverseStep::Kind::kIndex) {
          r.parts.push_back(s.key.is_string()   ? s.key.as_string()
                            : s.key.is_number() ? s.key.as_number().text()
                                                : "?");
        } else {
          r.parts.push_back(s.kind == TraverseStep::Kind::kSplat ? "*" : s.name);
        }
      }
      r.origin = origin(v.range);
      out.push_back(std::move(r));
    }
    return out;
  }

  void collect_references(const Body& body, const std::string& prefix) {
    for (const auto& a : body.attributes) {
      std::string address = prefix + a.name;
      std::vector<Reference> refs = refs_of(*a.expr);
      for (const auto& r : refs) {
        if (r.parts.size() >= 3 && r.parts[0] == "data" && r.parts[1] == "terraform_remote_state") {
          RemoteStateReference rs;
          rs.state = r.parts[2];
          if (r.parts.size() >= 5 && r.parts[3] == "outputs") rs.output = r.parts[4];
          rs.used_at = address;
          rs.ref = r;
          info_.remote_state_refs.push_back(std::move(rs));
        }
      }
      info_.references.push_back({address, std::move(refs)});
    }
    for (const auto& b : body.blocks) {
      std::string p = prefix + b.type + ".";
      for (const auto& l : b.labels) p += l + ".";
      collect_references(b.body, p);
    }
  }

  // A constant attribute value, or nullopt.
  static std::optional<Value> constant(const Body& body, const char* name) {
    const Attribute* a = body.find_attribute(name);
    if (!a) return std::nullopt;
    HclDiagnostics d;
    Value v = evaluate(*a->expr, nullptr, d);
    if (d.has_errors()) return std::nullopt;
    return v;
  }
  static std::string constant_string(const Body& body, const char* name) {
    auto v = constant(body, name);
    return v && v->is_string() ? v->as_string() : "";
  }
  static bool constant_bool(const Body& body, const char* name) {
    auto v = constant(body, name);
    return v && v->is_bool() && v->as_bool();
  }

  void top_block(const Block& b) {
    const std::string label = b.labels.empty() ? "" : b.labels[0];
    if (b.type == "variable" && b.labels.size() == 1) {
      VariableInfo v;
      v.name = label;
      if (const Attribute* t = b.body.find_attribute("type")) v.type = file_->text(t->expr->range);
      v.has_default = b.body.find_attribute("default") != nullptr;
      v.default_value = constant(b.body, "default");
      v.description = constant_string(b.body, "description");
      v.sensitive = constant_bool(b.body, "sensitive");
      if (auto n = constant(b.body, "nullable"); n && n->is_bool()) v.nullable = n->as_bool();
      v.validations =
          static_cast<int>(std::count_if(b.body.blocks.begin(), b.body.blocks.end(),
                                         [](const Block& x) { return x.type == "validation"; }));
      v.origin = decl_origin(b);
      info_.variables.push_back(std::move(v));
    } else if (b.type == "output" && b.labels.size() == 1) {
      OutputInfo o;
      o.name = label;
      o.description = constant_string(b.body, "description");
      o.sensitive = constant_bool(b.body, "sensitive");
      if (const Attribute* v = b.body.find_attribute("value")) o.refs = refs_of(*v->expr);
      o.origin = decl_origin(b);
      info_.outputs.push_back(std::move(o));
    } else if (b.type == "provider" && b.labels.size() == 1) {
      info_.providers.push_back({label, constant_string(b.body, "alias"), decl_origin(b)});
    } else if (b.type == "module" && b.labels.size() == 1) {
      ModuleCall m;
      m.name = label;
      m.source = constant_string(b.body, "source");
      m.version = constant_string(b.body, "version");
      for (const auto& a : b.body.attributes) {
        if (a.name == "source" || a.name == "version") continue;
        m.inputs.push_back({a.name, refs_of(*a.expr)});
      }
      m.origin = decl_origin(b);
      info_.module_calls.push_back(std::move(m));
    } else if ((b.type == "resource" || b.type == "data") && b.labels.size() == 2) {
      info_.resources.push_back(
          {b.type == "data" ? "data" : "managed", b.labels[0], b.labels[1], decl_origin(b)});
    } else if (b.type == "terraform") {
      if (auto v = constant(b.body, "required_version"); v && v->is_string()) {
        info_.required_core = v->as_string();
      }
      for (const auto& rp : b.body.blocks) {
        if (rp.type != "required_providers") continue;
        for (const auto& a : rp.body.attributes) {
          ProviderRequirement p;
          p.name = a.name;
          HclDiagnostics d;
          Value v = evaluate(*a.expr, nullptr, d);
          if (v.is_string()) {
            p.version = v.as_string();  // legacy form: aws = "~> 5.0"
          } else if (v.is_map()) {
            if (const Value* s = v.find("source"); s && s->is_string()) p.source = s->as_string();
            if (const Value* s = v.find("version"); s && s->is_string()) p.version = s->as_string();
          }
          info_.required_providers.push_back(std::move(p));
        }
      }
    }
  }

  ModuleInfo& info_;
  const File* file_ = nullptr;
  bool json_ = false;
};

Value refs_value(const std::vector<Reference>& refs) {
  Value::List out;
  for (const auto& r : refs) {
    Value v = Value::map();
    v.set("traversal", r.traversal);
    v.set("at", r.origin.str());
    out.push_back(std::move(v));
  }
  return Value(std::move(out));
}

}  // namespace

ModuleInfo inspect_sources(const std::vector<SourceFile>& files) {
  ModuleInfo info;
  Inspector inspector(info);
  for (const auto& f : files) {
    File parsed = f.path.ends_with(".json")
                      ? parse_json_config(f.text, f.path, terraform_file_schema())
                      : parse_config(f.text, f.path);
    inspector.file(parsed);
  }
  return info;
}

ModuleInfo inspect_module_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    throw Error("cannot read module folder " + dir + ": " + ec.message(), Origin(dir),
                "pass the folder that holds the module's .tf or .tf.json files");
  }
  std::vector<std::string> paths;
  for (const auto& e : it) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && (name.ends_with(".tf") || name.ends_with(".tf.json"))) {
      paths.push_back(e.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SourceFile> files;
  for (const auto& p : paths) {
    files.push_back({p, read_file(p)});
  }
  return inspect_sources(files);
}

Value to_value(const ModuleInfo& info) {
  Value out = Value::map();
  out.set("required_core", info.required_core);
  Value vars = Value::list();
  for (const auto& v : info.variables) {
    Value x = Value::map();
    x.set("name", v.name);
    x.set("type", v.type.empty() ? Value() : Value(v.type));
    x.set("default", v.default_value ? *v.default_value : Value());
    x.set("required", !v.has_default);
    x.set("description", v.description);
    x.set("sensitive", v.sensitive);
    x.set("nullable", v.nullable ? Value(*v.nullable) : Value());
    x.set("validations", v.validations);
    x.set("at", v.origin.str());
    vars.push(std::move(x));
  }
  out.set("variables", std::move(vars));
  Value outs = Value::list();
  for (const auto& o : info.outputs) {
    Value x = Value::map();
    x.set("name", o.name);
    x.set("description", o.description);
    x.set("sensitive", o.sensitive);
    x.set("references", refs_value(o.refs));
    x.set("at", o.origin.str());
    outs.push(std::move(x));
  }
  out.set("outputs", std::move(outs));
  Value req = Value::list();
  for (const auto& p : info.required_providers) {
    req.push(Value(Value::Map{{"name", p.name}, {"source", p.source}, {"version", p.version}}));
  }
  out.set("required_providers", std::move(req));
  Value provs = Value::list();
  for (const auto& p : info.providers) {
    provs.push(Value(Value::Map{{"name", p.name}, {"alias", p.alias}, {"at", p.origin.str()}}));
  }
  out.set("providers", std::move(provs));
  Value mods = Value::list();
  for (const auto& m : info.module_calls) {
    Value inputs = Value::map();
    for (const auto& in : m.inputs) inputs.set(in.address, refs_value(in.refs));
    mods.push(Value(Value::Map{{"name", m.name},
                               {"source", m.source},
                               {"version", m.version},
                               {"inputs", inputs},
                               {"at", m.origin.str()}}));
  }
  out.set("module_calls", std::move(mods));
  Value res = Value::list();
  for (const auto& r : info.resources) {
    res.push(Value(
        Value::Map{{"mode", r.mode}, {"type", r.type}, {"name", r.name}, {"at", r.origin.str()}}));
  }
  out.set("resources", std::move(res));
  Value rs = Value::list();
  for (const auto& r : info.remote_state_refs) {
    rs.push(Value(Value::Map{{"state", r.state},
                             {"output", r.output},
                             {"used_at", r.used_at},
                             {"traversal", r.ref.traversal},
                             {"at", r.ref.origin.str()}}));
  }
  out.set("remote_state_references", std::move(rs));
  return out;
}

}  // namespace strata::hcl
