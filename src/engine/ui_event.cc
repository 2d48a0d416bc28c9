#include "engine/ui_event.h"

#include <array>
#include <utility>

#include "engine/json_fields.h"
#include "model/error.h"

namespace strata {

namespace {

using engine_json::bool_field;
using engine_json::double_field;
using engine_json::field;
using engine_json::int_field;
using engine_json::string_field;

constexpr std::array<std::pair<UiEventType, const char*>, 23> kTypeNames = {{
    {UiEventType::kVersion, "version"},
    {UiEventType::kLog, "log"},
    {UiEventType::kDiagnostic, "diagnostic"},
    {UiEventType::kPlannedChange, "planned_change"},
    {UiEventType::kChangeSummary, "change_summary"},
    {UiEventType::kResourceDrift, "resource_drift"},
    {UiEventType::kApplyStart, "apply_start"},
    {UiEventType::kApplyProgress, "apply_progress"},
    {UiEventType::kApplyComplete, "apply_complete"},
    {UiEventType::kApplyErrored, "apply_errored"},
    {UiEventType::kProvisionStart, "provision_start"},
    {UiEventType::kProvisionProgress, "provision_progress"},
    {UiEventType::kProvisionComplete, "provision_complete"},
    {UiEventType::kProvisionErrored, "provision_errored"},
    {UiEventType::kRefreshStart, "refresh_start"},
    {UiEventType::kRefreshComplete, "refresh_complete"},
    {UiEventType::kEphemeralOpStart, "ephemeral_op_start"},
    {UiEventType::kEphemeralOpComplete, "ephemeral_op_complete"},
    {UiEventType::kEphemeralOpErrored, "ephemeral_op_errored"},
    {UiEventType::kOutputs, "outputs"},
    {UiEventType::kInitOutput, "init_output"},
    {UiEventType::kTestAbstract, "test_abstract"},
    {UiEventType::kText, "text"},
}};

UiResource parse_resource(const Value* r) {
  UiResource out;
  out.addr = string_field(r, "addr");
  out.module = string_field(r, "module");
  out.type = string_field(r, "resource_type");
  out.name = string_field(r, "resource_name");
  out.implied_provider = string_field(r, "implied_provider");
  return out;
}

EnginePos parse_pos(const Value* p) {
  return {int_field(p, "line"), int_field(p, "column"), int_field(p, "byte")};
}

EngineDiagnostic parse_diagnostic(const Value* d) {
  EngineDiagnostic out;
  out.severity = string_field(d, "severity");
  out.summary = string_field(d, "summary");
  out.detail = string_field(d, "detail");
  out.address = string_field(d, "address");
  if (const Value* range = field(d, "range"); range && range->is_map()) {
    out.has_range = true;
    out.filename = string_field(range, "filename");
    out.start = parse_pos(field(range, "start"));
    out.end = parse_pos(field(range, "end"));
  }
  if (const Value* snippet = field(d, "snippet"); snippet && snippet->is_map()) {
    out.snippet_context = string_field(snippet, "context");
    out.snippet_code = string_field(snippet, "code");
    out.snippet_start_line = int_field(snippet, "start_line");
  }
  return out;
}

UiChangeSummary parse_changes(const Value* c) {
  UiChangeSummary out;
  out.add = int_field(c, "add");
  out.change = int_field(c, "change");
  out.import = int_field(c, "import");
  out.remove = int_field(c, "remove");
  out.forget = int_field(c, "forget");
  out.operation = string_field(c, "operation");
  return out;
}

std::map<std::string, UiOutput> parse_outputs(const Value* outputs) {
  std::map<std::string, UiOutput> out;
  if (!outputs || !outputs->is_map()) return out;
  for (const auto& [name, o] : outputs->as_map()) {
    UiOutput u;
    u.sensitive = bool_field(&o, "sensitive");
    u.action = string_field(&o, "action");
    if (const Value* t = o.find("type")) u.type = *t;
    if (const Value* v = o.find("value")) {
      u.value = *v;
      u.has_value = true;
      u.value.set_sensitive(u.sensitive);
    }
    out.emplace(name, std::move(u));
  }
  return out;
}

// Hooks (apply_*, provision_*, refresh_*) and changes (planned_change, resource_drift) share
// most fields; fields a type does not carry are simply absent.
void parse_hook(const Value* hook, UiEvent& e) {
  if (!hook) return;
  e.resource = parse_resource(field(hook, "resource"));
  e.action = string_field(hook, "action");
  e.reason = string_field(hook, "reason");
  e.id_key = string_field(hook, "id_key");
  e.id_value = string_field(hook, "id_value");
  e.elapsed_seconds = double_field(hook, "elapsed_seconds");
  e.provisioner = string_field(hook, "provisioner");
  e.output = string_field(hook, "output");
}

UiEvent text_event(std::string_view line) {
  UiEvent e;
  e.type = UiEventType::kText;
  e.type_name = "text";
  e.message = std::string(line);
  return e;
}

}  // namespace

const char* ui_event_type_name(UiEventType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "";
}

UiEventType ui_event_type_from_name(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (t != UiEventType::kText && name == n) return t;
  }
  return UiEventType::kOther;
}

std::string EngineDiagnostic::str() const {
  std::string out;
  if (has_range && !filename.empty()) {
    out = filename + ":" + std::to_string(start.line) + ":" + std::to_string(start.column) + ": ";
  }
  out += severity == "warning" ? "Warning: " : "Error: ";
  out += summary;
  return out;
}

EngineDiagnostic parse_engine_diagnostic(const Value& diagnostic) {
  return parse_diagnostic(&diagnostic);
}

UiEvent parse_ui_event(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] != '{') return text_event(line);
  Value msg;
  try {
    msg = parse_json_text(std::string(line));
  } catch (const Error&) {
    return text_event(line);
  }
  if (!msg.is_map()) return text_event(line);

  UiEvent e;
  e.type_name = string_field(&msg, "type");
  e.type = ui_event_type_from_name(e.type_name);
  e.level = string_field(&msg, "@level");
  e.message = string_field(&msg, "@message");
  e.module = string_field(&msg, "@module");
  e.timestamp = string_field(&msg, "@timestamp");

  switch (e.type) {
    case UiEventType::kVersion:
      e.engine_version = string_field(&msg, "terraform");
      if (e.engine_version.empty()) e.engine_version = string_field(&msg, "tofu");
      e.ui_version = string_field(&msg, "ui");
      break;
    case UiEventType::kChangeSummary:
      e.changes = parse_changes(field(&msg, "changes"));
      break;
    case UiEventType::kDiagnostic:
      e.diagnostic = parse_diagnostic(field(&msg, "diagnostic"));
      break;
    case UiEventType::kPlannedChange:
    case UiEventType::kResourceDrift:
      parse_hook(field(&msg, "change"), e);
      break;
    case UiEventType::kOutputs:
      e.outputs = parse_outputs(field(&msg, "outputs"));
      break;
    case UiEventType::kInitOutput:
      e.message_code = string_field(&msg, "message_code");
      break;
    default:
      parse_hook(field(&msg, "hook"), e);
      break;
  }
  e.raw = std::move(msg);
  return e;
}

}  // namespace strata
