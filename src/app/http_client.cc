#include "app/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "model/error.h"

namespace strata::app {

namespace {

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// A streamed body: each piece goes to the caller's on_data; false stops the transfer.
size_t on_stream(char* data, size_t size, size_t n, void* user) {
  const auto& sink = *static_cast<const std::function<bool(std::string_view)>*>(user);
  return sink(std::string_view(data, size * n)) ? size * n : 0;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    // A repeated header joins the earlier ones: with ", " (RFC 9110), but Set-Cookie, which
    // cannot be joined so, one per line.
    std::string& held = (*static_cast<std::map<std::string, std::string>*>(user))[name];
    held = held.empty() ? value : held + (name == "set-cookie" ? "\n" : ", ") + value;
  }
  return size * n;
}

class CurlClient : public HttpClient {
 public:
  explicit CurlClient(CurlOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~CurlClient() override {
    if (curl_) curl_easy_cleanup(curl_);
  }

  HttpResponse send(const HttpRequest& req) override { return perform(req, nullptr); }
  HttpResponse stream(const HttpRequest& req, const std::function<bool(std::string_view)>& on_data) override {
    return perform(req, &on_data);
  }

 private:
  HttpResponse perform(const HttpRequest& req, const std::function<bool(std::string_view)>* on_data) {
    std::lock_guard lock(mutex_);
    // One handle for every request: libcurl keeps its connections open in it.
    if (!curl_) curl_ = curl_easy_init();
    if (!curl_) throw Error(ErrorKind::kEnvironment, "libcurl could not start a request");
    CURL* curl = curl_;
    curl_easy_reset(curl);
    if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    HttpResponse resp;
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers)
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    // No "Expect: 100-continue" round trip before each upload.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (on_data) {
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_stream);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, on_data);
    } else {
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
    }
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp.headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, on_data ? 0L : 300L);
    if (on_data) {
      // A stream may last as long as its run; two minutes without a byte means it is gone.
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 120L);
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (req.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc == CURLE_WRITE_ERROR && on_data) rc = CURLE_OK;  // the caller stopped the stream
    if (rc != CURLE_OK)
      throw Error(ErrorKind::kEnvironment,
                  "cannot reach " + req.url + ": " + curl_easy_strerror(rc));
    resp.status = static_cast<int>(status);
    return resp;
  }

  CurlOptions options_;
  std::mutex mutex_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_client(CurlOptions options) {
  return std::make_unique<CurlClient>(std::move(options));
}

}  // namespace strata::app
