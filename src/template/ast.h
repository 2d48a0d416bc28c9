// The parse tree of a template, shaped like Go's text/template/parse: a list of nodes (text,
// actions, control structures), pipelines made of commands, commands made of operands.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "template/val.h"

namespace strata::tpl {

struct FuncDef;
struct Pipe;

// One operand of a command: a literal, `.`, `.a.b`, `$x.a`, a function name or `( pipeline )`,
// optionally followed by a field chain (`(pipeline).a.b`).
struct Operand {
  enum class Kind { kDot, kField, kVariable, kFunction, kString, kNumber, kBool, kNil, kPipe };
  Kind kind = Kind::kNil;
  size_t pos = 0;
  size_t end = 0;                   // source span [pos, end) for error context
  size_t chain_pos = 0;             // where Go places a field chain (its first chained field)
  std::string name;                 // variable name ("$x") or function name
  std::vector<std::string> fields;  // the field chain after the term
  const FuncDef* func = nullptr;    // resolved at parse time for kFunction
  // Literals. Numbers follow Go's NumberNode: a constant may be usable as int and as float.
  std::string text;  // string value, or the number's source text
  bool bool_value = false;
  bool is_int = false, is_float = false;
  bool float_typed = false;  // as interface{} the constant is a float64 (has . e or p)
  int64_t int_value = 0;
  double float_value = 0;
  std::unique_ptr<Pipe> pipe;
};

struct Command {
  size_t pos = 0;
  size_t end = 0;
  std::vector<Operand> args;
};

struct Pipe {
  size_t pos = 0;
  size_t end = 0;
  bool is_assign = false;          // `$x = ...` rather than `$x := ...`
  std::vector<std::string> decl;   // declared or assigned variables
  std::vector<Command> cmds;
};

struct ListNode;

struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith, kTemplate, kBreak, kContinue };
  Kind kind = Kind::kText;
  size_t pos = 0;
  size_t end = 0;
  size_t open = 0;   // kAction: where its "{{" starts (end is just past its "}}")
  std::string text;  // kText: the text; kTemplate: the template name
  std::unique_ptr<Pipe> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;
};

struct ListNode {
  std::vector<Node> nodes;
};

// A parsed template text: the root list plus every {{define}}/{{block}} found in it.
struct ParsedTemplate {
  std::string text;
  ListNode root;
  std::map<std::string, std::unique_ptr<ListNode>> defines;
};

}  // namespace strata::tpl
