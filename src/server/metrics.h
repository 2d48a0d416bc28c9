// HttpMetrics: the server's Prometheus metrics — a request counter by method, route and status
// and a latency histogram by method and route — in a registry other parts of the server may add
// their own metrics to, exposed as text at GET /metrics. Routes are the Router's patterns
// ("unmatched" for none), so labels stay few however many ids clients ask for.
#pragma once

#include <memory>
#include <string>

#include "server/http_server.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace strata {

class Router;

class HttpMetrics {
 public:
  HttpMetrics();
  ~HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  prometheus::Registry& registry() { return *registry_; }

  void observe(const Request& request, int status, double seconds);
  // For HttpServer::Options::observer; this object must outlive the server.
  ResponseObserver observer();
  // Every metric in the registry, in the Prometheus text format.
  std::string render() const;
  // Adds GET /metrics to `router`; this object must outlive it.
  void add_route(Router& router);

 private:
  // Owned here; a unique_ptr only so the header needs no prometheus-cpp include.
  std::unique_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
};

}  // namespace strata
