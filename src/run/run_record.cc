#include "run/run_record.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "model/error.h"

namespace strata {

const NodeRecord* RunRecord::find(const std::string& stack, const std::string& component) const {
  for (const auto& n : nodes)
    if (n.node.stack == stack && n.node.component == component) return &n;
  return nullptr;
}

size_t RunRecord::count(NodeResult result) const {
  size_t c = 0;
  for (const auto& n : nodes) c += n.result == result ? 1 : 0;
  return c;
}

bool RunRecord::succeeded() const { return count(NodeResult::kSucceeded) == nodes.size(); }

std::vector<ComponentRef> RunRecord::interrupted_nodes() const {
  std::vector<ComponentRef> out;
  for (const auto& n : nodes)
    if (n.result == NodeResult::kInterrupted) out.push_back(n.node);
  return out;
}

nlohmann::json to_json(const RunRecord& r) {
  nlohmann::json summary = nlohmann::json::object();
  for (auto result : {NodeResult::kSucceeded, NodeResult::kFailed, NodeResult::kSkipped,
                      NodeResult::kInterrupted, NodeResult::kNotStarted})
    summary[node_result_name(result)] = r.count(result);
  nlohmann::json interrupted = nlohmann::json::array();
  for (const auto& n : r.interrupted_nodes()) interrupted.push_back(n.str());
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) {
    nlohmann::json j = {{"stack", n.node.stack},
                        {"component", n.node.component},
                        {"result", node_result_name(n.result)},
                        {"start_order", n.start_order},
                        {"duration_ms", n.duration.count()},
                        {"changes", to_json(n.changes)},
                        {"log_path", n.log_path},
                        {"message", n.message}};
    if (n.plan) j["plan"] = to_json(*n.plan);
    if (!n.warnings.empty()) j["warnings"] = n.warnings;
    if (!n.plan_note.empty()) j["plan_note"] = n.plan_note;
    j["started_at"] = n.started_at ? nlohmann::json(format_time(*n.started_at)) : nullptr;
    j["finished_at"] = n.finished_at ? nlohmann::json(format_time(*n.finished_at)) : nullptr;
    nodes.push_back(std::move(j));
  }
  nlohmann::json out = {
      {"run_id", r.run_id},
      {"command", r.command},
      {"jobs", r.jobs},
      {"reverse", r.reverse},
      {"fail_fast", r.fail_fast},
      {"interrupted", r.interrupted},
      {"started_at", format_time(r.started_at)},
      {"finished_at", format_time(r.finished_at)},
      {"duration_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(r.finished_at - r.started_at).count()},
      {"strata_cpu_seconds", r.strata_cpu_seconds < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.strata_cpu_seconds)},
      {"summary", summary},
      {"interrupted_nodes", interrupted}};
  // Moved in, not listed above: an initializer list copies, and this is the bulk of the record.
  // (Object keys are sorted, so the order of insertion does not show in the file.)
  out["nodes"] = std::move(nodes);
  return out;
}

void write_run_record(const RunRecord& record, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec)
    throw Error(ErrorKind::kEnvironment,
                "cannot create the folder for the run record " + path + ": " + ec.message(), {},
                "check that the work dir is writable");
  // A record is written once per run and read by later commands: no fsync, and never compared.
  write_file_atomic(path, to_json(record).dump(2) + "\n", 0644, Durability::kRenameOnly,
                    Previous::kReplace);
}

}  // namespace strata
