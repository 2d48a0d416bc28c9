#include "sim_module.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tofu_sim {

namespace {

namespace fs = std::filesystem;
using strata::Diagnostics;

const char* kUnsupportedHint =
    "tofu-sim understands literals, lists, objects, var.NAME, terraform_data.X.output/.input "
    "and \"${...}\" templates of those; use real Terraform for anything else";

// ---- Lexer --------------------------------------------------------------------------------

enum class Tok { kIdent, kNumber, kString, kPunct, kNewline, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, number text, punct; kString: the raw inside of the quotes
  Origin origin;
  bool heredoc = false;
};

class Lexer {
 public:
  Lexer(const std::string& text, Origin start, Diagnostics& diags)
      : text_(text), origin_(std::move(start)), diags_(diags) {
    if (origin_.line == 0) origin_ = origin_.at(1, 1);
    line_ = origin_.line;
    col_ = origin_.column;
  }

  std::vector<Token> run() {
    std::vector<Token> out;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      Origin here = origin_.at(line_, col_);
      if (c == '\n') {
        out.push_back({Tok::kNewline, "\n", here});
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        advance(2);
        while (pos_ < text_.size() && !(text_[pos_] == '*' && peek(1) == '/')) advance();
        advance(2);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::string id;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                       text_[pos_] == '_' || text_[pos_] == '-')) {
          id += text_[pos_];
          advance();
        }
        out.push_back({Tok::kIdent, id, here});
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::string num;
        while (pos_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                text_[pos_] == 'e' || text_[pos_] == 'E' ||
                ((text_[pos_] == '+' || text_[pos_] == '-') && !num.empty() &&
                 (num.back() == 'e' || num.back() == 'E')))) {
          num += text_[pos_];
          advance();
        }
        out.push_back({Tok::kNumber, num, here});
      } else if (c == '"') {
        out.push_back(lex_string(here));
      } else if (c == '<' && peek(1) == '<') {
        out.push_back(lex_heredoc(here));
      } else {
        std::string p(1, c);
        static const char* kTwo[] = {"==", "!=", "<=", ">=", "&&", "||", "=>", "..."};
        for (const char* two : kTwo) {
          if (text_.compare(pos_, std::strlen(two), two) == 0) p = two;
        }
        advance(p.size());
        out.push_back({Tok::kPunct, p, here});
      }
    }
    out.push_back({Tok::kNewline, "\n", origin_.at(line_, col_)});
    out.push_back({Tok::kEnd, "", origin_.at(line_, col_)});
    return out;
  }

 private:
  char peek(size_t n) const { return pos_ + n < text_.size() ? text_[pos_ + n] : '\0'; }
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < text_.size(); ++i) {
      if (text_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++pos_;
    }
  }

  // Keeps the raw text between the quotes; templates are parsed later. Tracks ${ } nesting so a
  // quote inside an interpolation does not end the string.
  Token lex_string(const Origin& here) {
    advance();
    std::string raw;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\') {
        raw += c;
        raw += peek(1);
        advance(2);
        continue;
      }
      if (c == '"' && depth == 0) break;
      if (c == '\n' && depth == 0) break;
      if (c == '$' && peek(1) == '{') {
        ++depth;
        raw += "${";
        advance(2);
        continue;
      }
      if (c == '}' && depth > 0) --depth;
      raw += c;
      advance();
    }
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      diags_.error(here, "unterminated string", "add the closing quote");
    } else {
      advance();
    }
    return {Tok::kString, raw, here};
  }

  Token lex_heredoc(const Origin& here) {
    advance(2);
    bool indent = false;
    if (peek(0) == '-') {
      indent = true;
      advance();
    }
    std::string marker;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      marker += text_[pos_];
      advance();
    }
    advance();
    std::vector<std::string> lines;
    bool closed = false;
    while (pos_ < text_.size()) {
      std::string line;
      while (pos_ < text_.size() && text_[pos_] != '\n') {
        line += text_[pos_];
        advance();
      }
      advance();
      std::string trimmed = line;
      trimmed.erase(0, trimmed.find_first_not_of(" \t"));
      if (trimmed == marker) {
        closed = true;
        break;
      }
      lines.push_back(line);
    }
    if (!closed) diags_.error(here, "unterminated heredoc <<" + marker, "end it with " + marker);
    if (indent) {
      size_t min_indent = std::string::npos;
      for (const auto& l : lines) {
        size_t n = l.find_first_not_of(" \t");
        if (n != std::string::npos) min_indent = std::min(min_indent, n);
      }
      if (min_indent != std::string::npos) {
        for (auto& l : lines) l = l.size() >= min_indent ? l.substr(min_indent) : "";
      }
    }
    std::string body;
    for (const auto& l : lines) body += l + "\n";
    Token t{Tok::kString, body, here};
    t.heredoc = true;
    return t;
  }

  const std::string& text_;
  Origin origin_;
  Diagnostics& diags_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
};

