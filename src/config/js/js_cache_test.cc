// The stack-file result cache: a result is reused only while nothing it depended on changed,
// and never stored when it depended on the environment, the clock, chance or printing.
#include "config/js/js_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "config/js/js_stack_loader.h"

namespace fs = std::filesystem;

namespace strata::js {
namespace {

class JsCacheTest : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir_.file(rel)).parent_path());
    std::ofstream(dir_.file(rel)) << text;
  }
  // Loads every stack file once, as a strata command does; returns the stacks.
  std::map<std::string, Stack> load(JsLoadStats& stats) {
    RunnerOptions o;
    o.root = dir_.path();
    o.environment = &env_;
    o.log = [this](LogLevel, const std::string& text, const Origin&) { logged_.push_back(text); };
    o.cache_dir = dir_.file(".strata/.cache/js");
    std::map<std::string, Stack> stacks;
    Diagnostics diagnostics;
    load_js_stacks(find_stack_files(dir_.file("stacks")), o, stacks, diagnostics, &stats);
    EXPECT_FALSE(diagnostics.has_errors()) << diagnostics.items()[0].render();
    return stacks;
  }
  // The `name` input of dev/app after loading.
  std::string name_input(JsLoadStats& stats) {
    auto stacks = load(stats);
    return stacks.at("dev").components.at(0).inputs.find("name")->as_string();
  }

  TempDir dir_{"strata-js-cache"};
  std::map<std::string, std::string> env_;
  std::vector<std::string> logged_;
};

constexpr char kStack[] = R"(const naming = require('./lib/naming');
stack('dev');
component('app', 'modules/app', { inputs: { name: naming.name('app') } });
)";

TEST_F(JsCacheTest, AnUnchangedFileIsNotRunAgainAndGivesTheSameModel) {
  write("stacks/dev.js", kStack);
  write("stacks/lib/naming.js", "module.exports.name = (n) => `acme-${n}`;\n");
  JsLoadStats first, second;
  auto a = load(first);
  auto b = load(second);
  EXPECT_EQ(first.ran, 2u);  // the stack file and the helper (which declares no stack)
  EXPECT_EQ(second.ran, 0u);
  EXPECT_EQ(second.reused, 2u);
  const Component& ca = a.at("dev").components.at(0);
  const Component& cb = b.at("dev").components.at(0);
  EXPECT_EQ(to_json_text(ca.inputs, -1), to_json_text(cb.inputs, -1));
  EXPECT_EQ(cb.inputs.find("name")->as_string(), "acme-app");
  // Origins (used by every error message) come back too.
  EXPECT_EQ(ca.origin.str(), "stacks/dev.js:3:1");
  EXPECT_EQ(cb.origin.str(), ca.origin.str());
  EXPECT_EQ(b.at("dev").source_file, a.at("dev").source_file);
}

TEST_F(JsCacheTest, ChangingTheFileOrARequiredModuleRunsItAgain) {
  write("stacks/dev.js", kStack);
  write("stacks/lib/naming.js", "module.exports.name = (n) => `acme-${n}`;\n");
  JsLoadStats s1, s2, s3;
  EXPECT_EQ(name_input(s1), "acme-app");
  write("stacks/lib/naming.js", "module.exports.name = (n) => `corp-${n}`;\n");
  EXPECT_EQ(name_input(s2), "corp-app");
  EXPECT_EQ(s2.reused, 0u);
  write("stacks/dev.js", std::string(kStack) + "// edited\n");
  EXPECT_EQ(name_input(s3), "corp-app");
  EXPECT_EQ(s3.ran, 1u);  // only dev.js: the helper's own entry is still good
}

TEST_F(JsCacheTest, ARequireThatWouldNowFindAnotherFileRunsAgain) {
  write("stacks/dev.js", kStack);
  write("stacks/lib/naming.js", "module.exports.name = (n) => `acme-${n}`;\n");
  JsLoadStats s1, s2;
  EXPECT_EQ(name_input(s1), "acme-app");
  // require('./lib/naming') now finds the file without extension first.
  write("stacks/lib/naming", "module.exports.name = (n) => `exact-${n}`;\n");
  EXPECT_EQ(name_input(s2), "exact-app");
}

TEST_F(JsCacheTest, AStackFileSymlinkPointedElsewhereRunsAgain) {
  write("real/a.js", "stack('dev');\ncomponent('app', 'm', { inputs: { name: 'from-a' } });\n");
  write("real/b.js", "stack('dev');\ncomponent('app', 'm', { inputs: { name: 'from-b' } });\n");
  fs::create_directories(dir_.file("stacks"));
  fs::create_symlink(dir_.file("real/a.js"), dir_.file("stacks/dev.js"));
  JsLoadStats s1, s2;
  EXPECT_EQ(name_input(s1), "from-a");
  fs::remove(dir_.file("stacks/dev.js"));
  fs::create_symlink(dir_.file("real/b.js"), dir_.file("stacks/dev.js"));
  EXPECT_EQ(name_input(s2), "from-b");
}

TEST_F(JsCacheTest, AFailedRequireThatWouldNowSucceedRunsAgain) {
  write("stacks/dev.js",
        "let name = 'none';\ntry { name = require('./opt').v; } catch (e) {}\n"
        "stack('dev');\ncomponent('app', 'm', { inputs: { name } });\n");
  JsLoadStats s1, s2;
  EXPECT_EQ(name_input(s1), "none");
  write("stacks/opt.js", "module.exports.v = 'present';\n");
  EXPECT_EQ(name_input(s2), "present");
}

