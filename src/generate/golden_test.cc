// Golden-file tests: each folder under tests/data/generate/ is a case, and a test of its own,
// with a case.json (the resolved component), a module/ folder and the expected/ workdir tree,
// compared byte for byte; a folder without case.json or expected/ fails, naming it.
// STRATA_UPDATE_GOLDEN=1 rewrites expected/ from the current output (review the diff!).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "../../tests/support/conformance.h"
#include "../../tests/support/data_cases.h"
#include "../../tests/support/golden_tree.h"
#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "generate/workdir.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

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
    if (const Value* v = k->find("versioned_extension")) f.versioned_extension = v->as_string();
  }
  return f;
}

std::string cases_dir() { return testing::source_dir() + "/tests/data/generate"; }

TEST(GenerateGoldenTest, TheCaseFolderHoldsCases) {
  ASSERT_TRUE(fs::is_directory(cases_dir())) << cases_dir();
  EXPECT_FALSE(testing::data_cases(cases_dir(), testing::is_case_folder).empty()) << cases_dir();
}

// One test per folder: GenerateGoldenTest/Case.MatchesItsExpectedTree/comet_style.
class GenerateGoldenCase : public ::testing::TestWithParam<testing::DataCase> {};

TEST_P(GenerateGoldenCase, MatchesItsExpectedTree) {
  const std::string dir = GetParam().path;
  // Every folder is a case: one without case.json or expected/ is a mistake, not a skip.
  ASSERT_TRUE(fs::is_regular_file(dir + "/case.json"))
      << "case " << GetParam().relative << " has no case.json";
  if (!std::getenv("STRATA_UPDATE_GOLDEN")) {
    ASSERT_TRUE(fs::is_directory(dir + "/expected"))
        << "case " << GetParam().relative
        << " has no expected/ tree (STRATA_UPDATE_GOLDEN=1 writes it)";
  }
  TempDir tmp;
  ComponentFiles files = load_case(dir, tmp.path());
  ModuleCache cache;
  GenerateResult r = generate_workdir(files, cache);
  testing::Tree actual = testing::read_golden_tree(r.workdir);
  Value c = parse_json_text(read_file(dir + "/case.json"));
  if (const Value* env = c.find("expect_env")) {
    Value got = Value::map();
    for (const auto& [k, v] : r.sensitive_env) got.set(k, v);
    EXPECT_EQ(to_json_text(got, -1), to_json_text(*env, -1));
  }
  testing::expect_golden_tree(actual, dir + "/expected");
}

INSTANTIATE_TEST_SUITE_P(Cases, GenerateGoldenCase,
                         ::testing::ValuesIn(testing::data_cases(cases_dir(),
                                                                 testing::is_case_folder)),
                         testing::data_case_name);

}  // namespace
}  // namespace strata
