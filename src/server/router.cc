#include "server/router.h"

#include <algorithm>
#include <stdexcept>

#include "server/uri.h"

namespace strata {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path[0] != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, SyncHandler handler) {
  add_async(method, pattern, [handler = std::move(handler)](Request& request, Responder responder) {
    responder.send(handler(request));
  });
}

void Router::add_async(std::string_view method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  for (std::string_view part : split_path(pattern)) {
    Segment segment;
    if (!part.empty() && part.front() == '{') {
      if (part.size() < 3 || part.back() != '}')
        throw std::invalid_argument("malformed {param} in route pattern: " + std::string(pattern));
      segment.text = std::string(part.substr(1, part.size() - 2));
      segment.is_param = true;
    } else {
      segment.text = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  for (const Route& existing : routes_)
    if (existing.method == route.method && existing.pattern == route.pattern)
      throw std::invalid_argument("route added twice: " + route.method + " " + route.pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& segment = route.segments[i];
    if (segment.is_param) {
      if (parts[i].empty()) return false;
    } else if (segment.text != parts[i]) {
      return false;
    }
  }
  if (params) {
    params->clear();
    for (size_t i = 0; i < parts.size(); ++i)
      if (route.segments[i].is_param)
        (*params)[route.segments[i].text] = percent_decode(parts[i], false);
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i)
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  return false;
}

void Router::dispatch(Request& request, Responder responder) const {
  std::vector<std::string_view> parts = split_path(request.path);
  const Route* best = nullptr;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (!match(route, parts, nullptr)) continue;
    if (route.method != request.method) {
      allowed.push_back(route.method);
      continue;
    }
    if (!best || more_specific(route, *best)) best = &route;
  }
  if (best) {
    match(*best, parts, &request.params);
    request.route = best->pattern;
    best->handler(request, std::move(responder));
    return;
  }
  request.route.clear();
  if (allowed.empty()) {
    responder.send(error_response(404, "not_found", "no such path: " + request.path));
    return;
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  std::string allow;
  for (const std::string& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
  Response response = error_response(
      405, "method_not_allowed", request.method + " is not allowed on " + request.path);
  response.headers.emplace_back("Allow", allow);
  responder.send(std::move(response));
}

Handler Router::handler() const {
  return [this](Request& request, Responder responder) { dispatch(request, std::move(responder)); };
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace strata