// ---- Expressions --------------------------------------------------------------------------

struct ParseFailure {};

class ExprParser {
 public:
  ExprParser(const std::vector<Token>& toks, size_t begin, size_t end, Diagnostics& diags)
      : toks_(toks), pos_(begin), end_(end), diags_(diags) {}

  // Parses exactly the token range; reports anything left over as unsupported.
  std::optional<Expr> parse_all() {
    try {
      skip_newlines();
      Expr e = parse_expr();
      skip_newlines();
      if (pos_ < end_) unsupported(toks_[pos_]);
      return e;
    } catch (const ParseFailure&) {
      return std::nullopt;
    }
  }

 private:
  const Token& cur() const { return pos_ < end_ ? toks_[pos_] : toks_[end_ - 1]; }
  bool at_punct(const char* p) const {
    return pos_ < end_ && cur().kind == Tok::kPunct && cur().text == p;
  }
  void skip_newlines() {
    while (pos_ < end_ && cur().kind == Tok::kNewline) ++pos_;
  }
  [[noreturn]] void unsupported(const Token& t) {
    diags_.error(t.origin, "unsupported expression at \"" + t.text + "\" (tofu-sim)",
                 kUnsupportedHint);
    throw ParseFailure{};
  }
  [[noreturn]] void expected(const char* what) {
    diags_.error(cur().origin, std::string("expected ") + what + ", found \"" + cur().text + "\"",
                 "check the syntax here");
    throw ParseFailure{};
  }
  void expect(const char* p) {
    if (!at_punct(p)) expected(p);
    ++pos_;
  }

  Expr parse_expr() {
    Expr e = parse_primary();
    while (pos_ < end_) {
      if (at_punct(".") && e.kind == Expr::Kind::kRef) {
        ++pos_;
        if (cur().kind != Tok::kIdent && cur().kind != Tok::kNumber) expected("attribute name");
        e.path.push_back(cur().text);
        ++pos_;
      } else if (at_punct("[") && e.kind == Expr::Kind::kRef) {
        ++pos_;
        Expr index = parse_expr();
        expect("]");
        if (index.kind != Expr::Kind::kLiteral) unsupported(toks_[pos_ - 1]);
        e.path.push_back(index.literal.is_string() ? index.literal.as_string()
                                                   : index.literal.as_number().text());
      } else {
        break;
      }
    }
    return e;
  }

