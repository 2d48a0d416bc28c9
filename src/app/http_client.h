// HTTP for the plugins that talk to servers (the OCI registry). An interface, so a test can
// answer in place of a server; the real one is libcurl.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace strata::app {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Names lower-cased; a repeated header's values joined with ", " (Set-Cookie's with "\n").
  std::map<std::string, std::string> headers;
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
  // The same, with the response body handed to `on_data` as it arrives (a stream: server-sent
  // events) instead of kept in HttpResponse::body; `on_data` returning false ends the transfer.
  // No overall time limit then, only one for silence (2 minutes). By default: send(), then the
  // whole body at once.
  virtual HttpResponse stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_data) {
    HttpResponse r = send(request);
    on_data(r.body);
    r.body.clear();
    return r;
  }
};

struct CurlOptions {
  // A PEM bundle to trust for HTTPS instead of the system's (a server's self-signed
  // certificate); "" = the system's.
  std::string ca_file;
};

// libcurl, redirects not followed (the caller decides), 5 minutes per request at most. One
// client keeps its connections open between requests (keep-alive); it is safe to share between
// threads, which then take turns.
std::unique_ptr<HttpClient> make_curl_client(CurlOptions options = {});

}  // namespace strata::app
