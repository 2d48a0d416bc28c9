#include "run/run_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/error.h"

namespace strata {
namespace {

RunRecord sample() {
  RunRecord r;
  r.run_id = "20261123T070000Z-abcd";
  r.command = "apply";
  r.jobs = 4;
  r.interrupted = true;
  r.started_at = WallClock::time_point(std::chrono::milliseconds(1795000000123));
  r.finished_at = r.started_at + std::chrono::milliseconds(2500);
  NodeRecord ok;
  ok.node = {"dev", "vpc", {}};
  ok.result = NodeResult::kSucceeded;
  ok.start_order = 1;
  ok.started_at = r.started_at;
  ok.finished_at = r.started_at + std::chrono::milliseconds(900);
  ok.duration = std::chrono::milliseconds(900);
  ok.changes = {3, 1, 0, 2};  // add, change, destroy, import
  ok.log_path = ".strata/logs/dev-vpc.log";
  NodeRecord cut;
  cut.node = {"dev", "app", {}};
  cut.result = NodeResult::kInterrupted;
  cut.start_order = 2;
  NodeRecord never;
  never.node = {"dev", "web", {}};
  never.message = "not started: the run was interrupted";
  r.nodes = {ok, cut, never};
  return r;
}

TEST(RunRecordTest, JsonHasWhatRanInWhichOrderAndHowItEnded) {
  nlohmann::json j = to_json(sample());
  EXPECT_EQ(j["run_id"], "20261123T070000Z-abcd");
  EXPECT_EQ(j["command"], "apply");
  EXPECT_EQ(j["duration_ms"], 2500);
  EXPECT_TRUE(j["strata_cpu_seconds"].is_null());  // not measured
  RunRecord measured = sample();
  measured.strata_cpu_seconds = 0.25;
  EXPECT_EQ(to_json(measured)["strata_cpu_seconds"], 0.25);
  EXPECT_EQ(j["started_at"], "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_EQ(j["interrupted_nodes"], nlohmann::json::array({"dev/app"}));
  EXPECT_EQ(j["summary"]["succeeded"], 1);
  EXPECT_EQ(j["summary"]["not_started"], 1);
  const auto& vpc = j["nodes"][0];
  EXPECT_EQ(vpc["result"], "succeeded");
  EXPECT_EQ(vpc["start_order"], 1);
  EXPECT_EQ(vpc["duration_ms"], 900);
  EXPECT_EQ(vpc["changes"]["add"], 3);
  EXPECT_EQ(vpc["changes"]["import"], 2);
  EXPECT_EQ(vpc["log_path"], ".strata/logs/dev-vpc.log");
  EXPECT_TRUE(j["nodes"][2]["started_at"].is_null());
  EXPECT_EQ(j["nodes"][2]["result"], "not_started");
}

TEST(RunRecordTest, WritesAtomicallyIntoNewFolders) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-record-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::string path = (dir / "runs" / "r.json").string();
  write_run_record(sample(), path);
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["nodes"].size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(dir);
}

TEST(RunRecordTest, UnwritablePlaceIsAClearError) {
  try {
    write_run_record(sample(), "/proc/strata-cannot-write/r.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("/proc/strata-cannot-write"), std::string::npos) << e.render();
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
    EXPECT_FALSE(e.hint().empty());
  }
}

}  // namespace
}  // namespace strata