  Expr parse_primary() {
    skip_newlines();
    if (pos_ >= end_) expected("an expression");
    const Token& t = cur();
    Expr e;
    e.origin = t.origin;
    if (t.kind == Tok::kNumber) {
      ++pos_;
      e.literal = Value(strata::Number(t.text));
      return e;
    }
    if (t.kind == Tok::kString) {
      ++pos_;
      return parse_template(t.text, t.origin, diags_, t.heredoc);
    }
    if (t.kind == Tok::kPunct && t.text == "-" && pos_ + 1 < end_ &&
        toks_[pos_ + 1].kind == Tok::kNumber) {
      pos_ += 2;
      e.literal = Value(strata::Number("-" + toks_[pos_ - 1].text));
      return e;
    }
    if (t.kind == Tok::kIdent) {
      ++pos_;
      if (t.text == "true" || t.text == "false") {
        e.literal = Value(t.text == "true");
        return e;
      }
      if (t.text == "null") return e;
      if (at_punct("(")) {
        ++pos_;
        e.kind = Expr::Kind::kCall;
        e.name = t.text;
        skip_newlines();
        while (!at_punct(")")) {
          e.items.push_back(parse_expr());
          skip_newlines();
          if (at_punct(",")) ++pos_;
          skip_newlines();
          if (pos_ >= end_) expected(")");
        }
        ++pos_;
        return e;
      }
      e.kind = Expr::Kind::kRef;
      e.path.push_back(t.text);
      return e;
    }
    if (t.kind == Tok::kPunct && t.text == "[") {
      ++pos_;
      e.kind = Expr::Kind::kList;
      skip_newlines();
      while (!at_punct("]")) {
        e.items.push_back(parse_expr());
        skip_newlines();
        if (at_punct(",")) ++pos_;
        skip_newlines();
        if (pos_ >= end_) expected("]");
      }
      ++pos_;
      return e;
    }
    if (t.kind == Tok::kPunct && t.text == "{") {
      ++pos_;
      e.kind = Expr::Kind::kObject;
      skip_newlines();
      while (!at_punct("}")) {
        const Token& k = cur();
        std::string key;
        if (k.kind == Tok::kIdent || k.kind == Tok::kNumber) {
          key = k.text;
        } else if (k.kind == Tok::kString) {
          Expr ke = parse_template(k.text, k.origin, diags_, false);
          if (ke.kind != Expr::Kind::kLiteral) unsupported(k);
          key = ke.literal.as_string();
        } else {
          expected("an object key");
        }
        ++pos_;
        if (at_punct("=") || at_punct(":")) {
          ++pos_;
        } else {
          expected("= or :");
        }
        e.keys.push_back(key);
        e.items.push_back(parse_expr());
        skip_newlines();
        if (at_punct(",")) ++pos_;
        skip_newlines();
        if (pos_ >= end_) expected("}");
      }
      ++pos_;
      return e;
    }
    if (t.kind == Tok::kPunct && t.text == "(") {
      ++pos_;
      Expr inner = parse_expr();
      skip_newlines();
      expect(")");
      return inner;
    }
    unsupported(t);
  }

 public:
  // Splits a string's raw text into literal parts and ${...} interpolations.
  static Expr parse_template(const std::string& raw, const Origin& origin, Diagnostics& diags,
                             bool heredoc) {
    Expr tpl;
    tpl.kind = Expr::Kind::kTemplate;
    tpl.origin = origin;
    std::string lit;
    auto flush = [&] {
      if (lit.empty()) return;
      Expr part;
      part.literal = Value(lit);
      part.origin = origin;
      tpl.items.push_back(std::move(part));
      lit.clear();
    };
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && !heredoc && i + 1 < raw.size()) {
        char n = raw[++i];
        switch (n) {
          case 'n': lit += '\n'; break;
          case 't': lit += '\t'; break;
          case 'r': lit += '\r'; break;
          case '"': lit += '"'; break;
          case '\\': lit += '\\'; break;
          case 'u':
          case 'U': {
            size_t len = n == 'u' ? 4 : 8;
            unsigned long cp = std::stoul(raw.substr(i + 1, len), nullptr, 16);
            i += len;
            if (cp < 0x80) {
              lit += static_cast<char>(cp);
            } else if (cp < 0x800) {
              lit += static_cast<char>(0xC0 | (cp >> 6));
              lit += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
              lit += static_cast<char>(0xE0 | (cp >> 12));
              lit += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              lit += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              lit += static_cast<char>(0xF0 | (cp >> 18));
              lit += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
              lit += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              lit += static_cast<char>(0x80 | (cp & 0x3F));
            }
            break;
          }
          default: lit += '\\'; lit += n;
        }
      } else if ((c == '$' || c == '%') && i + 2 < raw.size() && raw[i + 1] == c &&
                 raw[i + 2] == '{') {
        lit += c;
        lit += '{';
        i += 2;
      } else if (c == '%' && i + 1 < raw.size() && raw[i + 1] == '{') {
        diags.error(origin, "template directives (%{ }) are not supported by tofu-sim",
                    kUnsupportedHint);
        return tpl;
      } else if (c == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
        size_t close = raw.find('}', i + 2);
        if (close == std::string::npos) {
          diags.error(origin, "unterminated ${ in string", "close the interpolation with }");
          return tpl;
        }
        flush();
        std::string inner = raw.substr(i + 2, close - i - 2);
        while (!inner.empty() && (inner.front() == '~' || inner.front() == ' ')) inner.erase(0, 1);
        while (!inner.empty() && (inner.back() == '~' || inner.back() == ' ')) inner.pop_back();
        if (auto e = parse_expression(inner, origin, diags)) tpl.items.push_back(std::move(*e));
        i = close;
      } else {
        lit += c;
      }
    }
    flush();
    // A template with only literal text is a plain string literal.
    if (tpl.items.empty()) {
      Expr s;
      s.literal = Value(std::string());
      s.origin = origin;
      return s;
    }
    if (tpl.items.size() == 1 && tpl.items[0].kind == Expr::Kind::kLiteral &&
        tpl.items[0].literal.is_string()) {
      return tpl.items[0];
    }
    return tpl;
  }

 private:
  const std::vector<Token>& toks_;
  size_t pos_;
  size_t end_;
  Diagnostics& diags_;
};

