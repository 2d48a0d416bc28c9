// HTTP for the plugins that talk to servers (the OCI registry). An interface, so a test can
// answer in place of a server; the real one is libcurl.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace strata::app {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends the request and returns the answer, whatever its status. Throws strata::Error (kind
  // environment) when no answer came: the server cannot be reached, TLS failed, a timeout.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

// libcurl, redirects not followed (the caller decides), 5 minutes per request at most.
std::unique_ptr<HttpClient> make_curl_client();

}  // namespace strata::app
