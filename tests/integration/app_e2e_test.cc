// `strata app` end to end with real parts (issue 27): examples/app-hello is built into an OCI
// image without a daemon, pushed to a real docker-registry (Debian's distribution 2.8, started
// here on a free loopback port) and run by the local platform; then an HTTP request answers,
// status sees it, and destroy leaves no process. Release build only: it starts a registry and a
// Python server (the sanitizer build runs the same lifecycle through app_cli_test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <future>

#include "app/http_client.h"
#include "app/tar_layer.h"
#include "tests/integration/e2e_support.h"
#include "tests/support/free_port.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

app::HttpResponse http(const std::string& method, const std::string& url,
                       std::map<std::string, std::string> headers = {}) {
  auto client = app::make_curl_client();
  try {
    return client->send({method, url, std::move(headers), {}});
  } catch (const Error&) {
    return {};  // status 0: nothing answered
  }
}

// docker-registry serving a fresh folder on 127.0.0.1:port, stopped (its whole group) on scope
// exit.
class Registry {
 public:
  explicit Registry(const std::string& dir) : port_(free_port()) {
    fs::create_directories(dir + "/data");
    write_file_atomic(
        dir + "/config.yml",
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + dir +
            "/data\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n",
        0644);
    SubprocessOptions o;
    o.argv = {"docker-registry", "serve", dir + "/config.yml"};
    o.capture_stdout = true;
    o.capture_stderr = true;
    o.kill_grace = std::chrono::seconds(2);
    process_ = std::make_unique<Subprocess>(std::move(o));
    result_ = std::async(std::launch::async, [this] { return process_->run(); });
  }
  ~Registry() {
    process_->terminate();
    result_.wait();
  }
  bool wait_ready() {
    return eventually([&] { return http("GET", url("/v2/")).status == 200; },
                      std::chrono::seconds(20));
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return "http://" + address() + path; }

 private:
  int port_;
  std::unique_ptr<Subprocess> process_;
  std::future<SubprocessResult> result_;
};

TEST(AppEndToEnd, UpPushesToARealRegistryRunsTheAppAndDestroyLeavesNothing) {
  if (!fs::exists("/usr/bin/docker-registry") || !fs::exists("/usr/bin/python3")) {
    if (in_ci())
      FAIL()
          << "CI=true but docker-registry or python3 is missing (scripts/bootstrap installs them)";
    GTEST_SKIP() << "needs Debian's docker-registry and python3 (scripts/bootstrap installs them)";
  }
  TestProject p;
  fs::copy(source_dir() + "/examples/app-hello", p.root(), fs::copy_options::recursive);
  TempDir registry_dir("app-registry");
  Registry registry(registry_dir.path());
  ASSERT_TRUE(registry.wait_ready()) << "docker-registry did not answer on " << registry.address();
  const int port = free_port();
  const std::string token = "s3cr3t-t0ken-value";
  const std::map<std::string, std::string> env = {{"HELLO_REGISTRY", registry.address()},
                                                  {"HELLO_PORT", std::to_string(port)},
                                                  {"HELLO_API_TOKEN", token}};
  // Whatever fails below, the app does not outlive the test.
  struct StopTheApp {
    const TestProject& p;
    const std::map<std::string, std::string>& env;
    ~StopTheApp() {
      p.run({"app", "destroy"}, env);
      kill_leftovers(processes_mentioning(p.root()));
    }
  } stop_the_app{p, env};

  CliResult up = p.run({"app", "up", "--json"}, env);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  auto result = nlohmann::json::parse(up.out);
  const std::string digest = result["artifact"]["digest"];
  EXPECT_EQ(result["registry"]["digest"], digest);
  EXPECT_EQ(result["registry"]["blobs_uploaded"], 2);  // the layer and the config
  EXPECT_EQ(result["deployment"]["state"], "running");
  // The token reached the app (it says how long it is) but no output of strata's shows it.
  EXPECT_EQ(result["artifact"]["env"]["API_TOKEN"], "(sensitive)");
  EXPECT_EQ((up.out + up.err).find(token), std::string::npos);

  // The registry lists the tag, and its manifest is ours, byte for byte.
  auto tags = nlohmann::json::parse(http("GET", registry.url("/v2/examples/hello/tags/list")).body,
                                    nullptr, false);
  EXPECT_EQ(tags["tags"], nlohmann::json::array({"v1"})) << tags.dump();
  app::HttpResponse manifest = http("GET", registry.url("/v2/examples/hello/manifests/v1"),
                                    {{"Accept", "application/vnd.oci.image.manifest.v1+json"}});
  EXPECT_EQ(manifest.header("docker-content-digest"), digest);
  EXPECT_EQ(app::sha256_digest(manifest.body), digest);

  // The app answers on its port.
  app::HttpResponse hello = http("GET", "http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "hello from strata (token: " + std::to_string(token.size()) + " chars)\n");

  CliResult status = p.run({"app", "status"}, env);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("running, healthy: port " + std::to_string(port) + " answers"),
            std::string::npos)
      << status.out;

  // Unchanged: the same image, and the registry already has every blob (nothing uploaded).
  CliResult again = p.run({"app", "up", "--json"}, env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto second = nlohmann::json::parse(again.out);
  EXPECT_EQ(second["artifact"]["digest"], digest);
  EXPECT_EQ(second["registry"]["blobs_uploaded"], 0);
  EXPECT_EQ(second["registry"]["blobs_reused"], 2);
  EXPECT_EQ(http("GET", "http://127.0.0.1:" + std::to_string(port) + "/").status, 200);

  // strata's records keep no token either (the image itself carries it: it is the app's env).
  auto leaks = files_containing(p.path(".strata"), token, [](const std::string& rel) {
    return rel.find("/image/blobs/") != std::string::npos;
  });
  EXPECT_TRUE(leaks.empty()) << join(leaks);

  CliResult destroy = p.run({"app", "destroy", "--json"}, env);
  EXPECT_EQ(destroy.exit_code, 0) << destroy.err;
  EXPECT_EQ(nlohmann::json::parse(destroy.out)["deployment"]["state"], "stopped");
  EXPECT_EQ(http("GET", "http://127.0.0.1:" + std::to_string(port) + "/").status, 0);
  auto left = wait_for_no_process(p.root(), std::chrono::seconds(5));
  EXPECT_TRUE(left.empty()) << join(left);
  kill_leftovers(left);
  CliResult after = p.run({"app", "status", "--json"}, env);
  EXPECT_EQ(nlohmann::json::parse(after.out)["deployment"]["state"], "stopped");
}

}  // namespace
}  // namespace strata::testing
