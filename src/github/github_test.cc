// The webhook signature and payload readers, against GitHub's documented signature vector and
// the octokit/webhooks payload samples (../shared/conformance/github-webhooks/).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/http_client.h"
#include "github/client.h"
#include "github/webhook.h"
#include "model/error.h"
#include "secrets/crypto.h"
#include "tests/support/conformance.h"

namespace strata::github {
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

std::string samples(const std::string& dir) {
  return dir + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/";
}

TEST(WebhookSignature, MatchesGitHubsDocumentedVector) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  nlohmann::json v = read_json(dir + "/github-webhooks/signature/x-hub-signature-256.vector.json");
  const std::string secret = v["secret"], payload = v["payload"], header = v["header_value"];
  EXPECT_EQ(signature_header(secret, payload), header);
  EXPECT_TRUE(signature_matches(secret, payload, header));
  std::string upper = header;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(signature_matches(secret, payload, upper)) << "hex in either case";
}

TEST(WebhookSignature, RefusesEverythingElse) {
  const std::string body = R"({"zen":"x"})";
  const std::string good = signature_header("s3cret", body);
  EXPECT_TRUE(signature_matches("s3cret", body, good));
  EXPECT_FALSE(signature_matches("s3cret", body + " ", good)) << "another body";
  EXPECT_FALSE(signature_matches("other", body, good)) << "another secret";
  EXPECT_FALSE(signature_matches("", body, signature_header("", body))) << "no secret: nothing is trusted";
  EXPECT_FALSE(signature_matches("s3cret", body, ""));
  EXPECT_FALSE(signature_matches("s3cret", body, good.substr(7))) << "without sha256=";
  EXPECT_FALSE(signature_matches("s3cret", body, "sha1=" + good.substr(7)));
  EXPECT_FALSE(signature_matches("s3cret", body, good.substr(0, good.size() - 1)));
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(signature_matches("s3cret", body, flipped));
}

TEST(WebhookPayloads, PushSamplesRead) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  PushEvent tag = parse_push(read_json(samples(dir) + "push/payload.json"));
  EXPECT_EQ(tag.ref, "refs/tags/simple-tag");
  EXPECT_TRUE(tag.deleted);
  EXPECT_EQ(tag.after, kNoCommit);
  EXPECT_EQ(tag.branch(), "");
  EXPECT_EQ(tag.repository.full_name, "Codertocat/Hello-World");
  EXPECT_EQ(tag.repository.owner, "Codertocat");
  EXPECT_EQ(tag.repository.default_branch, "master");
  EXPECT_EQ(tag.pusher, "Codertocat");
  PushEvent branch = parse_push(read_json(samples(dir) + "push/with-new-branch.payload.json"));
  EXPECT_EQ(branch.branch(), "master");
  EXPECT_TRUE(branch.created);
  EXPECT_EQ(branch.before, kNoCommit);
  EXPECT_EQ(*repository_of(read_json(samples(dir) + "push/with-installation.payload.json")),
            parse_push(read_json(samples(dir) + "push/with-installation.payload.json")).repository.full_name);
}

TEST(WebhookPayloads, PullRequestAndCommentSamplesRead) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  PullRequestEvent opened = parse_pull_request(read_json(samples(dir) + "pull_request/opened.payload.json"));
  EXPECT_EQ(opened.action, "opened");
  EXPECT_EQ(opened.number, 2);
  EXPECT_EQ(opened.head_sha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  EXPECT_EQ(opened.head_ref, "changes");
  EXPECT_EQ(opened.base_ref, "master");
  EXPECT_FALSE(opened.merged);
  EXPECT_FALSE(opened.from_fork());
  EXPECT_EQ(opened.author, "Codertocat");
  EXPECT_EQ(opened.merge_commit_sha, "") << "not merged: no merge commit yet";
  PullRequestEvent closed = parse_pull_request(read_json(samples(dir) + "pull_request/closed.payload.json"));
  EXPECT_EQ(closed.action, "closed");
  EXPECT_FALSE(closed.merged) << "closed without merging";
  nlohmann::json merged = read_json(samples(dir) + "pull_request/closed.payload.json");
  merged["pull_request"]["merged"] = true;
  merged["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World";
  PullRequestEvent m = parse_pull_request(merged);
  EXPECT_TRUE(m.merged);
  EXPECT_EQ(m.merge_commit_sha, "c4295bd74fb0f4fda03689c3df3f2803b658fd85");
  EXPECT_TRUE(m.from_fork());
  EXPECT_NO_THROW(parse_pull_request(read_json(samples(dir) + "pull_request/opened.with-null-body.json")));

  IssueCommentEvent c = parse_issue_comment(read_json(samples(dir) + "issue_comment/created.payload.json"));
  EXPECT_EQ(c.action, "created");
  EXPECT_EQ(c.number, 1);
  EXPECT_FALSE(c.on_pull_request);
  EXPECT_EQ(c.author_association, "OWNER");
  PingEvent ping = parse_ping(read_json(samples(dir) + "ping/payload.json"));
  EXPECT_EQ(ping.hook_id, 109948940);
  EXPECT_FALSE(ping.zen.empty());
}

TEST(WebhookPayloads, AMalformedPayloadNamesTheField) {
  try {
    parse_push(nlohmann::json{{"ref", "refs/heads/main"}, {"before", "a"}});
    FAIL() << "a push without after";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "the payload has no field \"after\"");
  }
  try {
    parse_pull_request(nlohmann::json{{"action", "opened"}, {"pull_request", {{"number", "2"}}}});
    FAIL() << "a number as a string";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "the payload has no number \"pull_request.number\"");
  }
  EXPECT_THROW(parse_push(nlohmann::json::array()), Error);
  EXPECT_FALSE(repository_of(nlohmann::json::array()));
  EXPECT_FALSE(repository_of(nlohmann::json{{"repository", {{"full_name", 3}}}}));
}

