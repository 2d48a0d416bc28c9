// The worker protocol's JSON (DESIGN §11.3): what `strata worker` and the server say to each
// other under /api/v1/worker/ — both sides use these, so the shapes cannot drift apart. Bodies
// are read strictly: a missing or mistyped field is an Error naming it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "control/lease_broker.h"
#include "store/store.h"

namespace strata::control {

// The lease a worker receives: the activity with its fencing token, the repository's name and
// the run's commit.
nlohmann::json lease_to_json(const Lease& lease);
Lease lease_from_json(const nlohmann::json& j);

// A saved plan as the worker protocol carries it (the plan file in base64): in a lease for an
// apply made from a plan run, and from a worker after a plan.
nlohmann::json plan_to_json(const store::SavedPlan& plan);
store::SavedPlan plan_from_json(const nlohmann::json& j);

// An activity's result: status, outputs and changes (JSON values, not text), error.
nlohmann::json finish_to_json(const store::Finish& finish);
store::Finish finish_from_json(const nlohmann::json& j);

// Registration: the worker's record (its id chosen by the worker, name, version, capabilities).
nlohmann::json worker_to_json(const store::WorkerRecord& worker);
store::WorkerRecord worker_from_json(const nlohmann::json& j);

// A worker runs what this server asks only when both are the same release line (major.minor):
// the activity's inputs, the engine flags and the JSON here change between them. Throws an
// Error (conflict) naming both versions and what to do.
void check_worker_version(const std::string& server_version, const std::string& worker_version);

// The text of `j` that never throws on bytes that are not UTF-8 (an engine's log may hold
// them): they become U+FFFD.
std::string dump_json(const nlohmann::json& j);

}  // namespace strata::control
