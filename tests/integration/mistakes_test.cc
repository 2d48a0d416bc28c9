// The table of user mistakes (#19): tests/data/mistakes.cases holds one case per mistake a user
// makes — the project's files, the command, its exit code and the exact message — and each runs
// through the real binary with tofu-sim (a simulator) as the engine. Every expected message must
// say where (file:line:col) and what to do (a hint), so a case cannot pass with a message that
// does not.
//
// A case:
//   ### CASE name
//   --- file PATH          (then the file's text; several files, each its own section)
//   --- run ARGS...        (default: validate)
//   --- exit N             (default: 1)
//   --- expect             (then lines that must each appear whole in stderr or stdout, in order;
//                          a line ending in "..." matches a line that starts with the rest)
// Every case starts from strata.yaml (empty) and modules/m/main.tf (variables name, a required
// string, and size, a number with a default; output id), which a case may overwrite.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace strata::testing {
namespace {

struct MistakeCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> args = {"validate"};
  int exit_code = 1;
  std::string expect;
};

constexpr char kModule[] = R"tf(variable "name" {
  type = string
}

variable "size" {
  type    = number
  default = 1
}

output "id" {
  value = var.name
}
)tf";

std::string trim_newlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<MistakeCase> read_cases() {
  std::ifstream in(source_dir() + "/tests/data/mistakes.cases");
  std::vector<MistakeCase> cases;
  std::string line, *body = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("### CASE ", 0) == 0) {
      cases.push_back({});
      cases.back().name = line.substr(9);
      body = nullptr;
      continue;
    }
    if (cases.empty()) continue;  // the header comment
    MistakeCase& c = cases.back();
    if (line.rfind("--- file ", 0) == 0) {
      c.files.push_back({line.substr(9), ""});
      body = &c.files.back().second;
    } else if (line.rfind("--- run ", 0) == 0) {
      std::istringstream words(line.substr(8));
      c.args.clear();
      for (std::string w; words >> w;) c.args.push_back(w);
      body = nullptr;
    } else if (line.rfind("--- exit ", 0) == 0) {
      c.exit_code = std::stoi(line.substr(9));
      body = nullptr;
    } else if (line == "--- expect") {
      body = &c.expect;
    } else if (body) {
      *body += line + "\n";
    }
  }
  for (auto& c : cases) c.expect = trim_newlines(c.expect);
  return cases;
}

// gtest names a failing case by this, not by its bytes.
void PrintTo(const MistakeCase& c, std::ostream* os) { *os << c.name; }

class Mistakes : public ::testing::TestWithParam<MistakeCase> {};

TEST_P(Mistakes, SayWhatIsWrongWhereAndWhatToDo) {
  const MistakeCase& c = GetParam();
  // The table's own rule: a position and a hint in every expected message.
  EXPECT_TRUE(std::regex_search(c.expect, std::regex(R"([A-Za-z0-9_./=-]+:[0-9]+:[0-9]+)")))
      << "the expected message names no file:line:col:\n" << c.expect;
  EXPECT_NE(c.expect.find("hint: "), std::string::npos) << "the expected message says nothing to do:\n" << c.expect;
  TestProject p;
  p.write("strata.yaml", "");
  p.write("modules/m/main.tf", kModule);
  for (const auto& [path, text] : c.files) p.write(path, text);
  CliResult r = p.run(c.args, {{"STRATA_ENGINE", tofu_sim_binary()}, {"TF_CLI_CONFIG_FILE", "/dev/null"}});
  EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
  std::vector<std::string> lines;
  for (std::istringstream all(r.err + r.out); std::getline(all, lines.emplace_back());) {
  }
  size_t at = 0;
  std::istringstream expected(c.expect);
  for (std::string want; std::getline(expected, want);) {
    auto matches = [&](const std::string& line) {
      if (want.ends_with("...")) return line.starts_with(want.substr(0, want.size() - 3));
      return line == want;
    };
    while (at < lines.size() && !matches(lines[at])) ++at;
    EXPECT_LT(at, lines.size()) << "missing (or out of order): " << want << "\nstderr:\n" << r.err << "\nstdout:\n" << r.out;
    if (at == lines.size()) break;
    ++at;
  }
}

std::string case_name(const ::testing::TestParamInfo<MistakeCase>& info) {
  std::string name;
  for (char ch : info.param.name) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, Mistakes, ::testing::ValuesIn(read_cases()), case_name);

TEST(MistakesTable, HoldsAtLeastThirtyCases) { EXPECT_GE(read_cases().size(), 30u); }

}  // namespace
}  // namespace strata::testing
