#include "execute/engine_args.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace strata {
namespace {

using Args = std::vector<std::string>;

std::string refusal(Operation op, const Args& args) {
  try {
    engine_arguments(op, args);
  } catch (const Error& e) {
    return e.render();
  }
  return "";
}

// Flags strata does not set pass through in order; those it sets the same way are dropped, so
// the engine never sees one twice.
TEST(EngineArguments, PassesTheUsersFlagsAndDropsWhatStrataAlreadySets) {
  EXPECT_EQ(engine_arguments(Operation::kPlan, {"-target=terraform_data.x", "-var=n=2", "-input=false", "-json",
                                                "-refresh=false", "--lock-timeout=30s", "-no-color"}),
            (Args{"-target=terraform_data.x", "-var=n=2", "-refresh=false", "--lock-timeout=30s"}));
  EXPECT_EQ(engine_arguments(Operation::kApply, {"-replace=terraform_data.x", "-auto-approve"}),
            (Args{"-replace=terraform_data.x"}));
  EXPECT_EQ(engine_arguments(Operation::kInit, {"-upgrade", "-reconfigure", "-backend-config=key=v"}),
            (Args{"-upgrade", "-backend-config=key=v"}));
  EXPECT_EQ(engine_arguments(Operation::kCustom, {"state", "list"}), (Args{"state", "list"}));
  EXPECT_EQ(engine_arguments(Operation::kPlan, {}), Args{});
}

// What would change how strata drives the engine is refused before anything runs, naming the
// argument and what to do instead.
TEST(EngineArguments, RefusesWhatWouldBreakHowStrataDrivesTheEngine) {
  EXPECT_NE(refusal(Operation::kPlan, {"-out=my.plan"}).find("engine argument -out=my.plan: strata saves each "
                                                             "component's plan itself"),
            std::string::npos);
  EXPECT_NE(refusal(Operation::kPlan, {"-out=my.plan"}).find("strata show"), std::string::npos);
  EXPECT_NE(refusal(Operation::kPlan, {"-input=true"}).find("without prompts"), std::string::npos);
  EXPECT_NE(refusal(Operation::kApply, {"-json=false"}).find("JSON stream"), std::string::npos);
  EXPECT_NE(refusal(Operation::kPlan, {"-chdir=x"}).find("workdir"), std::string::npos);
  EXPECT_NE(refusal(Operation::kPlan, {"-detailed-exitcode"}).find("strata plan --detailed-exitcode"),
            std::string::npos);
  EXPECT_NE(refusal(Operation::kApply, {"tfplan"}).find("engine argument tfplan: not a flag"), std::string::npos);
  EXPECT_NE(refusal(Operation::kApply, {"-auto-approve=false"}).find("--auto-approve"), std::string::npos);
  EXPECT_NE(refusal(Operation::kGenerate, {"-upgrade"}).find("generate runs no engine"), std::string::npos);
  EXPECT_EQ(refusal(Operation::kDestroy, {"-target=a.b", "-lock=false"}), "");
}

}  // namespace
}  // namespace strata
