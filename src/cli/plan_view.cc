#include "cli/plan_view.h"

#include <map>

#include "cli/terminal_style.h"

namespace strata::cli {

namespace {

using namespace style;

const char* action_heading(const std::string& action) {
  if (action == "create") return "create";
  if (action == "update") return "update in place";
  if (action == "replace") return "replace (destroy, then create)";
  if (action == "delete") return "destroy";
  if (action == "read") return "read during apply";
  if (action == "forget") return "forget (removed from state, not destroyed)";
  if (action == "import") return "import";
  if (action == "move") return "move";
  return "change";
}

const char* action_color(const std::string& action) {
  if (action == "create" || action == "import") return kGreen;
  if (action == "update" || action == "replace" || action == "move") return kYellow;
  if (action == "delete" || action == "forget") return kRed;
  return kCyan;
}

// action_reason in words; empty for the ordinary ones.
std::string reason_text(const std::string& reason) {
  static const std::map<std::string, std::string> kReasons = {
      {"replace_because_tainted", "tainted"},
      {"replace_by_request", "-replace was given"},
      {"replace_by_triggers", "replace_triggered_by"},
      {"replace_because_cannot_update", ""},
      {"delete_because_no_resource_config", "no longer in the configuration"},
      {"delete_because_no_module", "its module is no longer in the configuration"},
      {"delete_because_wrong_repetition", "count or for_each changed how it repeats"},
      {"delete_because_count_index", "its count index is out of range"},
      {"delete_because_each_key", "its for_each key is gone"},
      {"delete_because_no_move_target", "its moved target is not in the configuration"},
      {"read_because_config_unknown", "its configuration is known only during apply"},
      {"read_because_dependency_pending", "it depends on a change still pending"},
      {"read_because_check_nested", "a check block reads it"},
  };
  auto it = kReasons.find(reason);
  if (it != kReasons.end()) return it->second;
  std::string words = reason;
  for (char& c : words) c = c == '_' ? ' ' : c;
  return words;
}

std::string paint(bool color, const char* code, const std::string& text) {
  return color ? std::string(code) + text + kReset : text;
}

std::string attribute_line(const AttributeChange& a, bool color) {
  std::string symbol, text;
  if (!a.before) {
    symbol = "+";
    text = a.path + " = " + *a.after;
  } else if (!a.after) {
    symbol = "-";
    text = a.path + " = " + *a.before + " -> null";
  } else {
    symbol = "~";
    text = a.path + " = " + *a.before + " -> " + *a.after;
  }
  std::string line = "        " + paint(color, symbol == "+" ? kGreen : symbol == "-" ? kRed : kYellow, symbol) + " " + text;
  if (a.forces_replacement) line += paint(color, kRed, " # forces replacement");
  return line;
}

std::string resource_line(const ResourcePlan& r, bool color) {
  std::string line = "    " + paint(color, action_color(r.action), plan_action_symbol(r.action)) + " " + r.address;
  std::vector<std::string> notes;
  if (!r.moved_from.empty()) notes.push_back("moved from " + r.moved_from);
  if (r.importing && r.action != "import") notes.push_back("imported");
  if (std::string reason = reason_text(r.reason); !reason.empty()) notes.push_back(reason);
  if (!notes.empty()) {
    std::string joined;
    for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
    line += " (" + joined + ")";
  }
  return line;
}

std::string counts_text(const PlanChanges& plan) {
  std::string out;
  for (const char* action : kPlanActions) {
    int n = plan.count(action);
    if (n == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " to " + (std::string(action) == "delete" ? "destroy" : action);
  }
  if (!plan.outputs.empty()) {
    out += (out.empty() ? "" : ", ") + std::to_string(plan.outputs.size()) + " output" +
           (plan.outputs.size() == 1 ? "" : "s");
  }
  return out.empty() ? "no changes" : out;
}

}  // namespace

std::string render_plan(const std::string& title, const PlanChanges& plan, const std::vector<std::string>& warnings,
                        const PlanViewOptions& options) {
  std::vector<std::string> lines;
  lines.push_back(paint(options.color, kBold, title) + (options.counts ? ": " + counts_text(plan) : ""));
  for (const char* action : kPlanActions) {
    bool heading = false;
    for (const auto& r : plan.resources) {
      if (r.action != action) continue;
      if (!heading) {
        lines.push_back("  " + std::string(action_heading(action)) + ":");
        heading = true;
      }
      lines.push_back(resource_line(r, options.color));
      // After a run a create shows its address only: what it sets is in `strata show`.
      if (r.action == "create" && !options.full) continue;
      for (const auto& a : r.attributes) lines.push_back(attribute_line(a, options.color));
    }
  }
  if (!plan.outputs.empty()) {
    lines.push_back("  outputs:");
    for (const auto& o : plan.outputs) {
      std::string text = o.name + (o.values_shown ? " = " : "");
      if (!o.values_shown) {
        // named only: the plan's stream has no values (`strata show` has them)
      } else if (o.action == "create") {
        text += o.after.value_or("null");
      } else if (o.action == "delete") {
        text += o.before.value_or("null") + " -> null";
      } else {
        text += o.before.value_or("null") + " -> " + o.after.value_or("null");
      }
      lines.push_back("    " + paint(options.color, action_color(o.action), plan_action_symbol(o.action)) + " " + text);
    }
  }
  if (!warnings.empty()) {
    lines.push_back("  warnings:");
    for (const auto& w : warnings) lines.push_back("    " + paint(options.color, kYellow, "!") + " " + w);
  }
  std::string out;
  size_t limit = options.full ? lines.size() : kSummaryLines;
  for (size_t i = 0; i < lines.size() && i < limit; ++i) out += lines[i] + "\n";
  if (lines.size() > limit) {
    out += "    … " + std::to_string(lines.size() - limit) + " more lines";
    out += options.show_hint.empty() ? "\n" : ": " + options.show_hint + "\n";
  }
  return out;
}

std::string plan_details(const RunRecord& record, bool color) {
  std::string out;
  for (const auto& n : record.nodes) {
    bool changes = n.plan && !n.plan->empty();
    if (!changes && n.warnings.empty()) continue;
    PlanViewOptions options;
    options.color = color;
    options.counts = n.plan.has_value();  // apply and destroy: their warnings only
    options.show_hint = "strata show " + n.node.stack + " " + n.node.component;
    out += (out.empty() ? "" : "\n") + render_plan(n.node.str(), n.plan.value_or(PlanChanges{}), n.warnings, options);
  }
  return out;
}

std::string warnings_note(const RunRecord& record) {
  size_t with_warnings = 0;
  for (const auto& n : record.nodes) with_warnings += n.warnings.empty() ? 0 : 1;
  if (with_warnings == 0) return "";
  return std::to_string(with_warnings) + " component" + (with_warnings == 1 ? " has" : "s have") +
         " engine warnings: run without --compact to see them\n";
}

}  // namespace strata::cli
