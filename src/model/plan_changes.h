// PlanChanges: what a plan will do to one component, as people read it — resource addresses by
// action and, for updates and replacements, the attributes that change ("replicas = 2 -> 3").
// Values are kept only as rendered text, with every value the engine marks sensitive already
// replaced by "(sensitive value)" and unknown ones by "(known after apply)": nothing in here can
// carry a secret into a log, an event, a run record or a server. Engine-neutral: engine/ fills it
// from `show -json`, run/ carries it, cli/ (and later the server) render it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace strata {

inline constexpr const char* kSensitiveText = "(sensitive value)";
inline constexpr const char* kUnknownText = "(known after apply)";

struct AttributeChange {
  std::string path;                   // replicas, object.number, tags["env"], ports[0]
  std::optional<std::string> before;  // rendered; none when it was not set
  std::optional<std::string> after;   // rendered; none when it is removed
  bool forces_replacement = false;    // named in the change's replace_paths
  bool operator==(const AttributeChange&) const = default;
};

struct ResourcePlan {
  std::string address;  // module.m.aws_instance.web[0]
  // create, update, replace, delete, read, forget; import and move for a no-op that only
  // imports or moves (other no-ops are not kept)
  std::string action;
  bool importing = false;
  std::string moved_from;  // previous_address, when the resource moved
  std::string reason;      // action_reason: replace_because_tainted, delete_because_no_resource_config, ...
  // update and replace: the attributes that change; create: what is set. Empty for delete and read.
  std::vector<AttributeChange> attributes;
  bool operator==(const ResourcePlan&) const = default;
};

struct OutputPlan {
  std::string name;
  std::string action;  // create, update, delete
  std::optional<std::string> before, after;
  // False when the plan was read from the engine's stream, which names outputs without values
  // (`strata show` reads them from the plan file).
  bool values_shown = true;
  bool operator==(const OutputPlan&) const = default;
};

struct PlanChanges {
  std::vector<ResourcePlan> resources;  // the engine's order (by address)
  std::vector<OutputPlan> outputs;
  bool empty() const { return resources.empty() && outputs.empty(); }
  int count(const std::string& action) const {
    int n = 0;
    for (const auto& r : resources) n += r.action == action ? 1 : 0;
    return n;
  }
  bool operator==(const PlanChanges&) const = default;
};

// The order actions are shown in, and their symbols as Terraform prints them.
inline constexpr const char* kPlanActions[] = {"create", "update", "replace", "delete",
                                               "read",   "forget", "import",  "move"};
inline const char* plan_action_symbol(const std::string& action) {
  if (action == "create") return "+";
  if (action == "update") return "~";
  if (action == "replace") return "-/+";
  if (action == "delete") return "-";
  if (action == "read") return "<=";
  if (action == "forget") return ".";
  if (action == "import") return "<-";
  if (action == "move") return "->";
  return " ";
}

}  // namespace strata
