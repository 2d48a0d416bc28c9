// Every code example in docs/ runs here, so the reference cannot drift from the binary. Each
// Markdown file is one case; its fenced blocks are read in order (docs/README.md, "How the
// examples are tested"):
//   ```LANG file=PATH    the block is written to PATH in the example project
//   ```console           "$ strata ARGS" lines run in the project; the lines after one are its
//                        expected output (stdout, then stderr); "..." stands for any lines;
//                        "# exit N" after the command expects that exit status instead of 0
//   ```text              not code (a shape, a grammar): not run
//   <!-- new project --> the next blocks build a new, empty project
// A project whose files no console block used is checked with `strata validate` (exit 0).
// Any other block is an error, so an example cannot be added without being run.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "tests/support/cli_runner.h"
#include "tests/support/data_cases.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string docs_dir() { return source_dir() + "/docs"; }

struct Where {
  std::string doc;
  int line = 0;
  std::string str() const { return doc + ":" + std::to_string(line); }
};

// "a 'b c' \"d\"" -> a, b c, d. Quotes group words; there are no escapes.
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char ch : text) {
    if (quote) {
      if (ch == quote) {
        quote = 0;
      } else {
        cur += ch;
      }
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == ' ' || ch == '\t') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += ch;
      in_word = true;
    }
  }
  if (in_word) words.push_back(cur);
  return words;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    out.push_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// `expected` against `actual`, line by line; a line "..." matches any number of lines.
