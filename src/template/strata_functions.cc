// strata's own template functions: state (another component's outputs), secret, env, plus the
// Helm-style required and toYaml that infrastructure templates expect.
#include <cstdlib>

#include "model/error.h"
#include "template/functions.h"
#include "template/go_format.h"
#include "template/go_json.h"
#include "template/template_host.h"

namespace strata::tpl {

namespace {

const Origin& where(const CallContext& ctx) {
  static const Origin kNone;
  return ctx.origin ? *ctx.origin : kNone;
}

std::string host_error(const Error& e) {
  return e.hint().empty() ? e.message() : e.message() + " (" + e.hint() + ")";
}

Val fn_state(CallContext& ctx, std::vector<Val>& a) {
  if (!ctx.host) throw FuncError("component outputs are not available here (no state resolver)");
  try {
    Value v = ctx.host->state(a[0].as_string(), a[1].as_string(), where(ctx));
    if (v.contains_sensitive()) ctx.sensitive = true;
    return from_value(v);
  } catch (const Error& e) {
    throw FuncError(host_error(e), e.kind());
  }
}

Val fn_secret(CallContext& ctx, std::vector<Val>& a) {
  if (!ctx.host) throw FuncError("secrets are not available here (no secret resolver)");
  try {
    Value v = ctx.host->secret(a[0].as_string(), where(ctx));
    ctx.sensitive = true;
    Val out = from_value(v);
    out.set_sensitive();
    return out;
  } catch (const Error& e) {
    throw FuncError(host_error(e), e.kind());
  }
}

Val fn_env(CallContext& ctx, std::vector<Val>& a) {
  if (ctx.host) return Val::string(ctx.host->env(a[0].as_string()).value_or(""));
  const char* v = std::getenv(a[0].as_string().c_str());
  return Val::string(v ? v : "");
}

// Helm's required: fails with the message when the value is nil or an empty string.
Val fn_required(CallContext&, std::vector<Val>& a) {
  const Val& v = a[1];
  if (v.is_nil_or_invalid() || (v.kind() == Val::Kind::kString && v.as_string().empty()))
    throw FuncError(a[0].as_string());
  return v;
}

bool plain_yaml_scalar(const std::string& s) {
  if (s.empty()) return false;
  static const char* kReserved[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
                                    "True", "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE", "Y", "N"};
  for (const char* r : kReserved)
    if (s == r) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (end && *end == 0) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == '/' || c == ' ' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
  }
  return s.front() != ' ' && s.back() != ' ' && s.front() != '-';
}

void yaml_scalar(std::string& out, const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kString:
      out += plain_yaml_scalar(v.as_string()) ? v.as_string() : to_go_json(v, false, false);
      return;
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: out += "null"; return;
    default: out += value_string(v); return;
  }
}

void yaml_node(std::string& out, const Val& v, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.kind() == Val::Kind::kMap && !v.as_map().empty()) {
    for (const auto& [k, e] : v.as_map()) {
      out += pad;
      yaml_scalar(out, Val::string(k));
      out += ':';
      bool nested = (e.kind() == Val::Kind::kMap && !e.as_map().empty()) ||
                    (e.kind() == Val::Kind::kList && !e.as_list().empty());
      if (nested) {
        out += '\n';
        yaml_node(out, e, e.kind() == Val::Kind::kMap ? indent + 2 : indent);
      } else {
        out += ' ';
        yaml_node(out, e, 0);
      }
    }
  } else if (v.kind() == Val::Kind::kList && !v.as_list().empty()) {
    for (const auto& e : v.as_list()) {
      out += pad + "- ";
      bool nested = (e.kind() == Val::Kind::kMap && !e.as_map().empty()) ||
                    (e.kind() == Val::Kind::kList && !e.as_list().empty());
      if (nested) {
        std::string inner;
        yaml_node(inner, e, indent + 2);
        out += inner.substr(static_cast<size_t>(indent) + 2);
      } else {
        yaml_node(out, e, 0);
      }
    }
  } else {
    if (v.kind() == Val::Kind::kMap) out += "{}";
    else if (v.kind() == Val::Kind::kList) out += "[]";
    else yaml_scalar(out, v);
    out += '\n';
  }
}

Val fn_to_yaml(CallContext&, std::vector<Val>& a) {
  std::string out;
  yaml_node(out, a[0], 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return Val::string(out);
}

}  // namespace

void register_strata_functions(FunctionTable& t) {
  using P = Param;
  t.push_back({"state", {P::kString, P::kString}, false, fn_state});
  t.push_back({"secret", {P::kString}, false, fn_secret});
  t.push_back({"env", {P::kString}, false, fn_env});
  t.push_back({"required", {P::kString, P::kAny}, false, fn_required});
  t.push_back({"toYaml", {P::kAny}, false, fn_to_yaml});
}

}  // namespace strata::tpl
