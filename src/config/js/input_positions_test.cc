#include "config/js/input_positions.h"

#include <gtest/gtest.h>

namespace strata::js {
namespace {

std::string where(const std::map<std::string, SourcePosition>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "none" : std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
}

TEST(InputPositions, KeysOfTheInputsObjectOrOfTheRestOfTheConfig) {
  const std::string src =
      "stack('s');\n"
      "const a = component('a', 'm', {\n"
      "  inputs: {\n"
      "    name: `x-${ {b: 1}.b }`, // a brace } in a comment\n"
      "    'quoted-key': \"}\",\n"
      "    nested: { name: 2 },\n"
      "    short,\n"
      "    ...extra,\n"
      "    [computed]: 1,\n"
      "    last: 3\n"
      "  },\n"
      "  providers: { aws: {} },\n"
      "});\n"
      "component('b', 'm', { size: 1, /* { */ region: 'eu', depends_on: [a] });\n"
      "component('c', 'm', config);\n";
  auto a = component_input_positions(src, 2, 11);
  EXPECT_EQ(where(a, "name"), "4:5");
  EXPECT_EQ(where(a, "quoted-key"), "5:5");
  EXPECT_EQ(where(a, "nested"), "6:5");
  EXPECT_EQ(where(a, "short"), "7:5");
  EXPECT_EQ(where(a, "last"), "10:5");
  EXPECT_EQ(a.size(), 5u) << "no providers, no nested keys, no spread or computed keys";
  auto b = component_input_positions(src, 14, 1);
  EXPECT_EQ(where(b, "size"), "14:23");
  EXPECT_EQ(where(b, "region"), "14:40");
  EXPECT_TRUE(component_input_positions(src, 15, 1).empty());  // a config built elsewhere
  EXPECT_TRUE(component_input_positions(src, 99, 1).empty());
  EXPECT_TRUE(component_input_positions("component('x', 'm', {a: 'unterminated", 1, 1).size() <= 1);
}

}  // namespace
}  // namespace strata::js