bool matches(const std::vector<std::string>& expected, size_t e,
             const std::vector<std::string>& actual, size_t a) {
  if (e == expected.size()) return a == actual.size();
  if (expected[e] == "...") {
    for (size_t skip = a; skip <= actual.size(); ++skip)
      if (matches(expected, e + 1, actual, skip)) return true;
    return false;
  }
  return a < actual.size() && expected[e] == actual[a] && matches(expected, e + 1, actual, a + 1);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class DocRunner {
 public:
  explicit DocRunner(std::string doc) : doc_(std::move(doc)) { new_project(); }

  void new_project() {
    finish_project();
    project_ = std::make_unique<TestProject>();
    unchecked_files_ = false;
  }

  // A project whose files were never used by a console block must at least validate.
  void finish_project() {
    if (!project_ || !unchecked_files_) return;
    CliResult r = project_->run({"validate"}, env());
    EXPECT_EQ(r.exit_code, 0) << last_file_.str() << ": the example project ending here does not "
                              << "validate:\n"
                              << r.out << r.err;
    unchecked_files_ = false;
  }

  void write(const std::string& path, const std::string& content, const Where& where) {
    if (path.empty() || path.starts_with("/") || path.find("..") != std::string::npos) {
      ADD_FAILURE() << where.str() << ": file= needs a path inside the project, not '" << path
                    << "'";
      return;
    }
    project_->write(path, content);
    unchecked_files_ = true;
    last_file_ = where;
  }

  // One console block: commands and the output each is expected to print.
  void console(const std::vector<std::string>& block, const Where& start) {
    size_t i = 0;
    while (i < block.size()) {
      Where where{start.doc, start.line + static_cast<int>(i) + 1};
      if (!block[i].starts_with("$ ")) {
        ADD_FAILURE() << where.str() << ": a console block starts with '$ strata ...', not '"
                      << block[i] << "'";
        return;
      }
      std::string command = block[i].substr(2);
      int want_exit = 0;
      if (size_t hash = command.find("  # exit "); hash != std::string::npos) {
        want_exit = std::stoi(command.substr(hash + 9));
        command.erase(hash);
      }
      std::vector<std::string> expected;
      for (++i; i < block.size() && !block[i].starts_with("$ "); ++i) expected.push_back(block[i]);
      while (!expected.empty() && expected.back().empty()) expected.pop_back();
      run(command, want_exit, expected, where);
    }
    unchecked_files_ = false;
  }

 private:
  std::map<std::string, std::string> env() const {
    return {{"STRATA_ENGINE", tofu_sim_binary()}, {"STRATA_JS_CACHE", "0"}, {"COLUMNS", "100"}};
  }

  void run(const std::string& command, int want_exit, const std::vector<std::string>& expected,
           const Where& where) {
    std::vector<std::string> words = split_words(command);
    std::map<std::string, std::string> vars = env();
    size_t w = 0;
    for (; w < words.size() && words[w].find('=') != std::string::npos && words[w] != "strata"; ++w)
      vars[words[w].substr(0, words[w].find('='))] = words[w].substr(words[w].find('=') + 1);
    if (w >= words.size() || words[w] != "strata") {
      ADD_FAILURE() << where.str() << ": only strata runs in a console block: " << command;
      return;
    }
    std::vector<std::string> args(words.begin() + static_cast<long>(w) + 1, words.end());
    CliResult r = project_->run(args, vars);
    std::string out = r.out + r.err;
    // The project's temporary folder is shown as <project>.
    for (size_t p; (p = out.find(project_->root())) != std::string::npos;)
      out.replace(p, project_->root().size(), "<project>");
    std::vector<std::string> actual = lines_of(out);
    EXPECT_EQ(r.exit_code, want_exit) << where.str() << ": $ " << command << "\n" << out;
    EXPECT_TRUE(matches(expected, 0, actual, 0))
        << where.str() << ": $ " << command << "\nexpected:\n"
        << joined(expected) << "actual:\n"
        << joined(actual);
  }

  std::string doc_;
  std::unique_ptr<TestProject> project_;
  bool unchecked_files_ = false;
  Where last_file_;
};

// The fence's info string: "js file=stacks/dev.js" -> lang "js", file "stacks/dev.js".
struct Fence {
  std::string lang, file;
};

Fence parse_fence(const std::string& info) {
  Fence f;
  for (const auto& word : split_words(info)) {
    if (word.starts_with("file=")) {
      f.file = word.substr(5);
    } else if (f.lang.empty()) {
      f.lang = word;
    }
  }
  return f;
}

class DocExamples : public ::testing::TestWithParam<DataCase> {};

TEST_P(DocExamples, RunAsWritten) {
  const DataCase& c = GetParam();
  std::vector<std::string> lines;
  {
    std::istringstream in(read_file(c.path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::string doc = "docs/" + c.relative;
  DocRunner runner(doc);
  for (size_t i = 0; i < lines.size(); ++i) {
    Where where{doc, static_cast<int>(i) + 1};
    if (lines[i].find("<!-- new project -->") != std::string::npos) {
      runner.new_project();
      continue;
    }
    if (!lines[i].starts_with("```")) continue;
    Fence fence = parse_fence(lines[i].substr(3));
    std::string body;
    std::vector<std::string> block;
    size_t j = i + 1;
    for (; j < lines.size() && !lines[j].starts_with("```"); ++j) {
      body += lines[j] + "\n";
      block.push_back(lines[j]);
    }
    ASSERT_LT(j, lines.size()) << where.str() << ": the code block is not closed";
    if (!fence.file.empty()) {
      runner.write(fence.file, body, where);
    } else if (fence.lang == "console") {
      runner.console(block, where);
    } else if (fence.lang != "text") {
      ADD_FAILURE() << where.str() << ": a code block must be 'file=PATH', 'console' or 'text' "
                    << "(docs/README.md), so that it is run; this one is '" << fence.lang << "'";
    }
    i = j;
  }
  runner.finish_project();
}

INSTANTIATE_TEST_SUITE_P(Docs, DocExamples,
                         ::testing::ValuesIn(data_cases(
                             docs_dir(), [](const fs::path& p) { return p.extension() == ".md"; },
                             /*recursive=*/true, ".md")),
                         data_case_name);

}  // namespace
}  // namespace strata::testing
