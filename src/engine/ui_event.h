// UiEvent: one line of the engine's machine-readable UI stream (`plan|apply|destroy|init|validate
// -json`), parsed into a typed event. Accepts both Terraform's and OpenTofu's spellings
// (`terraform`/`tofu` version keys, `terraform.ui`/`tofu.ui` modules). Lines that are not JSON
// objects (engines print some) become kText events; unknown message types are kept as kOther
// with their raw fields, so nothing an engine says is lost.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/value.h"

namespace strata {

enum class UiEventType {
  kText,  // not a JSON object: the line is in `message`
  kVersion,
  kLog,
  kDiagnostic,
  kPlannedChange,
  kChangeSummary,
  kResourceDrift,
  kApplyStart,
  kApplyProgress,
  kApplyComplete,
  kApplyErrored,
  kProvisionStart,
  kProvisionProgress,
  kProvisionComplete,
  kProvisionErrored,
  kRefreshStart,
  kRefreshComplete,
  kEphemeralOpStart,
  kEphemeralOpComplete,
  kEphemeralOpErrored,
  kOutputs,
  kInitOutput,
  kTestAbstract,
  kOther,  // a JSON message of a type this parser does not know; see `type_name` and `raw`
};

// The `type` string for a known type ("planned_change"); "text" for kText, "" for kOther.
const char* ui_event_type_name(UiEventType type);
UiEventType ui_event_type_from_name(std::string_view name);

// change_summary: "Plan: 1 to add, 0 to change, 0 to destroy."
struct UiChangeSummary {
  int add = 0;
  int change = 0;
  int import = 0;
  int remove = 0;
  int forget = 0;
  std::string operation;  // "plan", "apply" or "destroy"
  bool operator==(const UiChangeSummary&) const = default;
};

// A source position as the engine reports it (1-based line and column, 0-based byte).
struct EnginePos {
  int line = 0;
  int column = 0;
  int byte = 0;
};

struct EngineDiagnostic {
  std::string severity;  // "error" or "warning"
  std::string summary;
  std::string detail;
  std::string address;  // resource address, when the engine names one
  bool has_range = false;
  std::string filename;  // relative to the engine's working directory
  EnginePos start, end;
  // The snippet, when present: the source line and its enclosing context.
  std::string snippet_context;
  std::string snippet_code;
  int snippet_start_line = 0;

  bool is_error() const { return severity == "error"; }
  // "main.tf:2:3: Error: summary" (without a position when there is no range).
  std::string str() const;
};

// The resource a hook or change is about.
struct UiResource {
  std::string addr;  // "module.m.test_instance.foo[1]"
  std::string module;
  std::string type;
  std::string name;
  std::string implied_provider;
};

struct UiOutput {
  bool sensitive = false;
  std::string action;  // plan streams: "create", "update", "delete", "noop"
  Value type;          // apply streams: the type constraint, JSON form
  Value value;         // apply streams: absent (null) when sensitive
  bool has_value = false;
};

struct UiEvent {
  UiEventType type = UiEventType::kText;
  std::string type_name;  // the raw `type` field
  std::string level;      // "@level": "info", "warn", "error", ...
  std::string message;    // "@message", or the whole line for kText
  std::string module;     // "@module": "terraform.ui" or "tofu.ui"
  std::string timestamp;  // "@timestamp", verbatim; empty when absent

  // kVersion
  std::string engine_version;  // from "terraform" or "tofu"
  std::string ui_version;
  // kChangeSummary
  UiChangeSummary changes;
  // kDiagnostic
  std::optional<EngineDiagnostic> diagnostic;
  // planned_change, resource_drift, apply_*, provision_*, refresh_*
  UiResource resource;
  std::string action;      // "create", "update", "delete", "replace", "read", "noop", ...
  std::string reason;      // planned_change: why (e.g. "requested"), when given
  std::string id_key, id_value;
  double elapsed_seconds = 0;
  std::string provisioner;
  std::string output;  // provision_progress line
  // kOutputs
  std::map<std::string, UiOutput> outputs;
  // kInitOutput
  std::string message_code;

  Value raw;  // the whole message as parsed (null for kText)
};

// Reads one diagnostic object (the "diagnostic" of a UI message, or an element of the
// "diagnostics" list `validate -json` prints).
EngineDiagnostic parse_engine_diagnostic(const Value& diagnostic);

// Parses one line (without its newline). Never throws: anything that is not a JSON object is a
// kText event, and missing or mistyped fields are left empty.
UiEvent parse_ui_event(std::string_view line);

}  // namespace strata