TEST(WebhookPayloads, CommandsInComments) {
  EXPECT_EQ(comment_command("strata plan"), "plan");
  EXPECT_EQ(comment_command("Looks good.\r\n  strata apply please\r\n"), "apply");
  EXPECT_EQ(comment_command("strata planet"), std::nullopt);
  EXPECT_EQ(comment_command("run strata plan"), std::nullopt) << "a command starts its line";
  EXPECT_EQ(comment_command(""), std::nullopt);
}

TEST(WebhookPayloads, TheApplyButtonSampleReads) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  CheckActionEvent e = parse_check_action(read_json(samples(dir) + "check_run/requested_action.payload.json"));
  EXPECT_EQ(e.identifier, "lgtm|26764");
  EXPECT_EQ(e.user, "codebytere");
  EXPECT_EQ(e.pull_requests, (std::vector<int64_t>{26764}));
  EXPECT_EQ(e.repository.full_name, "electron/electron");
}

// An HTTP client that answers from a script and records what was asked.
class ScriptedHttp : public app::HttpClient {
 public:
  std::vector<app::HttpResponse> answers;  // in order; the last repeats
  std::vector<app::HttpRequest> asked;
  app::HttpResponse send(const app::HttpRequest& request) override {
    asked.push_back(request);
    size_t i = std::min(asked.size() - 1, answers.size() - 1);
    if (answers[i].status == 0) throw Error(ErrorKind::kEnvironment, "connection refused");
    return answers[i];
  }
};

app::HttpResponse answer(int status, std::string body, std::map<std::string, std::string> headers = {}) {
  app::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct ClientFixture {
  ScriptedHttp* http = nullptr;
  std::vector<std::chrono::milliseconds> waits;
  std::unique_ptr<Client> client;
  explicit ClientFixture(std::vector<app::HttpResponse> answers) {
    auto scripted = std::make_unique<ScriptedHttp>();
    scripted->answers = std::move(answers);
    http = scripted.get();
    ClientSettings s;
    s.api_url = "https://github.example.com/api/v3/";
    s.token = "ghs_token";
    s.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    client = make_client(s, std::move(scripted));
  }
};

TEST(GitHubClient, SpeaksTheChecksAndIssuesApis) {
  ClientFixture f({answer(201, R"({"id":9000000001})")});
  CheckRun run;
  run.head_sha = "abc";
  run.status = "completed";
  run.conclusion = "success";
  run.title = "strata plan: +1 ~0 -0";
  run.summary = "table";
  run.text = std::string(70000, 'x');
  run.apply_button = true;
  EXPECT_EQ(f.client->create_check_run("acme/infra", run), 9000000001);
  const app::HttpRequest& r = f.http->asked.at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://github.example.com/api/v3/repos/acme/infra/check-runs");
  EXPECT_EQ(r.headers.at("Authorization"), "Bearer ghs_token");
  EXPECT_EQ(r.headers.at("Accept"), "application/vnd.github+json");
  nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["head_sha"], "abc");
  EXPECT_EQ(body["conclusion"], "success");
  EXPECT_LE(body["output"]["text"].get<std::string>().size(), kMaxCheckText) << "GitHub refuses more";
  EXPECT_EQ(body["actions"][0]["identifier"], "apply");
  f.client->update_comment("acme/infra", 42, "edited");
  EXPECT_EQ(f.http->asked.at(1).method, "PATCH");
  EXPECT_EQ(f.http->asked.at(1).url, "https://github.example.com/api/v3/repos/acme/infra/issues/comments/42");
  EXPECT_TRUE(f.waits.empty());
}

