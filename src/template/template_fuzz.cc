// libFuzzer target: any input must parse and render to a result or a strata::Error, never a
// crash, a hang or unbounded memory. The first line (if any) is JSON data, the rest the template.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/error.h"
#include "template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  strata::Value tree;
  std::string text = input;
  if (nl != std::string::npos) {
    try {
      tree = strata::parse_json_text(input.substr(0, nl));
      text = input.substr(nl + 1);
    } catch (const strata::Error&) {
    }
  }
  strata::tpl::RenderOptions options;
  options.limits.max_output = 1 << 20;
  options.limits.max_depth = 50;
  options.missing_key = strata::tpl::MissingKey::kDefault;
  try {
    strata::tpl::Renderer renderer(tree, nullptr, options);
    renderer.render_value(text);
  } catch (const strata::Error&) {
  }
  try {
    strata::tpl::find_state_calls(text);
  } catch (const strata::Error&) {
  }
  return 0;
}
