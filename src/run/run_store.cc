#include "run/run_store.h"

namespace strata {

std::string FileRunStore::save(const RunRecord& record) {
  std::string path = dir_ + "/" + record.run_id + ".json";
  write_run_record(record, path);
  return path;
}

}  // namespace strata
