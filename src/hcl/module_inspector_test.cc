// Module inspection stories, and a cross-check of every reference against oracle-hcl's
// traversal mode on the real terraform-aws-vpc module.
#include "hcl/module_inspector.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "tests/support/conformance.h"

namespace strata::hcl {
namespace {

TEST(HclModuleInspector, ReadsWhatAModuleDeclares) {
  ModuleInfo m = inspect_sources({{"main.tf", R"(
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
variable "cidr" {
  type        = string
  default     = "10.0.0.0/16"
  description = "VPC range"
  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "Must be a CIDR."
  }
}
variable "password" {
  type      = string
  sensitive = true
  nullable  = false
}
provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
data "terraform_remote_state" "network" {
  backend = "local"
}
module "subnets" {
  source  = "./modules/subnets"
  vpc_id  = aws_vpc.this.id
  peer_id = data.terraform_remote_state.network.outputs.vpc_id
}
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}
output "vpc_id" {
  value     = aws_vpc.this.id
  sensitive = true
}
)"}});
  EXPECT_TRUE(m.diagnostics.empty());
  EXPECT_EQ(m.required_core, ">= 1.5");
  ASSERT_EQ(m.required_providers.size(), 1u);
  EXPECT_EQ(m.required_providers[0].source, "hashicorp/aws");
  EXPECT_EQ(m.required_providers[0].version, "~> 5.0");
  ASSERT_EQ(m.variables.size(), 2u);
  EXPECT_EQ(m.variables[0].type, "string");
  EXPECT_EQ(*m.variables[0].default_value, Value("10.0.0.0/16"));
  EXPECT_EQ(m.variables[0].validations, 1);
  EXPECT_EQ(m.variables[0].origin.str(), "main.tf:8:1");
  EXPECT_TRUE(m.variables[1].sensitive);
  EXPECT_FALSE(m.variables[1].has_default);
  EXPECT_EQ(m.variables[1].nullable, false);
  ASSERT_EQ(m.providers.size(), 1u);
  EXPECT_EQ(m.providers[0].alias, "east");
  ASSERT_EQ(m.module_calls.size(), 1u);
  EXPECT_EQ(m.module_calls[0].source, "./modules/subnets");
  ASSERT_EQ(m.module_calls[0].inputs.size(), 2u);
  EXPECT_EQ(m.module_calls[0].inputs[0].refs[0].traversal, "aws_vpc.this.id");
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[0].mode, "data");
  ASSERT_EQ(m.remote_state_refs.size(), 1u);
  EXPECT_EQ(m.remote_state_refs[0].state, "network");
  EXPECT_EQ(m.remote_state_refs[0].output, "vpc_id");
  EXPECT_EQ(m.remote_state_refs[0].used_at, "module.subnets.peer_id");
  EXPECT_EQ(m.remote_state_refs[0].ref.origin.str(), "main.tf:32:13");
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_TRUE(m.outputs[0].sensitive);
  EXPECT_EQ(to_value(m).find("outputs")->as_list()[0].find("references")->as_list().size(), 1u);
}

TEST(HclModuleInspector, ParseErrorsCarryFileLineColumn) {
  ModuleInfo m = inspect_sources({{"bad.tf", "variable \"x\" {\n  default = \n}\n"}});
  ASSERT_TRUE(m.diagnostics.has_errors());
  EXPECT_EQ(m.diagnostics.items()[0].origin.str(), "bad.tf:2:13");
}

TEST(HclModuleInspector, MissingFolderIsAnError) {
  EXPECT_THROW(inspect_module_dir("/nonexistent/module"), Error);
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[65536];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

TEST(HclModuleInspector, ReferencesMatchOracleTraversalMode) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string oracle = std::getenv("STRATA_ORACLE_HCL")
                           ? std::getenv("STRATA_ORACLE_HCL")
                           : std::string(std::getenv("HOME") ? std::getenv("HOME") : "") +
                                 "/.cache/strata-oracles/bin/oracle-hcl";
  if (!std::filesystem::exists(oracle)) {
    if (::strata::testing::in_ci()) FAIL() << "oracle-hcl missing in CI: " << oracle;
    GTEST_SKIP() << "oracle-hcl not found at " << oracle;
  }
  std::string dir = conf + "/hcl-spec/terraform-aws-vpc";
  ModuleInfo m = inspect_module_dir(dir);
  ASSERT_FALSE(m.diagnostics.has_errors());
  std::vector<std::string> mine, theirs;
  for (const auto& a : m.references) {
    for (const auto& r : a.refs) mine.push_back(a.address + " " + r.traversal);
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".tf") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Value out = parse_json_text(run("'" + oracle + "' -mode traversals '" + f + "'"));
    for (const auto& t : out.find("traversals")->as_list()) {
      for (const auto& r : t.find("refs")->as_list()) {
        theirs.push_back(t.find("address")->as_string() + " " + r.find("traversal")->as_string());
      }
    }
  }
  EXPECT_GT(mine.size(), 500u);
  EXPECT_EQ(mine, theirs);
  EXPECT_GT(m.variables.size(), 100u);
  EXPECT_GT(m.outputs.size(), 50u);
}

}  // namespace
}  // namespace strata::hcl
