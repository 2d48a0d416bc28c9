// Golden-file tests: each folder under tests/data/generate/ is a case with a case.json (the
// resolved component), a module/ folder and the expected/ workdir tree, compared byte for byte.
// STRATA_UPDATE_GOLDEN=1 rewrites expected/ from the current output (review the diff!).
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include <regex>

#include "../../tests/support/conformance.h"
#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "generate/workdir.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> read_tree(const std::string& root) {
  std::map<std::string, std::string> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = read_file(e.path().string());
  }
  return out;
}

Value mark_sensitive(Value v, const Value& names) {
  if (!names.is_list()) return v;
  for (const auto& n : names.as_list()) {
    if (Value* x = v.find(n.as_string())) x->set_sensitive();
  }
  return v;
}

Backend backend_of(const Value* b) {
  Backend out;
  if (!b) return out;
  out.type = b->find("type") ? b->find("type")->as_string() : "";
  if (const Value* c = b->find("config")) out.config = *c;
  return out;
}

ComponentFiles load_case(const std::string& dir, const std::string& work_root) {
  Value c = parse_json_text(read_file(dir + "/case.json"), Origin(dir + "/case.json"));
  ComponentFiles f;
  f.ref = {c.find("stack")->as_string(), c.find("component")->as_string(), {}};
  f.project_root = dir;
  f.work_root = work_root;
  f.source = c.find("source")->as_string();
  if (const Value* v = c.find("inputs")) f.inputs = mark_sensitive(*v, c.find("sensitive_inputs") ? *c.find("sensitive_inputs") : Value());
  f.backend = backend_of(c.find("backend"));
  if (const Value* v = c.find("generate_backend")) f.generate_backend = v->as_bool();
  if (const Value* v = c.find("providers")) f.providers = *v;
  if (const Value* v = c.find("provider_expressions"))
    for (const auto& e : v->as_list()) f.provider_expressions.insert(e.as_string());
  if (const Value* v = c.find("appends"))
    for (const auto& e : v->as_list()) f.provider_appends.push_back(e.as_string());
  if (const Value* v = c.find("remote_states"))
    for (const auto& e : v->as_list()) f.remote_states.push_back({e.find("name")->as_string(), backend_of(&e)});
  if (const Value* k = c.find("kompos")) {
    f.kompos_style = true;
    if (const Value* v = k->find("config")) f.kompos_config = *v;
    if (const Value* v = k->find("provider_json")) f.provider_json = *v;
    if (const Value* v = k->find("versioned_data")) f.versioned_data = *v;
  }
  return f;
}

TEST(GenerateGoldenTest, EveryCaseMatchesItsExpectedTree) {
  std::string cases = testing::source_dir() + "/tests/data/generate";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!entry.is_directory()) continue;
    std::string dir = entry.path().string();
    SCOPED_TRACE("case " + entry.path().filename().string());
    TempDir tmp;
    ComponentFiles files = load_case(dir, tmp.path());
    ModuleCache cache;
    GenerateResult r = generate_workdir(files, cache);
    auto actual = read_tree(r.workdir);
    // The manifest records each file's mtime, which differs per run: keep path, size and hash.
    if (actual.count(".strata-manifest")) {
      std::string& m = actual[".strata-manifest"];
      m = std::regex_replace(m, std::regex("\t[0-9]+\t([0-9a-f]+)\n"), "\t(mtime)\t$1\n");
    }
    Value c = parse_json_text(read_file(dir + "/case.json"));
    if (const Value* env = c.find("expect_env")) {
      Value got = Value::map();
      for (const auto& [k, v] : r.sensitive_env) got.set(k, v);
      EXPECT_EQ(to_json_text(got, -1), to_json_text(*env, -1));
    }
    if (std::getenv("STRATA_UPDATE_GOLDEN")) {
      fs::remove_all(dir + "/expected");
      for (const auto& [rel, content] : actual) {
        fs::create_directories(fs::path(dir + "/expected/" + rel).parent_path());
        write_file_atomic(dir + "/expected/" + rel, content);
      }
      continue;
    }
    auto expected = read_tree(dir + "/expected");
    std::set<std::string> names;
    for (const auto& [k, v] : actual) names.insert(k);
    for (const auto& [k, v] : expected) names.insert(k);
    for (const auto& n : names) {
      EXPECT_TRUE(actual.count(n)) << "missing generated file " << n;
      EXPECT_TRUE(expected.count(n)) << "unexpected generated file " << n;
      if (actual.count(n) && expected.count(n)) {
        EXPECT_EQ(actual[n], expected[n]) << "file " << n;
      }
    }
    ++count;
  }
  EXPECT_GE(count, 1);
}

}  // namespace
}  // namespace strata
