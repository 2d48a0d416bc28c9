// Request's lookups, the Response builders and target decoding: everything about messages
// that needs no socket (and no Beast).
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "model/error.h"
#include "server/http_server.h"
#include "server/uri.h"

namespace strata {
namespace {

std::string_view find_in(const std::map<std::string, std::string, std::less<>>& map,
                         std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? std::string_view() : std::string_view(it->second);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  bool lower = std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (lower) return find_in(headers, name);
  std::string key(name);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return find_in(headers, key);
}

std::string_view Request::query(std::string_view name) const { return find_in(query_params, name); }

std::string_view Request::param(std::string_view name) const { return find_in(params, name); }

Response json_response(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  // Replace invalid UTF-8 rather than throw: a message may quote what a client sent.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  return json_response(status,
                       {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}});
}

Response error_response(const Error& error) {
  const ErrorKindInfo& info = error_kind_info(error.kind());
  std::string code(info.name);
  std::replace(code.begin(), code.end(), ' ', '_');
  nlohmann::json body = {{"code", code}, {"message", error.message()}};
  if (!error.hint().empty()) body["hint"] = error.hint();
  return json_response(info.http_status, {{"error", body}});
}

Response text_response(int status, std::string body, std::string_view content_type) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::string(content_type));
  response.body = std::move(body);
  return response;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace strata
