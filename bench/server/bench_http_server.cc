// bench_http_server: the smallest useful HttpServer — GET /healthz answers 200 "ok" through the
// Router — for comparing raw request throughput with nginx (see run and README.md). Prints
// "listening on ADDRESS:PORT" once it serves, then runs until SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/http_server.h"
#include "server/router.h"

int main(int argc, char** argv) {
  strata::HttpServer::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port")
      options.port = static_cast<uint16_t>(std::atoi(argv[i + 1]));
    else if (flag == "--threads")
      options.threads = std::atoi(argv[i + 1]);
    else if (flag == "--address")
      options.address = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_http_server [--address A] [--port P] [--threads N]\n");
      return 64;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // io threads inherit the mask

  strata::Router router;
  router.add("GET", "/healthz",
             [](const strata::Request&) { return strata::text_response(200, "ok"); });
  strata::HttpServer server(options, router.handler());
  server.start();
  std::printf("listening on %s:%u\n", options.address.c_str(), server.port());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  server.drain(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  return 0;
}