TEST_F(JsCacheTest, FilesReadingTheEnvironmentAreNeverReused) {
  write("stacks/dev.js", "stack('dev');\ncomponent('app', 'm', { inputs: { name: env.APP_NAME } });\n");
  env_["APP_NAME"] = "first";
  JsLoadStats s1, s2;
  EXPECT_EQ(name_input(s1), "first");
  env_["APP_NAME"] = "second";
  EXPECT_EQ(name_input(s2), "second");
  EXPECT_EQ(s2.reused, 0u);
}

TEST_F(JsCacheTest, ClockChanceAndLocaleMakeAFileUncacheable) {
  for (const char* expr : {"String(Date.now())", "String(new Date().getTime())", "String(Math.random())",
                           "new Intl.NumberFormat().format(1)", "String(Date.prototype.constructor.now())",
                           "String(new (Date.prototype.constructor)(0).getTimezoneOffset())",
                           "String(typeof WeakRef)"}) {
    write("stacks/dev.js", std::string("stack('dev');\ncomponent('app', 'm', { inputs: { name: ") + expr +
                               " } });\n");
    JsLoadStats s1, s2;
    load(s1);
    load(s2);
    EXPECT_EQ(s2.reused, 0u) << expr;
  }
  // Dates built from fixed values still work as in JS (only reuse is off).
  write("stacks/dev.js",
        "stack('dev');\ncomponent('app', 'm', { inputs: { name: String(new Date(Date.UTC(2020, 0, 2)).getUTCDate()) "
        "} });\n");
  JsLoadStats s;
  EXPECT_EQ(name_input(s), "2");
}

TEST_F(JsCacheTest, WarningsAboutAFileShowOnEveryRun) {
  write("stacks/dev.js", "stack('dev');\ncomponent('app', 'm', { inputs: { name: 'x' } });\nappend('outputs', ['x']);\n");
  JsLoadStats s1, s2;
  load(s1);
  load(s2);
  EXPECT_EQ(s2.reused, 0u);
  ASSERT_EQ(logged_.size(), 2u);
  EXPECT_EQ(logged_[0], logged_[1]);
}

TEST_F(JsCacheTest, PrintingFilesPrintAgainOnEveryRun) {
  write("stacks/dev.js", "console.log('hello');\nstack('dev');\ncomponent('app', 'm', { inputs: { name: 'x' } });\n");
  JsLoadStats s1, s2;
  load(s1);
  load(s2);
  EXPECT_EQ(s2.reused, 0u);
  EXPECT_EQ(logged_, (std::vector<std::string>{"hello", "hello"}));
}

TEST_F(JsCacheTest, AFileUsingSecretsIsReusedAndHoldsOnlyTheirReferences) {
  write("stacks/dev.js",
        "stack('dev');\ncomponent('app', 'm', { inputs: { name: 'x', password: secrets('sops://s.enc.yaml#/db') } });\n");
  JsLoadStats s1, s2;
  auto stacks = load(s1);
  const std::string reference = "{{ secret `sops://s.enc.yaml#/db` }}";
  EXPECT_EQ(stacks.at("dev").components.at(0).inputs.find("password")->as_string(), reference);
  stacks = load(s2);
  EXPECT_EQ(s2.reused, 1u);  // nothing was decrypted, so the result can be kept
  EXPECT_EQ(stacks.at("dev").components.at(0).inputs.find("password")->as_string(), reference);
}

TEST_F(JsCacheTest, EntriesOfDeletedStackFilesAreRemoved) {
  write("stacks/dev.js", kStack);
  write("stacks/lib/naming.js", "module.exports.name = (n) => `acme-${n}`;\n");
  write("stacks/old.js", "stack('old');\n");
  JsLoadStats s1, s2;
  load(s1);
  auto entries = [&] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_.file(".strata/.cache/js"))) n += e.path().extension() == ".bin";
    return n;
  };
  EXPECT_EQ(entries(), 3u);
  fs::remove(dir_.file("stacks/old.js"));
  load(s2);
  EXPECT_EQ(entries(), 2u);
  EXPECT_EQ(s2.reused, 2u);
}

TEST_F(JsCacheTest, ACorruptOrForeignEntryIsIgnored) {
  write("stacks/dev.js", kStack);
  write("stacks/lib/naming.js", "module.exports.name = (n) => `acme-${n}`;\n");
  JsLoadStats s1, s2, s3;
  load(s1);
  for (const auto& entry : fs::directory_iterator(dir_.file(".strata/.cache/js"))) {
    std::string bytes = read_file(entry.path().string());
    std::ofstream(entry.path()) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_EQ(name_input(s2), "acme-app");
  EXPECT_EQ(s2.reused, 0u);
  // Entries written for another identity (another strata build, another root) are not used.
  ResultCache other(dir_.file(".strata/.cache/js"), "root /elsewhere");
  EXPECT_FALSE(other.lookup(dir_.file("stacks/dev.js")));
  ResultCache same(dir_.file(".strata/.cache/js"), "root " + dir_.path());
  EXPECT_TRUE(same.lookup(dir_.file("stacks/dev.js")));
}

}  // namespace
}  // namespace strata::js