// ---- Bodies and blocks --------------------------------------------------------------------

struct Attribute {
  std::string name;
  size_t begin = 0, end = 0;  // token range of the expression
  Origin origin;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  std::vector<Attribute> attributes;
  std::vector<Block> blocks;
  Origin origin;
};

class BodyParser {
 public:
  BodyParser(const std::vector<Token>& toks, Diagnostics& diags) : toks_(toks), diags_(diags) {}

  // Reads attributes and blocks until a closing brace (or the end of the file).
  void parse_body(std::vector<Attribute>& attrs, std::vector<Block>& blocks, bool top) {
    while (true) {
      while (cur().kind == Tok::kNewline) ++pos_;
      const Token& t = cur();
      if (t.kind == Tok::kEnd) {
        if (!top) diags_.error(t.origin, "missing } at the end of a block", "close the block");
        return;
      }
      if (t.kind == Tok::kPunct && t.text == "}") {
        if (top) {
          diags_.error(t.origin, "unexpected }", "remove it or open a block before it");
          ++pos_;
          continue;
        }
        ++pos_;
        return;
      }
      if (t.kind != Tok::kIdent) {
        diags_.error(t.origin, "expected an attribute or block, found \"" + t.text + "\"",
                     "an argument is written `name = value`, a block `type \"label\" { ... }`");
        skip_line();
        continue;
      }
      ++pos_;
      if (cur().kind == Tok::kPunct && cur().text == "=") {
        ++pos_;
        Attribute a{t.text, pos_, pos_, t.origin};
        skip_expression();
        a.end = pos_;
        attrs.push_back(a);
        continue;
      }
      Block b;
      b.type = t.text;
      b.origin = t.origin;
      while (cur().kind == Tok::kString || cur().kind == Tok::kIdent) {
        b.labels.push_back(cur().text);
        ++pos_;
      }
      if (!(cur().kind == Tok::kPunct && cur().text == "{")) {
        diags_.error(cur().origin, "expected { to open block \"" + b.type + "\"",
                     "write `" + b.type + " \"label\" { ... }`");
        skip_line();
        continue;
      }
      ++pos_;
      parse_body(b.attributes, b.blocks, false);
      blocks.push_back(std::move(b));
    }
  }

 private:
  const Token& cur() const { return toks_[std::min(pos_, toks_.size() - 1)]; }

  void skip_line() {
    while (cur().kind != Tok::kNewline && cur().kind != Tok::kEnd) ++pos_;
  }

  // An expression ends at a newline outside brackets, or at the block's closing brace.
  void skip_expression() {
    int depth = 0;
    while (cur().kind != Tok::kEnd) {
      const Token& t = cur();
      if (t.kind == Tok::kNewline && depth == 0) return;
      if (t.kind == Tok::kPunct) {
        if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
        if (t.text == ")" || t.text == "]" || t.text == "}") {
          if (depth == 0) return;
          --depth;
        }
      }
      ++pos_;
    }
  }

  const std::vector<Token>& toks_;
  Diagnostics& diags_;
  size_t pos_ = 0;
};

std::optional<Expr> attribute_expr(const std::vector<Token>& toks, const Attribute& a,
                                   Diagnostics& diags) {
  if (a.begin == a.end) {
    diags.error(a.origin, "attribute \"" + a.name + "\" has no value", "write name = value");
    return std::nullopt;
  }
  return ExprParser(toks, a.begin, a.end, diags).parse_all();
}

