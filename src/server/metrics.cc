#include "server/metrics.h"

#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "server/router.h"

namespace strata {
namespace {

// Methods outside this list are counted as "OTHER": a client must not mint label values.
std::string method_label(const std::string& method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "LOCK",
                            "UNLOCK"})
    if (method == known) return method;
  return "OTHER";
}

}  // namespace

HttpMetrics::HttpMetrics() : registry_(std::make_unique<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("strata_http_requests_total")
                   .Help("HTTP requests answered, by method, route and status")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("strata_http_request_duration_seconds")
                  .Help("Time from a request read to its response written, by method and route")
                  .Register(*registry_);
}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::observe(const Request& request, int status, double seconds) {
  std::string method = method_label(request.method);
  std::string route = request.route.empty() ? "unmatched" : request.route;
  requests_->Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120};
  latency_->Add({{"method", method}, {"route", route}}, kBuckets).Observe(seconds);
}

ResponseObserver HttpMetrics::observer() {
  return [this](const Request& request, int status, double seconds) {
    observe(request, status, seconds);
  };
}

std::string HttpMetrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

void HttpMetrics::add_route(Router& router) {
  router.add("GET", "/metrics", [this](const Request&) {
    return text_response(200, render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace strata