TEST(GitHubClient, RetriesServerErrorsAndSecondaryRateLimitsNeverOtherRefusals) {
  ClientFixture flaky({answer(502, "bad gateway"), answer(0, ""), answer(201, R"({"id":5})")});
  EXPECT_EQ(flaky.client->create_comment("acme/infra", 7, "hi"), 5);
  EXPECT_EQ(flaky.http->asked.size(), 3u);
  EXPECT_EQ(flaky.waits, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500), std::chrono::milliseconds(1000)}));

  ClientFixture limited({answer(403, R"({"message":"You have exceeded a secondary rate limit"})", {{"retry-after", "7"}}),
                         answer(200, R"({"permission":"write"})")});
  EXPECT_EQ(limited.client->permission("acme/infra", "alice"), "write");
  EXPECT_EQ(limited.waits, (std::vector<std::chrono::milliseconds>{std::chrono::seconds(7)}));

  ClientFixture refused({answer(422, R"({"message":"Validation Failed"})")});
  try {
    refused.client->create_comment("acme/infra", 7, "hi");
    FAIL() << "a 422 was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "GitHub answered 422 to POST /repos/acme/infra/issues/7/comments: Validation Failed");
  }
  EXPECT_EQ(refused.http->asked.size(), 1u) << "a 4xx is never tried again";

  ClientFixture down({answer(503, "")});
  EXPECT_THROW(down.client->update_check_run("acme/infra", 1, CheckRun{}), Error);
  EXPECT_EQ(down.http->asked.size(), 4u) << "four tries, then it gives up";

  ClientFixture nobody({answer(404, R"({"message":"Not Found"})")});
  EXPECT_EQ(nobody.client->permission("acme/infra", "mallory"), "none");
}

// A fresh 2048-bit RSA key in PEM, as GitHub hands an App's.
std::string rsa_pem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(GitHubClient, AsAnAppItSignsAJwtAndKeepsTheInstallationToken) {
  const std::string pem = rsa_pem();
  auto scripted = std::make_unique<ScriptedHttp>();
  ScriptedHttp* http = scripted.get();
  http->answers = {answer(200, R"({"id":77})"),
                   answer(201, R"({"token":"ghs_inst","expires_at":"2026-12-08T12:00:00Z"})"),
                   answer(201, R"({"id":5})"),
                   answer(201, R"({"id":6})"),
                   answer(201, R"({"token":"ghs_next","expires_at":"2026-12-08T13:00:00Z"})"),
                   answer(201, R"({"id":7})")};
  ClientSettings s;
  s.api_url = "https://api.github.com";
  s.app_id = "123456";
  s.app_private_key = pem;
  int64_t now = 1796680000;  // 2026-12-07T21:46:40Z
  s.now_seconds = [&] { return now; };
  std::unique_ptr<Client> client = make_client(s, std::move(scripted));
  EXPECT_EQ(client->create_comment("acme/infra", 7, "hi"), 5);
  ASSERT_EQ(http->asked.size(), 3u);
  EXPECT_EQ(http->asked[0].url, "https://api.github.com/repos/acme/infra/installation");
  EXPECT_EQ(http->asked[1].url, "https://api.github.com/app/installations/77/access_tokens");
  EXPECT_EQ(http->asked[2].headers.at("Authorization"), "Bearer ghs_inst");
  // The JWT: RS256 over header.claims under the App's key, iss = the App, ten minutes at most.
  std::string jwt = http->asked[0].headers.at("Authorization").substr(7);
  size_t dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  std::optional<std::string> claims = secrets::base64_decode_unpadded([&] {
    std::string c = jwt.substr(dot1 + 1, dot2 - dot1 - 1);
    for (char& ch : c) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
    return c;
  }());
  ASSERT_TRUE(claims);
  nlohmann::json j = nlohmann::json::parse(*claims);
  EXPECT_EQ(j["iss"], "123456");
  EXPECT_EQ(j["iat"], now - 60);
  EXPECT_EQ(j["exp"], now + 540);
  std::string sig = jwt.substr(dot2 + 1);
  for (char& ch : sig) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  std::optional<secrets::RsaKey> key = secrets::rsa_from_pem(pem);
  ASSERT_TRUE(key);
  EXPECT_TRUE(secrets::rsa_sha256_verify(key->n, key->e, jwt.substr(0, dot2), *secrets::base64_decode_unpadded(sig)));
  EXPECT_FALSE(secrets::rsa_sha256_verify(key->n, key->e, jwt.substr(0, dot2) + "x", *secrets::base64_decode_unpadded(sig)));

  // The token is kept until five minutes before it expires, then a new one is asked for.
  client->create_comment("acme/infra", 7, "again");
  EXPECT_EQ(http->asked.size(), 4u);
  now = 1796731200 - 200;  // 2026-12-08T12:00:00Z less 200 s
  client->create_comment("acme/infra", 7, "later");
  ASSERT_EQ(http->asked.size(), 6u);
  EXPECT_EQ(http->asked[4].url, "https://api.github.com/app/installations/77/access_tokens");
  EXPECT_EQ(http->asked[5].headers.at("Authorization"), "Bearer ghs_next");
  EXPECT_THROW(app_jwt("1", "not a key", now), Error);
}

TEST(GitHubClient, FitCutsAtALineAndSays) {
  EXPECT_EQ(fit("short", 100, "…"), "short");
  std::string text = "line one\nline two\nline three\n";
  std::string cut = fit(text, 20, "(cut)");
  EXPECT_LE(cut.size(), 20u);
  EXPECT_EQ(cut, "line one\n(cut)");
  std::string wide = std::string(30, 'a') + "\xc3\xa9" + std::string(30, 'b');
  std::string w = fit(wide, 40, "…");
  EXPECT_LE(w.size(), 40u);
  EXPECT_EQ(w.find("\xc3\n"), std::string::npos) << "never half a character";
}

}  // namespace
}  // namespace strata::github
