// The template engine's front door: render Go text/template + Sprig templates found in strata
// values. Templates are applied to individual string values (never to serialized documents),
// a string that is exactly one action keeps the action's type, and errors point at the value's
// origin plus the position inside the template.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/origin.h"
#include "model/value.h"
#include "template/ast.h"
#include "template/executor.h"
#include "template/functions.h"
#include "template/template_host.h"

namespace strata::tpl {

struct RenderOptions {
  std::string name = "template";  // the template name Go's messages use
  MissingKey missing_key = MissingKey::kError;
  Limits limits;
  // Whether a value's origin is where its text starts in the file (YAML, HCL), so an error
  // moves right to the failing action; a JavaScript value's origin is its component() call.
  bool origin_is_text_start = true;
};

// Parses "missingkey=error|zero|default|invalid" (or just the value) as Go's Option does.
// Throws strata::Error on anything else.
MissingKey parse_missing_key(const std::string& option);

// Parsed templates by text. Thread-safe; bounded (cleared when full).
class TemplateCache {
 public:
  explicit TemplateCache(size_t capacity = 4096) : capacity_(capacity) {}
  // Throws SyntaxError. Shared: eviction must not free a template another thread is rendering.
  std::shared_ptr<const ParsedTemplate> get(const std::string& text);

 private:
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const ParsedTemplate>> items_;
};

// Renders templates against one data tree, converted once.
class Renderer {
 public:
  Renderer(const Value& data, TemplateHost* host, RenderOptions options = {},
           TemplateCache* cache = nullptr);
  Renderer(Val data, TemplateHost* host, RenderOptions options = {}, TemplateCache* cache = nullptr);

  // Go semantics: the text output. *sensitive (if given) is set when a secret or a sensitive
  // value went into the output.
  std::string render(const std::string& text, const Origin& where = {}, bool* sensitive = nullptr);
  // Like render, but a text that is exactly one action yields the action's value with its
  // type (list, map, number, bool); text without "{{" comes back unchanged.
  Value render_value(const std::string& text, const Origin& where = {});
  // Applies render_value to every string leaf of tree, keeping origins (each leaf's own origin
  // is used for its errors) and marking results sensitive where secrets went in.
  Value render_tree(const Value& tree);

 private:
  // `parsed`, when given, receives the parsed template.
  std::string run(const std::string& text, const Origin& where, Val* single, bool* sensitive,
                  std::shared_ptr<const ParsedTemplate>* parsed = nullptr);

  Val data_;
  TemplateHost* host_;
  RenderOptions options_;
  TemplateCache own_cache_;
  TemplateCache* cache_;
};

std::string render(const std::string& text, const Value& data, TemplateHost* host = nullptr,
                   const RenderOptions& options = {}, const Origin& where = {});
Value render_value(const std::string& text, const Value& data, TemplateHost* host = nullptr,
                   const RenderOptions& options = {}, const Origin& where = {});
Value render_tree(const Value& tree, const Value& data, TemplateHost* host = nullptr,
                  const RenderOptions& options = {});

// A `state "STACK" "COMPONENT"` call with literal arguments, for dependency edges.
struct StateCall {
  std::string stack;
  std::string component;
  size_t offset = 0;  // byte offset of `state` in the template
  // The output the call reads, when it is written `(state "S" "C").a.b` wherever it stands: the
  // field chain ("a", "b"). Empty when the call's result is used otherwise.
  std::vector<std::string> fields;
  // Set when the call is a whole action of the template's top level that reads an output,
  // `{{ (state "S" "C").a.b }}` with both names double-quoted (the form provider settings turn
  // into remote-state lookups): the action's span [action_begin, action_end), from its "{{" to
  // just past its "}}", trim markers included.
  size_t action_begin = 0;
  size_t action_end = 0;
  bool whole_action() const { return action_end != 0; }
  bool operator==(const StateCall& o) const { return stack == o.stack && component == o.component; }
};
// Lists the state calls in text: every call in actions, control structures, parenthesised
// pipelines and {{define}}s, but not in comments or string literals (in order of appearance,
// duplicates kept). Calls whose names are not literals cannot be known before rendering and are
// not listed. Throws strata::Error when the template does not parse.
std::vector<StateCall> find_state_calls(const std::string& text, const Origin& where = {});

}  // namespace strata::tpl
