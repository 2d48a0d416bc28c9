#include "generate/versioned_source.h"

#include <charconv>

#include "model/error.h"

namespace strata {

const Value* lookup_dotted(const Value& data, const std::string& path) {
  const Value* cur = &data;
  size_t start = 0;
  while (cur && start <= path.size()) {
    size_t end = path.find('.', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (cur->is_map()) {
      cur = cur->find(part);
    } else if (cur->is_list()) {
      size_t index = 0;
      auto res = std::from_chars(part.data(), part.data() + part.size(), index);
      if (res.ec != std::errc() || res.ptr != part.data() + part.size() || index >= cur->as_list().size()) {
        return nullptr;
      }
      cur = &cur->as_list()[index];
    } else {
      return nullptr;
    }
    start = end + 1;
  }
  return cur;
}

static std::string scalar_text(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kNumber: return v.as_number().text();
    case Value::Kind::kBool: return v.as_bool() ? "True" : "False";  // Python's str(), as Kompos
    case Value::Kind::kNull: return "None";
    default: return to_json_text(v, -1);
  }
}

std::string render_versioned_source(const std::string& text, const Value& data, const std::string& file) {
  std::string out;
  out.reserve(text.size());
  size_t line_start = 0;
  int line_no = 0;
  while (line_start < text.size()) {
    ++line_no;
    size_t nl = text.find('\n', line_start);
    size_t line_end = nl == std::string::npos ? text.size() : nl + 1;
    std::string line = text.substr(line_start, line_end - line_start);
    if (line.find("source") != std::string::npos && line.find("{{") != std::string::npos) {
      std::string rendered;
      size_t pos = 0;
      for (;;) {
        size_t open = line.find("{{", pos);
        size_t close = open == std::string::npos ? open : line.find("}}", open + 2);
        if (open == std::string::npos || close == std::string::npos || close == open + 2) {
          rendered += line.substr(pos);
          break;
        }
        std::string key = line.substr(open + 2, close - open - 2);
        const Value* v = key.find('}') == std::string::npos ? lookup_dotted(data, key) : nullptr;
        if (!v) {
          std::string shown = line;
          while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.pop_back();
          throw Error("config key \"" + key + "\" not found for interpolation in: " + shown,
                      Origin(file, line_no, static_cast<int>(open) + 1),
                      "define \"" + key + "\" in the config layers of this stack");
        }
        rendered += line.substr(pos, open - pos) + scalar_text(*v);
        pos = close + 2;
      }
      line = rendered;
    }
    out += line;
    line_start = line_end;
  }
  return out;
}

}  // namespace strata
