// tofu-sim's local-backend state: the v4 state file Terraform writes (version, terraform_version,
// serial, lineage, outputs, resources, check_results), its .backup, and the state lock
// (.terraform.tfstate.lock.info next to the state file, held with flock while an operation runs).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/value.h"

namespace tofu_sim {

using strata::Value;

struct StateOutput {
  Value value;
  Value type;
  bool sensitive = false;
};

struct StateResource {
  std::string type;
  std::string name;
  std::string provider;  // provider["terraform.io/builtin/terraform"]
  Value attributes = Value::map();
  bool tainted = false;
  std::vector<std::string> dependencies;  // resource addresses, sorted
  std::vector<std::string> sensitive_attributes;  // top-level attribute names
  std::string address() const { return type + "." + name; }
  std::string id() const {
    const Value* id = attributes.find("id");
    return id && id->is_string() ? id->as_string() : std::string();
  }
};

struct State {
  bool exists = false;  // false = no state file yet
  int serial = 0;
  std::string lineage;
  std::string terraform_version;
  std::map<std::string, StateOutput> outputs;
  std::vector<StateResource> resources;

  const StateResource* find(const std::string& address) const;
};

// Reads the state file; a missing file is an empty state. Returns nullopt and sets *err when the
// file is not a v4 state.
std::optional<State> read_state(const std::string& path, std::string* err);
// Writes the state atomically (temp + rename), keeping the previous file as PATH.backup.
bool write_state(const std::string& path, State& state, const std::string& version,
                 std::string* err);
// The state as the v4 JSON document.
std::string state_json(const State& state, const std::string& version);

// The state lock. Acquire waits up to timeout_ms; on failure *err holds Terraform's lock-info
// text (who holds it).
class StateLock {
 public:
  StateLock() = default;
  ~StateLock() { release(); }
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  bool acquire(const std::string& state_path, const std::string& operation,
               const std::string& version, int timeout_ms, std::string* err);
  void release();

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace tofu_sim