const Attribute* find_attr(const Block& b, const std::string& name) {
  for (const auto& a : b.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// Evaluates a constant expression (no references) into a Value; used for backend config,
// sensitive flags and provisioner commands.
std::optional<Value> constant_value(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal;
    case Expr::Kind::kList: {
      Value out = Value::list();
      for (const auto& i : e.items) {
        auto v = constant_value(i);
        if (!v) return std::nullopt;
        out.push(*v);
      }
      return out;
    }
    case Expr::Kind::kObject: {
      Value out = Value::map();
      for (size_t i = 0; i < e.keys.size(); ++i) {
        auto v = constant_value(e.items[i]);
        if (!v) return std::nullopt;
        out.set(e.keys[i], *v);
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

bool bool_attr(const std::vector<Token>& toks, const Block& b, const char* name,
               Diagnostics& diags) {
  const Attribute* a = find_attr(b, name);
  if (!a) return false;
  auto e = attribute_expr(toks, *a, diags);
  if (!e) return false;
  auto v = constant_value(*e);
  if (!v || !v->is_bool()) {
    diags.error(a->origin, std::string("\"") + name + "\" must be true or false",
                "write " + std::string(name) + " = true");
    return false;
  }
  return v->as_bool();
}

void check_labels(const Block& b, size_t n, Diagnostics& diags) {
  if (b.labels.size() != n) {
    diags.error(b.origin,
                "block \"" + b.type + "\" needs " + std::to_string(n) + " label(s), has " +
                    std::to_string(b.labels.size()),
                n == 1 ? "write " + b.type + " \"name\" { ... }"
                       : "write " + b.type + " \"type\" \"name\" { ... }");
  }
}

void read_resource(const std::vector<Token>& toks, const Block& b, Module& module,
                   Diagnostics& diags) {
  check_labels(b, 2, diags);
  if (b.labels.size() != 2) return;
  Resource r;
  r.type = b.labels[0];
  r.name = b.labels[1];
  r.origin = b.origin;
  for (const auto& a : b.attributes) {
    auto e = attribute_expr(toks, a, diags);
    if (!e) continue;
    if (a.name == "depends_on") {
      for (const auto& item : e->items) {
        std::string addr;
        for (const auto& p : item.path) addr += (addr.empty() ? "" : ".") + p;
        r.depends_on.push_back(addr);
      }
      continue;
    }
    if (a.name == "count" || a.name == "for_each") {
      diags.error(a.origin, "\"" + a.name + "\" is not supported by tofu-sim", kUnsupportedHint);
      continue;
    }
    r.attributes.emplace(a.name, std::move(*e));
  }
  for (const auto& sub : b.blocks) {
    if (sub.type != "provisioner") continue;
    Provisioner p;
    p.type = sub.labels.empty() ? "" : sub.labels[0];
    p.origin = sub.origin;
    if (const Attribute* cmd = find_attr(sub, "command")) {
      auto e = attribute_expr(toks, *cmd, diags);
      auto v = e ? constant_value(*e) : std::nullopt;
      if (v && v->is_string()) {
        p.command = v->as_string();
      } else if (e) {
        diags.error(cmd->origin, "tofu-sim runs only constant local-exec commands",
                    kUnsupportedHint);
      }
    }
    if (const Attribute* when = find_attr(sub, "when")) {
      auto e = attribute_expr(toks, *when, diags);
      if (e && e->kind == Expr::Kind::kRef && !e->path.empty()) p.when = e->path[0];
    }
    r.provisioners.push_back(std::move(p));
  }
  if (module.find_resource(r.address())) {
    diags.error(b.origin, "duplicate resource \"" + r.address() + "\"",
                "each resource needs a unique type and name");
    return;
  }
  module.resources.push_back(std::move(r));
}

void read_blocks(const std::vector<Token>& toks, const std::vector<Block>& blocks, Module& module,
                 Diagnostics& diags) {
  for (const auto& b : blocks) {
    if (b.type == "variable") {
      check_labels(b, 1, diags);
      if (b.labels.size() != 1) continue;
      Variable v;
      v.name = b.labels[0];
      v.origin = b.origin;
      if (const Attribute* a = find_attr(b, "type")) v.type = attribute_expr(toks, *a, diags);
      if (const Attribute* a = find_attr(b, "default")) {
        v.default_value = attribute_expr(toks, *a, diags);
      }
      v.sensitive = bool_attr(toks, b, "sensitive", diags);
      if (module.variables.count(v.name)) {
        diags.error(b.origin, "duplicate variable \"" + v.name + "\"", "remove one of them");
        continue;
      }
      module.variables.emplace(v.name, std::move(v));
    } else if (b.type == "output") {
      check_labels(b, 1, diags);
      if (b.labels.size() != 1) continue;
      Output o;
      o.name = b.labels[0];
      o.origin = b.origin;
      const Attribute* value = find_attr(b, "value");
      if (!value) {
        diags.error(b.origin, "output \"" + o.name + "\" has no value",
                    "add value = ... to the output block");
        continue;
      }
      auto e = attribute_expr(toks, *value, diags);
      if (!e) continue;
      o.value = std::move(*e);
      o.sensitive = bool_attr(toks, b, "sensitive", diags);
      if (module.outputs.count(o.name)) {
        diags.error(b.origin, "duplicate output \"" + o.name + "\"", "remove one of them");
        continue;
      }
      module.outputs.emplace(o.name, std::move(o));
    } else if (b.type == "resource") {
      read_resource(toks, b, module, diags);
    } else if (b.type == "terraform") {
      for (const auto& sub : b.blocks) {
        if (sub.type != "backend") continue;
        BackendBlock be;
        be.type = sub.labels.empty() ? "" : sub.labels[0];
        be.origin = sub.origin;
        for (const auto& a : sub.attributes) {
          auto e = attribute_expr(toks, a, diags);
          auto v = e ? constant_value(*e) : std::nullopt;
          if (v) be.config.set(a.name, *v);
        }
        if (module.backend) {
          diags.error(sub.origin, "duplicate backend configuration",
                      "a module has one backend block");
        }
        module.backend = std::move(be);
      }
    }
    // provider, locals, data, module, check, import, moved...: not modelled.
  }
}

// ---- JSON syntax --------------------------------------------------------------------------

Expr json_expr(const Value& v, const Origin& origin, Diagnostics& diags) {
  Expr e;
  e.origin = origin;
  if (v.is_string()) {
    return ExprParser::parse_template(v.as_string(), origin, diags, true);
  }
  if (v.is_list()) {
    e.kind = Expr::Kind::kList;
    for (const auto& i : v.as_list()) e.items.push_back(json_expr(i, origin, diags));
    return e;
  }
  if (v.is_map()) {
    e.kind = Expr::Kind::kObject;
    for (const auto& [k, i] : v.as_map()) {
      e.keys.push_back(k);
      e.items.push_back(json_expr(i, origin, diags));
    }
    return e;
  }
  e.literal = v;
  return e;
}

// JSON blocks may be an object or a list of objects.
template <typename F>
void each_object(const Value& v, F f) {
  if (v.is_map()) f(v);
  if (v.is_list()) {
    for (const auto& i : v.as_list()) {
      if (i.is_map()) f(i);
    }
  }
}

}  // namespace

bool Expr::is_constant() const {
  if (kind == Kind::kRef || kind == Kind::kCall) return false;
  for (const auto& i : items) {
    if (!i.is_constant()) return false;
  }
  return true;
}

void Expr::collect_references(std::vector<std::string>& out) const {
  if (kind == Kind::kRef) {
    auto add = [&](const std::string& r) {
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
    };
    if (path.size() >= 2 && (path[0] == "var" || path[0] == "local")) {
      add(path[0] + "." + path[1]);
    } else if (path.size() >= 2) {
      std::string full;
      for (const auto& p : path) full += (full.empty() ? "" : ".") + p;
      if (path.size() > 2) add(full);
      add(path[0] + "." + path[1]);
    }
  }
  for (const auto& i : items) i.collect_references(out);
}

const Resource* Module::find_resource(const std::string& address) const {
  for (const auto& r : resources) {
    if (r.address() == address) return &r;
  }
  return nullptr;
}

void parse_hcl(const std::string& text, const std::string& filename, Module& module,
               Diagnostics& diags) {
  auto toks = Lexer(text, Origin(filename, 1, 1), diags).run();
  std::vector<Attribute> attrs;
  std::vector<Block> blocks;
  BodyParser(toks, diags).parse_body(attrs, blocks, true);
  for (const auto& a : attrs) {
    diags.error(a.origin, "unexpected argument \"" + a.name + "\" at the top level",
                "arguments belong inside a block");
  }
  read_blocks(toks, blocks, module, diags);
}

void parse_tf_json(const std::string& text, const std::string& filename, Module& module,
                   Diagnostics& diags) {
  Origin origin(filename, 1, 1);
  Value doc;
  try {
    doc = strata::parse_json_text(text, origin);
  } catch (const strata::Error& e) {
    diags.error(origin, e.message(), "fix the JSON syntax");
    return;
  }
  if (const Value* vars = doc.find("variable")) {
    each_object(*vars, [&](const Value& m) {
      for (const auto& [name, body] : m.as_map()) {
        Variable v;
        v.name = name;
        v.origin = origin;
        if (const Value* d = body.find("default")) {
          Expr e;
          e.literal = *d;  // JSON defaults are literal values, not templates
          e.origin = origin;
          if (d->is_list() || d->is_map()) e = json_expr(*d, origin, diags);
          v.default_value = e;
        }
        if (const Value* t = body.find("type"); t && t->is_string()) {
          v.type = parse_expression(t->as_string(), origin, diags);
        }
        if (const Value* s = body.find("sensitive"); s && s->is_bool()) v.sensitive = s->as_bool();
        module.variables[name] = std::move(v);
      }
    });
  }
  if (const Value* outs = doc.find("output")) {
    each_object(*outs, [&](const Value& m) {
      for (const auto& [name, body] : m.as_map()) {
        Output o;
        o.name = name;
        o.origin = origin;
        if (const Value* val = body.find("value")) o.value = json_expr(*val, origin, diags);
        if (const Value* s = body.find("sensitive"); s && s->is_bool()) o.sensitive = s->as_bool();
        module.outputs[name] = std::move(o);
      }
    });
  }
  if (const Value* res = doc.find("resource")) {
    each_object(*res, [&](const Value& types) {
      for (const auto& [type, named] : types.as_map()) {
        each_object(named, [&](const Value& m) {
          for (const auto& [name, body] : m.as_map()) {
            Resource r;
            r.type = type;
            r.name = name;
            r.origin = origin;
            if (body.is_map()) {
              for (const auto& [attr, v] : body.as_map()) {
                if (attr == "provisioner" || attr == "lifecycle" || attr == "depends_on") continue;
                r.attributes.emplace(attr, json_expr(v, origin, diags));
              }
            }
            module.resources.push_back(std::move(r));
          }
        });
      }
    });
  }
  if (const Value* tf = doc.find("terraform")) {
    each_object(*tf, [&](const Value& m) {
      const Value* be = m.find("backend");
      if (!be) return;
      each_object(*be, [&](const Value& types) {
        for (const auto& [type, config] : types.as_map()) {
          BackendBlock b;
          b.type = type;
          b.origin = origin;
          if (config.is_map()) b.config = config;
          module.backend = std::move(b);
        }
      });
    });
  }
}

std::optional<Expr> parse_expression(const std::string& text, const Origin& origin,
                                     Diagnostics& diags) {
  auto toks = Lexer(text, origin, diags).run();
  size_t end = toks.size() - 1;  // drop kEnd
  return ExprParser(toks, 0, end, diags).parse_all();
}

std::map<std::string, Expr> parse_tfvars(const std::string& text, const std::string& filename,
                                         Diagnostics& diags) {
  auto toks = Lexer(text, Origin(filename, 1, 1), diags).run();
  std::vector<Attribute> attrs;
  std::vector<Block> blocks;
  BodyParser(toks, diags).parse_body(attrs, blocks, true);
  std::map<std::string, Expr> out;
  for (const auto& a : attrs) {
    if (auto e = attribute_expr(toks, a, diags)) out[a.name] = std::move(*e);
  }
  for (const auto& b : blocks) {
    diags.error(b.origin, "blocks are not allowed in a variables file",
                "write name = value lines only");
  }
  return out;
}

Module load_module(const std::string& dir, Diagnostics& diags) {
  Module module;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    if (name.size() > 3 && (name.ends_with(".tf") || name.ends_with(".tf.json"))) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string name = f.filename().string();
    if (name.ends_with(".tf.json")) {
      parse_tf_json(ss.str(), name, module, diags);
    } else {
      parse_hcl(ss.str(), name, module, diags);
    }
  }
  return module;
}

}  // namespace tofu_sim
