// HttpServer over TLS: a throwaway self-signed certificate (made with the openssl command), and
// libcurl verifying it as a client would.
#include <curl/curl.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "base/temp_dir.h"
#include "model/error.h"
#include "server/http_server.h"
#include "server/router.h"

namespace strata {
namespace {

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Certificate {
  TempDir dir{"strata-tls-test"};
  std::string cert = dir.file("cert.pem");
  std::string key = dir.file("key.pem");
  Certificate() {
    std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key + " -out " + cert + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
};

TEST(HttpServerTls, ServesHttpsWithKeepAliveAndSurvivesPlainHttp) {
  Certificate certificate;
  Router router;
  router.add("GET", "/healthz", [](const Request&) { return text_response(200, "ok"); });
  HttpServer::Options options;
  options.threads = 2;
  options.tls_cert_file = certificate.cert;
  options.tls_key_file = certificate.key;
  HttpServer server(options, router.handler());
  server.start();
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/healthz";

  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, certificate.cert.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  for (int i = 0; i < 2; ++i) {
    body.clear();
    ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
    long status = 0, new_connections = -1;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(body, "ok");
    EXPECT_EQ(new_connections, i == 0 ? 1 : 0);  // the second request reuses the connection
  }

  // Plain HTTP to the HTTPS port fails its handshake; the server goes on.
  CURL* plain = curl_easy_init();
  std::string plain_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz";
  curl_easy_setopt(plain, CURLOPT_URL, plain_url.c_str());
  curl_easy_setopt(plain, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(plain, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(plain, CURLOPT_TIMEOUT, 5L);
  EXPECT_NE(curl_easy_perform(plain), CURLE_OK);
  curl_easy_cleanup(plain);

  curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
  body.clear();
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "ok");
  curl_easy_cleanup(curl);
  server.drain(std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

TEST(HttpServerTls, UnreadableCertificateIsAnErrorAtStart) {
  HttpServer::Options options;
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  HttpServer server(options, [](Request&, Responder responder) {
    responder.send(text_response(200, ""));
  });
  EXPECT_THROW(server.start(), Error);
}

}  // namespace
}  // namespace strata
