#include "engine/local_state.h"

#include "base/atomic_file.h"
#include "model/error.h"
#include "model/value.h"

namespace strata {

namespace {

// Environment variables with which the engine would look elsewhere or read differently.
constexpr const char* kMovesState[] = {"TF_DATA_DIR", "TF_WORKSPACE", "TF_CLI_ARGS", "TF_CLI_ARGS_output",
                                       "TF_ENCRYPTION"};

std::optional<Value> read_json(const std::string& path, bool* absent) {
  std::optional<std::string> text;
  try {
    text = read_file_if_exists(path);
  } catch (const Error&) {
    return std::nullopt;
  }
  *absent = !text.has_value();
  if (!text) return Value();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    *absent = true;  // an empty state file is no state
    return Value();
  }
  try {
    return parse_json_text(*text, Origin(path));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The state file the local backend reads, relative to run_dir; nullopt when it is not local.
std::optional<std::string> local_state_path(const std::string& run_dir) {
  bool absent = false;
  std::optional<Value> record = read_json(run_dir + "/.terraform/terraform.tfstate", &absent);
  if (!record) return std::nullopt;
  if (absent) return "terraform.tfstate";  // no backend block: the default local state
  const Value* backend = record->is_map() ? record->find("backend") : nullptr;
  if (!backend || !backend->is_map()) return std::nullopt;
  const Value* type = backend->find("type");
  if (!type || !type->is_string() || type->as_string() != "local") return std::nullopt;
  const Value* config = backend->find("config");
  if (!config || !config->is_map()) return std::nullopt;
  for (const auto& [key, value] : config->as_map()) {
    if (key == "path" && (value.is_null() || value.is_string())) continue;
    if (key == "workspace_dir" && value.is_null()) continue;
    return std::nullopt;  // a workspace folder, or a setting this reader does not know
  }
  const Value* path = config->find("path");
  if (!path || path->is_null() || path->as_string().empty()) return "terraform.tfstate";
  return path->as_string();
}

}  // namespace

std::optional<std::map<std::string, EngineOutput>> read_local_state_outputs(const std::string& run_dir,
                                                                            const EngineVariable& variable) {
  for (const char* name : kMovesState) {
    std::optional<std::string> v = variable(name);
    if (v && !v->empty()) return std::nullopt;
  }
  std::optional<std::string> workspace;
  try {
    workspace = read_file_if_exists(run_dir + "/.terraform/environment");
  } catch (const Error&) {
    return std::nullopt;
  }
  if (workspace && *workspace != "default" && !workspace->empty()) return std::nullopt;
  std::optional<std::string> path = local_state_path(run_dir);
  if (!path) return std::nullopt;
  bool absent = false;
  std::optional<Value> state = read_json(path->front() == '/' ? *path : run_dir + "/" + *path, &absent);
  if (!state) return std::nullopt;
  if (absent) return std::map<std::string, EngineOutput>{};
  if (!state->is_map() || state->find("encrypted_data")) return std::nullopt;
  const Value* version = state->find("version");
  if (!version || !version->is_number() || version->as_number().text() != "4") return std::nullopt;
  Value* outputs = state->find("outputs");
  if (!outputs) return std::map<std::string, EngineOutput>{};
  if (!outputs->is_map()) return std::nullopt;
  // The state keeps each output as {value, type, sensitive?}: the shape `output -json` prints.
  try {
    return outputs_from_json(std::move(*state->find("outputs")), Origin(run_dir + "/" + *path));
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace strata
