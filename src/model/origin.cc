#include "model/origin.h"

namespace strata {

Origin::Origin(std::string path, int line_no, int col)
    : file(std::make_shared<const std::string>(std::move(path))), line(line_no), column(col) {}

const std::string& Origin::path() const {
  static const std::string kEmpty;
  return file ? *file : kEmpty;
}

std::string Origin::str() const {
  if (!known()) return "";
  std::string s = *file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

}  // namespace strata
