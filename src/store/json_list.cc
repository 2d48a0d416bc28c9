// String lists as JSON text (json_list.h).
#include "store/json_list.h"

#include <nlohmann/json.hpp>

namespace strata::store {

std::string to_json_list(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

std::vector<std::string> from_json_list(const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> items;
  if (!parsed.is_array()) return items;
  for (const auto& item : parsed) {
    if (item.is_string()) items.push_back(item.get<std::string>());
  }
  return items;
}

std::pair<int64_t, std::string> serial_and_lineage(const std::string& data) {
  StateHeader header = read_state_header(data);
  return {header.serial, header.lineage};
}

namespace {

// nlohmann's SAX events, keeping only the top-level object's "serial" and "lineage".
class HeaderReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit HeaderReader(StateHeader& out) : out_(out) {}
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t n) override {
    if (depth_ == 1 && key_ == "serial") out_.serial = n;
    return value();
  }
  bool number_unsigned(number_unsigned_t n) override {
    if (depth_ == 1 && key_ == "serial" && n <= static_cast<number_unsigned_t>(INT64_MAX))
      out_.serial = static_cast<int64_t>(n);
    return value();
  }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t& s) override {
    if (depth_ == 1 && key_ == "lineage") out_.lineage = s;
    return value();
  }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) top_is_object_ = true;
    ++depth_;
    key_.clear();
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = k;
    return true;
  }
  bool end_object() override {
    --depth_;
    return value();
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return value();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
  bool top_is_object() const { return top_is_object_; }

 private:
  bool value() {
    if (depth_ == 1) key_.clear();
    return true;
  }
  StateHeader& out_;
  int depth_ = 0;
  bool top_is_object_ = false;
  std::string key_;
};

}  // namespace

StateHeader read_state_header(const std::string& data) {
  StateHeader header;
  HeaderReader reader(header);
  bool ok = nlohmann::json::sax_parse(data, &reader, nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok || !reader.top_is_object()) return StateHeader{};
  header.is_object = true;
  return header;
}

}  // namespace strata::store
