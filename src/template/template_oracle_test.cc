// Differential tests: every case in tests/data/template/*.cases is rendered by strata and by
// oracle-tpl (Go text/template + Sprig); outputs, or the fact of an error, must be identical.
//
// Case file format (one group per file):
//   === @data          optional: default JSON data for the cases below
//   {"a": 1}
//   === case name      a case; its template text follows (the last newline is not part of it)
//   {{ .a }}
//   --- data           optional: JSON data for this case
//   {"a": 2}
//   --- missingkey     optional: default (the oracle's default), zero or error
//   error
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/error.h"
#include "template/template.h"

namespace strata::tpl {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::string text;
  std::string data = "{}";
  std::string missing_key = "default";
  int line = 0;
};

std::vector<Case> load_cases(const std::string& path) {
  std::ifstream in(path);
  std::vector<Case> cases;
  std::string default_data = "{}";
  std::string line;
  std::string section;  // "text", "data", "missingkey", "@data"
  std::string buf;
  int line_no = 0;
  auto flush = [&]() {
    if (!buf.empty() && buf.back() == '\n') buf.pop_back();
    if (section == "@data") default_data = buf;
    else if (section == "text") cases.back().text = buf;
    else if (section == "data") cases.back().data = buf;
    else if (section == "missingkey") cases.back().missing_key = buf;
    buf.clear();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.rfind("=== ", 0) == 0) {
      flush();
      std::string name = line.substr(4);
      if (name == "@data") {
        section = "@data";
      } else {
        cases.push_back(Case{name, "", default_data, "default", line_no});
        section = "text";
      }
      continue;
    }
    if (line.rfind("--- ", 0) == 0 && !cases.empty()) {
      flush();
      section = line.substr(4);
      continue;
    }
    buf += line + "\n";
  }
  flush();
  return cases;
}

std::string oracle_path() {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("STRATA_ORACLE_DIR")) dirs.push_back(d);
  if (const char* h = std::getenv("HOME")) dirs.push_back(std::string(h) + "/.cache/strata-oracles/bin");
  for (const auto& d : dirs) {
    fs::path p = fs::path(d) / "oracle-tpl";
    if (fs::exists(p)) return p.string();
  }
  return "";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct OracleResult {
  bool ok = false;
  std::string output;
  std::string error;
};

OracleResult run_oracle(const std::string& oracle, const Case& c, const fs::path& dir) {
  fs::path tpl = dir / "t.tpl";
  fs::path data = dir / "data.json";
  std::ofstream(tpl, std::ios::binary) << c.text;
  std::ofstream(data, std::ios::binary) << c.data;
  std::string cmd = shell_quote(oracle) + " -json -missingkey " + shell_quote(c.missing_key) + " " +
                    shell_quote(tpl.string()) + " " + shell_quote(data.string()) + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  OracleResult r;
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "oracle failed: " + out;
    return r;
  }
  r.ok = j.value("ok", false);
  r.output = j.value("output", "");
  r.error = j.value("error", "");
  return r;
}

std::vector<std::string> case_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(STRATA_TEMPLATE_CASE_DIR))
    if (e.path().extension() == ".cases") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

class OracleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OracleTest, MatchesGo) {
  std::string oracle = oracle_path();
  if (oracle.empty()) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "oracle-tpl not found in CI (set STRATA_ORACLE_DIR)";
    GTEST_SKIP() << "oracle-tpl not found in $STRATA_ORACLE_DIR or ~/.cache/strata-oracles/bin; build it with "
                    "../shared/oracles/build.sh";
  }
  std::string path = std::string(STRATA_TEMPLATE_CASE_DIR) + "/" + GetParam();
  auto cases = load_cases(path);
  ASSERT_FALSE(cases.empty()) << path;
  fs::path dir = fs::temp_directory_path() / ("strata-tpl-oracle-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  int message_mismatches = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(GetParam() + ":" + std::to_string(c.line) + " " + c.name);
    OracleResult want = run_oracle(oracle, c, dir);
    ASSERT_EQ(want.error.rfind("oracle failed", 0), std::string::npos) << want.error;
    RenderOptions options;
    options.name = "t.tpl";
    options.missing_key = parse_missing_key(c.missing_key);
    std::string got;
    std::string got_error;
    bool ok = true;
    try {
      Renderer renderer(parse_json_text(c.data), nullptr, options);
      got = renderer.render(c.text);
    } catch (const Error& e) {
      ok = false;
      got_error = e.message();
    }
    if (want.ok) {
      EXPECT_TRUE(ok) << "template:\n" << c.text << "\nGo rendered: " << want.output << "\nstrata failed: " << got_error;
      if (ok) {
        EXPECT_EQ(got, want.output) << "template:\n" << c.text;
      }
    } else {
      EXPECT_FALSE(ok) << "template:\n" << c.text << "\nGo failed: " << want.error << "\nstrata rendered: " << got;
      if (!ok && got_error != want.error) {
        ++message_mismatches;
        // Wording differences are reported, not failed: the contract is the fact of an error.
        if (std::getenv("STRATA_TPL_SHOW_MESSAGES"))
          std::fprintf(stderr, "message differs for %s\n  go:     %s\n  strata: %s\n", c.name.c_str(),
                       want.error.c_str(), got_error.c_str());
      }
    }
  }
  fs::remove_all(dir);
  RecordProperty("cases", static_cast<int>(cases.size()));
  RecordProperty("error_message_mismatches", message_mismatches);
}

INSTANTIATE_TEST_SUITE_P(Cases, OracleTest, ::testing::ValuesIn(case_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.find('.'));
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace strata::tpl
