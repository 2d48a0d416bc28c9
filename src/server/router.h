// Router: picks the handler for a request by method and path pattern. Patterns are literal
// segments and {param} segments ("/api/v1/runs/{id}/logs"); a literal segment beats a
// parameter where both match. No Beast here: routing is tested without a socket.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_server.h"

namespace strata {

class Router {
 public:
  // A handler that answers at once.
  using SyncHandler = std::function<Response(const Request& request)>;

  // Adds a route. Throws std::invalid_argument for a malformed pattern (not starting with '/',
  // an empty or unclosed {param}) or a method and pattern added twice.
  void add(std::string_view method, std::string_view pattern, SyncHandler handler);
  // A handler that may answer later or stream (see Responder).
  void add_async(std::string_view method, std::string_view pattern, Handler handler);

  // Sets request.params and request.route, then calls the route's handler; answers 404 for a
  // path no route matches and 405 (with Allow) for a path that matches with another method.
  void dispatch(Request& request, Responder responder) const;

  // A Handler for HttpServer that dispatches to this router, which must outlive the server.
  Handler handler() const;

  // Every route added: (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter's name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  // True when `path` (split at '/', not decoded) matches; fills `params` (decoded).
  static bool match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string, std::less<>>* params);
  // Whether `a` is more specific than `b` (the first segment where they differ is literal in a).
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace strata
