#include "config/dotenv.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace strata::config {
namespace {

TEST(Dotenv, ParsesGodotenvSyntax) {
  auto vars = parse_dotenv(
      "# comment\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "SPACED = padded   # trailing comment\n"
      "SINGLE='literal $HOME \\n'\n"
      "DOUBLE=\"line1\\nline2 \\\"q\\\"\"\n"
      "EXPANDED=${PLAIN}-$HOME\n"
      "MULTI=\"a\nb\"\n"
      "EMPTY=\n",
      ".env", {{"HOME", "/home/me"}});
  EXPECT_EQ(vars.at("PLAIN"), "value");
  EXPECT_EQ(vars.at("EXPORTED"), "yes");
  EXPECT_EQ(vars.at("SPACED"), "padded");
  EXPECT_EQ(vars.at("SINGLE"), "literal $HOME \\n");
  EXPECT_EQ(vars.at("DOUBLE"), "line1\nline2 \"q\"");
  EXPECT_EQ(vars.at("EXPANDED"), "value-/home/me");
  EXPECT_EQ(vars.at("MULTI"), "a\nb");
  EXPECT_EQ(vars.at("EMPTY"), "");
  EXPECT_EQ(vars.size(), 8u);
}

TEST(Dotenv, BadLineNamesItsPosition) {
  try {
    parse_dotenv("A=1\n\nthis is not a variable\n", ".env.local", {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), ".env.local:3:6");
    EXPECT_EQ(e.message(), "expected NAME=value");
  }
  EXPECT_THROW(parse_dotenv("A=\"open\n", ".env", {}), Error);
}

}  // namespace
}  // namespace strata::config
