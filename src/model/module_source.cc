#include "model/module_source.h"

namespace strata {

ModuleSource split_module_source(const std::string& source) {
  size_t pos = source.find("//");
  if (pos == std::string::npos) return {source, ""};
  return {source.substr(0, pos), source.substr(pos + 2)};
}

}  // namespace strata
