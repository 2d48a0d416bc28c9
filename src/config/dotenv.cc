#include "config/dotenv.h"

#include <cctype>

#include "model/error.h"

namespace strata::config {

namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::string expand(const std::string& value, const std::map<std::string, std::string>& own,
                   const std::map<std::string, std::string>& lookup) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (value[i] != '$' || i + 1 >= value.size()) {
      out += value[i];
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (value[j] == '{') {
      size_t close = value.find('}', j);
      if (close == std::string::npos) {
        out += value[i];
        continue;
      }
      name = value.substr(j + 1, close - j - 1);
      j = close + 1;
    } else {
      while (j < value.size() &&
             (std::isalnum(static_cast<unsigned char>(value[j])) || value[j] == '_'))
        name += value[j++];
      if (name.empty()) {
        out += value[i];
        continue;
      }
    }
    auto it = own.find(name);
    if (it != own.end()) {
      out += it->second;
    } else if ((it = lookup.find(name)) != lookup.end()) {
      out += it->second;
    }
    i = j - 1;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(const std::string& text, const std::string& display,
                                                const std::map<std::string, std::string>& lookup) {
  std::map<std::string, std::string> vars;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    int start_line = ++line_no;
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t i = 0;
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i == line.size() || line[i] == '#') continue;
    if (line.compare(i, 7, "export ") == 0) i += 7;
    while (i < line.size() && line[i] == ' ') ++i;
    size_t name_start = i;
    while (i < line.size() && name_char(line[i])) ++i;
    std::string name = line.substr(name_start, i - name_start);
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (name.empty() || i >= line.size() || (line[i] != '=' && line[i] != ':')) {
      throw Error("expected NAME=value", Origin(display, start_line, static_cast<int>(i) + 1),
                  "write one NAME=value per line; comments start with #");
    }
    ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string value;
    char quote = i < line.size() ? line[i] : '\0';
    if (quote == '\'' || quote == '"') {
      // A quoted value may span lines.
      std::string rest = line.substr(i + 1);
      size_t close;
      while ((close = [&] {
               for (size_t k = 0; k < rest.size(); ++k) {
                 if (quote == '"' && rest[k] == '\\') {
                   ++k;
                   continue;
                 }
                 if (rest[k] == quote) return k;
               }
               return std::string::npos;
             }()) == std::string::npos) {
        if (pos >= text.size()) {
          throw Error("the quoted value of " + name + " is not closed",
                      Origin(display, start_line, static_cast<int>(i) + 1),
                      std::string("add the closing ") + quote);
        }
        end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        rest += "\n" + text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
      }
      std::string raw = rest.substr(0, close);
      if (quote == '\'') {
        value = raw;
      } else {
        for (size_t k = 0; k < raw.size(); ++k) {
          if (raw[k] == '\\' && k + 1 < raw.size()) {
            char c = raw[++k];
            value += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '$' ? '\x01' : c;
          } else {
            value += raw[k];
          }
        }
        value = expand(value, vars, lookup);
        for (char& c : value)
          if (c == '\x01') c = '$';
      }
    } else {
      value = line.substr(i);
      size_t comment = value.find(" #");
      if (comment != std::string::npos) value.resize(comment);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
        value.pop_back();
      value = expand(value, vars, lookup);
    }
    vars[name] = value;
  }
  return vars;
}

}  // namespace strata::config
