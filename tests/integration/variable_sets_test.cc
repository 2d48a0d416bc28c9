// Variable sets on `strata server` (#22), through the real binaries on loopback with tofu-sim (a
// simulator) as the engine: a stack whose stack file calls secrets() runs on the server's
// workers once the repository has the age identity (`strata remote keys add`), a stack's
// variable reaches its engine and no other stack's, and neither the secret, the key nor a
// sensitive variable is anywhere at rest, in a log or in an API answer.
#include <fstream>
#include <iterator>

#include "secrets/age.h"
#include "secrets/sops.h"
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

constexpr const char* kAgeKey = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
constexpr const char* kSecret = "Corr3ct-h0rse-vars-5e2b";
constexpr const char* kToken = "tok-9f8e7d6c5b4a-sensitive";

std::string at_rest(const ServerProcess& server) { return database_bytes(server); }

TEST(VariableSets, SecretsAndStackVariablesReachTheWorkersAndNothingIsReadableAtRest) {
  GitProject project;
  auto id = age::Identity::x25519(kAgeKey);
  project.write("secrets/dev.enc.yaml", secrets::encrypt_sops_yaml({{"password", kSecret}}, id.recipient()));
  project.write("stacks/dev.js",
                "stack('dev');\n"
                "component('db', 'modules/m', { inputs: { in: secrets('sops://secrets/dev.enc.yaml#/password') } });\n");
  project.commit("a secret");
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  TestProject here;
  here.write("keys.txt", std::string("# created by age-keygen\n") + kAgeKey + "\n");
  here.write("token.txt", std::string(kToken) + "\n");
  here.write("not-a-key.txt", "hello\n");
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);

  // Without the key, the activity cannot decrypt the secret, and says what to do.
  CliResult no_key = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
  EXPECT_EQ(no_key.exit_code, 1) << no_key.out << no_key.err;
  EXPECT_NE(no_key.out.find("age identity"), std::string::npos) << no_key.out;

  CliResult bad_key = remote(here, server, {"keys", "add", "infra", "--age-identity-file", "not-a-key.txt"});
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_NE(bad_key.err.find("not-a-key.txt:1:1: malformed age identity"), std::string::npos) << bad_key.err;
  here.write("empty-keys.txt", "# created by age-keygen\n");
  CliResult no_identity = remote(here, server, {"keys", "add", "infra", "--age-identity-file", "empty-keys.txt"});
  EXPECT_EQ(no_identity.exit_code, 1);
  EXPECT_NE(no_identity.err.find("empty-keys.txt holds no age identity"), std::string::npos) << no_identity.err;
  CliResult key = remote(here, server, {"keys", "add", "infra", "--age-identity-file", "keys.txt"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_NE(key.out.find("set SOPS_AGE_KEY (sensitive) for infra"), std::string::npos) << key.out;
  ASSERT_EQ(remote(here, server, {"vars", "set", "infra", "API_TOKEN", "--value-file", "token.txt", "--sensitive"})
                .exit_code,
            0);
  // A stack's variable reaches its engine: tofu-sim fails a plan when TOFU_SIM_FAIL says so.
  ASSERT_EQ(remote(here, server, {"vars", "set", "infra", "dev", "TOFU_SIM_FAIL", "--value", "plan"}).exit_code, 0);
  ASSERT_EQ(remote(here, server, {"vars", "set", "infra", "prod", "OTHER", "--value", "x"}).exit_code, 0);

  CliResult list = remote(here, server, {"vars", "list", "infra"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("*  SOPS_AGE_KEY  (sensitive)"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("*  API_TOKEN  (sensitive)"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("dev  TOFU_SIM_FAIL  plan"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("AGE-SECRET-KEY"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(kToken), std::string::npos) << list.out;

  CliResult failing = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
  EXPECT_EQ(failing.exit_code, 1) << failing.out;
  std::string failed_run = nlohmann::json::parse(failing.out)["id"];
  CliResult failed_logs = remote(project, server, {"runs", "logs", failed_run});
  EXPECT_NE(failed_logs.out.find("Simulated failure"), std::string::npos) << failed_logs.out;

  ASSERT_EQ(remote(here, server, {"vars", "unset", "infra", "dev", "TOFU_SIM_FAIL"}).exit_code, 0);
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  CliResult runs = remote(project, server, {"runs", "list", "--json"});
  std::string last = nlohmann::json::parse(runs.out)["runs"][0]["id"];
  CliResult logs = remote(project, server, {"runs", "logs", last});
  for (const std::string& text : {logs.out, failed_logs.out, plan.out, list.out,
                                  json_of(server.send("GET", "/api/v1/repositories/infra/variables")).dump(),
                                  json_of(server.send("GET", "/api/v1/runs/" + last)).dump(), audit(server).dump()}) {
    for (const char* word : {kSecret, kAgeKey, kToken}) EXPECT_EQ(text.find(word), std::string::npos) << word << " in " << text;
  }

  // What a variable must be, and who may set one.
  CliResult bad_name = remote(here, server, {"vars", "set", "infra", "1BAD", "--value", "x"});
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_NE(bad_name.err.find("\"1BAD\" cannot be a variable"), std::string::npos) << bad_name.err;
  EXPECT_EQ(remote(here, server, {"vars", "set", "infra", "TF_HTTP_PASSWORD", "--value", "x"}).exit_code, 1);
  CliResult no_repo = remote(here, server, {"vars", "set", "nope", "A", "--value", "x"});
  EXPECT_EQ(no_repo.exit_code, 1);
  EXPECT_NE(no_repo.err.find("no repository nope"), std::string::npos) << no_repo.err;
  EXPECT_EQ(server.send("PUT", "/api/v1/repositories/infra/variables/A", R"({"value":1})").status, 400);
  EXPECT_EQ(server.send("PUT", "/api/v1/repositories/infra/variables/A", R"({"value":"x","secret":true})").status, 400);
  EXPECT_EQ(server.send("PUT", "/api/v1/repositories/infra/variables/A", "{\"value\":\"" + std::string(70000, 'x') + "\"}")
                .status,
            400);
  std::string plain = add_plain_token(server);
  EXPECT_EQ(server.send("PUT", "/api/v1/repositories/infra/variables/A", R"({"value":"x"})", plain).status, 403);
  EXPECT_EQ(server.send("GET", "/api/v1/repositories/infra/variables", "", plain).status, 200);
  EXPECT_EQ(remote(here, server, {"vars", "unset", "infra", "NOPE"}).exit_code, 1);
  nlohmann::json listed = json_of(server.send("GET", "/api/v1/repositories/infra/variables"));
  EXPECT_EQ(listed["variables"].size(), 3u) << "nothing refused was stored: " << listed.dump(2);
  nlohmann::json entries = audit(server);
  ASSERT_GE(entries.size(), 5u) << entries.dump(2);
  // The operator's refused PUT (a maintainer's act), then the last change.
  EXPECT_EQ(entries[0]["action"], "access.denied");
  EXPECT_EQ(entries[0]["actor"], "token:ci");
  EXPECT_EQ(entries[0]["target"], "PUT /api/v1/repositories/infra/variables/A");
  EXPECT_EQ(entries[1]["action"], "variable.delete");
  EXPECT_EQ(entries[1]["target"], "infra/dev:TOFU_SIM_FAIL");

  // A stack file that fails quoting a sensitive value: the run's reason (kept in clear) shows
  // it redacted.
  project.write("stacks/leak.js", "stack('leak');\nthrow new Error('cannot use ' + env.API_TOKEN);\n");
  project.commit("leaky");
  auto leaky = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true})");
  ASSERT_EQ(leaky.status, 201) << leaky.body;
  const std::string reason = json_of(leaky).value("status_reason", "");
  EXPECT_NE(reason.find("cannot use (sensitive)"), std::string::npos) << reason;
  EXPECT_EQ(reason.find(kToken), std::string::npos) << reason;

  EXPECT_EQ(server.terminate().exit_code, 0);
  std::string bytes = at_rest(server);
  ASSERT_NE(bytes.find("SOPS_AGE_KEY"), std::string::npos) << "the files hold the store (the premise)";
  for (const char* word : {kSecret, kAgeKey, kToken}) EXPECT_EQ(bytes.find(word), std::string::npos) << word << " at rest";
}

}  // namespace
}  // namespace strata::testing
