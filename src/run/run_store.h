// RunStore: where the records of finished runs are kept — JSON files under <work_dir>/.runs for
// the CLI (FileRunStore), the server's database later. The executor saves through this and
// never decides where records go.
#pragma once

#include <string>

#include "run/run_record.h"

namespace strata {

class RunStore {
 public:
  virtual ~RunStore() = default;
  // Keeps the record; returns where it went, for the user (a path, or an id). Throws
  // strata::Error when it cannot.
  virtual std::string save(const RunRecord& record) = 0;
};

// One file per run: <dir>/<run_id>.json, written atomically.
class FileRunStore : public RunStore {
 public:
  explicit FileRunStore(std::string dir) : dir_(std::move(dir)) {}
  std::string save(const RunRecord& record) override;

 private:
  std::string dir_;
};

}  // namespace strata
