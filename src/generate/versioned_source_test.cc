#include "generate/versioned_source.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace strata {
namespace {

TEST(VersionedSourceTest, OnlySourceLinesAreRendered) {
  Value data = parse_json_text(R"({"vpc": {"module_version": "v2.0.0-rc"}, "ws": [{"name": "a"}]})");
  std::string in =
      "module \"vpc\" {\n"
      "  source  = \"git::https://example.com/vpc.git?ref={{vpc.module_version}}\"\n"
      "  version = \"{{vpc.module_version}}\"\n"
      "  source_ws = \"{{ws.0.name}}\"\n"
      "}\n";
  EXPECT_EQ(render_versioned_source(in, data, "main.tf.versioned"),
            "module \"vpc\" {\n"
            "  source  = \"git::https://example.com/vpc.git?ref=v2.0.0-rc\"\n"
            "  version = \"{{vpc.module_version}}\"\n"
            "  source_ws = \"a\"\n"
            "}\n");
}

TEST(VersionedSourceTest, MissingKeyNamesFileLineAndKey) {
  Value data = parse_json_text(R"({"vpc": {}})");
  try {
    render_versioned_source("# x\n  source = \"x?ref={{vpc.module_version}}\"\n", data, "main.tf.versioned");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "main.tf.versioned:2:19");
    EXPECT_NE(e.message().find("\"vpc.module_version\" not found"), std::string::npos);
    EXPECT_NE(e.message().find("source = \"x?ref={{vpc.module_version}}\""), std::string::npos);
  }
}

}  // namespace
}  // namespace strata
