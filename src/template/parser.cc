#include "template/parser.h"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "template/functions.h"
#include "template/go_format.h"
#include "template/lexer.h"
#include "template/utf8.h"

namespace strata::tpl {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a Go integer literal with base prefixes and underscores (strconv.ParseInt base 0).
bool parse_go_int(std::string t, int64_t& out) {
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t = t.substr(1);
  }
  if (t.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (t.size() > 1 && t[0] == '0') {
    char p = static_cast<char>(t[1] | 0x20);
    if (p == 'x') base = 16, prefixed = true;
    else if (p == 'o') base = 8, prefixed = true;
    else if (p == 'b') base = 2, prefixed = true;
    else base = 8;
  }
  std::string digits = prefixed ? t.substr(2) : t;
  // Underscores only between digits (or after a base prefix).
  std::string clean;
  char prev = prefixed ? '_' : 0;
  if (!prefixed && base == 8) prev = '0';
  for (size_t i = 0; i < digits.size(); ++i) {
    char c = digits[i];
    if (c == '_') {
      if (prev == '_' && !(prefixed && i == 0)) return false;
      if (i == 0 && !prefixed) return false;
      prev = '_';
      continue;
    }
    int d = hex_digit(c);
    if (d < 0 || d >= base) return false;
    clean += c;
    prev = c;
  }
  if (clean.empty() || prev == '_') return false;
  unsigned __int128 v = 0;
  for (char c : clean) {
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(hex_digit(c));
    if (v > (static_cast<unsigned __int128>(1) << 64)) return false;
  }
  if (neg) {
    if (v > (static_cast<unsigned __int128>(1) << 63)) return false;
    out = static_cast<int64_t>(-static_cast<__int128>(v));
  } else {
    if (v > static_cast<unsigned __int128>(INT64_MAX)) return false;
    out = static_cast<int64_t>(v);
  }
  return true;
}

bool unquote_escape(const std::string& s, size_t& i, char quote, std::string& out) {
  // s[i] is the character after the backslash.
  if (i >= s.size()) return false;
  char c = s[i++];
  switch (c) {
    case 'a': out += '\a'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'v': out += '\v'; return true;
    case '\\': out += '\\'; return true;
    case '\'':
    case '"':
      if (c != quote) return false;
      out += c;
      return true;
    case 'x': case 'u': case 'U': {
      int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      uint32_t v = 0;
      for (int k = 0; k < n; ++k) {
        if (i >= s.size() || hex_digit(s[i]) < 0) return false;
        v = v * 16 + static_cast<uint32_t>(hex_digit(s[i++]));
      }
      if (c == 'x') {
        out += static_cast<char>(v);
      } else {
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
        append_utf8(out, v);
      }
      return true;
    }
    default:
      if (c >= '0' && c <= '7') {
        uint32_t v = static_cast<uint32_t>(c - '0');
        for (int k = 0; k < 2; ++k) {
          if (i >= s.size() || s[i] < '0' || s[i] > '7') return false;
          v = v * 8 + static_cast<uint32_t>(s[i++] - '0');
        }
        if (v > 255) return false;
        out += static_cast<char>(v);
        return true;
      }
      return false;
  }
}

}  // namespace

bool go_unquote(const std::string& lit, std::string& out) {
  out.clear();
  if (lit.size() < 2) return false;
  char q = lit[0];
  if (lit.back() != q) return false;
  if (q == '`') {
    for (size_t i = 1; i + 1 < lit.size(); ++i)
      if (lit[i] != '\r') out += lit[i];
    return true;
  }
  std::string body = lit.substr(1, lit.size() - 2);
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == q || c == '\n') return false;
    if (c == '\\') {
      ++i;
      if (!unquote_escape(body, i, q, out)) return false;
    } else {
      out += c;
      ++i;
    }
  }
  if (q == '\'') {
    size_t len = 0;
    if (out.empty()) return false;
    decode_utf8(out, 0, len);
    if (len != out.size() && !(body.size() >= 2 && body[0] == '\\' && (body[1] == 'x' || (body[1] >= '0' && body[1] <= '7')) && out.size() == 1)) return false;
  }
  return true;
}

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text), toks_(lex_template(text)) {}

  std::unique_ptr<ParsedTemplate> run() {
    auto result = std::make_unique<ParsedTemplate>();
    result_ = result.get();
    result->text = text_;
    vars_ = {"$"};
    for (;;) {
      const Token& t = peek();
      if (t.type == Tok::kEOF) break;
      if (t.type == Tok::kLeftDelim && peek(1).type == Tok::kKeyword && peek(1).text == "define") {
        next();
        next();
        parse_definition();
        continue;
      }
      Node n;
      End end = text_or_action(n);
      if (end != End::kNone)
        throw SyntaxError(last_pos_, std::string("unexpected ") + (end == End::kEnd ? "{{end}}" : "{{else}}"));
      result->root.nodes.push_back(std::move(n));
    }
    return result;
  }

 private:
  enum class End { kNone, kEnd, kElse, kElseIf };

  const Token& peek(size_t k = 0) const {
    size_t i = std::min(i_ + k, toks_.size() - 1);
    return toks_[i];
  }
  const Token& next() {
    const Token& t = toks_[std::min(i_, toks_.size() - 1)];
    if (i_ < toks_.size() - 1) ++i_;
    last_pos_ = t.pos;
    return t;
  }
  // Go's item.String(): keywords as <if>, EOF as EOF, anything else quoted (long ones cut).
  [[noreturn]] void unexpected(const Token& t, const std::string& context) {
    std::string desc;
    if (t.type == Tok::kEOF) desc = "EOF";
    else if (t.type == Tok::kKeyword) desc = "<" + t.text + ">";
    else if (utf8_count(t.text) > 10) desc = go_quote(utf8_prefix(t.text, 10)) + "...";
    else desc = go_quote(t.text);
    throw SyntaxError(t.pos, "unexpected " + desc + " in " + context);
  }
  void expect(Tok type, const std::string& context) {
    const Token& t = next();
    if (t.type != type) unexpected(t, context);
  }

  void parse_definition() {
    const Token& name_tok = next();
    std::string name;
    if ((name_tok.type != Tok::kString && name_tok.type != Tok::kRawString) || !go_unquote(name_tok.text, name))
      unexpected(name_tok, "define clause");
    expect(Tok::kRightDelim, "define clause");
    auto saved = vars_;
    vars_ = {"$"};
    auto list = std::make_unique<ListNode>();
    End end = item_list(*list);
    if (end != End::kEnd) throw SyntaxError(last_pos_, "unexpected {{else}} in define clause");
    vars_ = saved;
    add_define(name, std::move(list), name_tok.pos);
  }

  static bool is_empty_tree(const ListNode& l) {
    for (const auto& n : l.nodes) {
      if (n.kind != Node::Kind::kText) return false;
      for (char c : n.text)
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r')) return false;
    }
    return true;
  }

  void add_define(const std::string& name, std::unique_ptr<ListNode> list, size_t pos) {
    auto it = result_->defines.find(name);
    if (it == result_->defines.end() || is_empty_tree(*it->second)) {
      result_->defines[name] = std::move(list);
      return;
    }
    if (!is_empty_tree(*list))
      throw SyntaxError(pos, "template: multiple definition of template \"" + name + "\"");
  }

  // Parses nodes until {{end}} or {{else}} (returned) or EOF (an error).
  End item_list(ListNode& list) {
    for (;;) {
      if (peek().type == Tok::kEOF) throw SyntaxError(text_.size(), "unexpected EOF");
      Node n;
      End end = text_or_action(n);
      if (end != End::kNone) return end;
      list.nodes.push_back(std::move(n));
    }
  }

  End text_or_action(Node& n) {
    const Token& t = next();
    if (t.type == Tok::kText) {
      n.kind = Node::Kind::kText;
      n.pos = t.pos;
      n.text = t.text;
      return End::kNone;
    }
    if (t.type != Tok::kLeftDelim) unexpected(t, "input");
    return action(n, t.pos);
  }

  End action(Node& n, size_t open) {
    const Token& t = peek();
    n.pos = t.pos;
    if (t.type == Tok::kKeyword) {
      const std::string& k = t.text;
      if (k == "end" || k == "else") {
        next();
        if (k == "end") {
          expect(Tok::kRightDelim, "end");
          return End::kEnd;
        }
        // {{else if ...}} is returned with the if still to be parsed.
        if (peek().type == Tok::kKeyword && peek().text == "if") return End::kElseIf;
        expect(Tok::kRightDelim, "else");
        return End::kElse;
      }
      next();
      if (k == "if") return control(n, Node::Kind::kIf, "if"), End::kNone;
      if (k == "with") return control(n, Node::Kind::kWith, "with"), End::kNone;
      if (k == "range") return control(n, Node::Kind::kRange, "range"), End::kNone;
      if (k == "template" || k == "block") return template_call(n, k == "block"), End::kNone;
      if (k == "break" || k == "continue") {
        if (range_depth_ == 0) throw SyntaxError(t.pos, "{{" + k + "}} outside {{range}}");
        expect(Tok::kRightDelim, k);
        n.kind = k == "break" ? Node::Kind::kBreak : Node::Kind::kContinue;
        return End::kNone;
      }
      if (k == "define") throw SyntaxError(t.pos, "unexpected <define> in command");
    }
    n.kind = Node::Kind::kAction;
    n.pipe = pipeline("command", Tok::kRightDelim);
    n.end = last_pos_ + 2;
    n.open = open;
    return End::kNone;
  }

  void control(Node& n, Node::Kind kind, const std::string& context) {
    size_t mark = vars_.size();
    n.kind = kind;
    n.pipe = pipeline(context, Tok::kRightDelim);
    if (kind == Node::Kind::kRange) ++range_depth_;
    n.list = std::make_unique<ListNode>();
    End end = item_list(*n.list);
    if (kind == Node::Kind::kRange) --range_depth_;
    if (end != End::kEnd) {
      n.else_list = std::make_unique<ListNode>();
      if (end == End::kElseIf) {
        // {{else if}}: an if nested in the else branch that shares our {{end}}.
        const Token& if_tok = next();
        Node inner;
        inner.pos = if_tok.pos;
        control(inner, Node::Kind::kIf, "if");
        n.else_list->nodes.push_back(std::move(inner));
      } else {
        End end2 = item_list(*n.else_list);
        if (end2 != End::kEnd) throw SyntaxError(last_pos_, "expected end; found {{else}}");
      }
    }
    vars_.resize(mark);
  }

  void template_call(Node& n, bool is_block) {
    std::string context = is_block ? "block clause" : "template clause";
    const Token& name_tok = next();
    std::string name;
    if ((name_tok.type != Tok::kString && name_tok.type != Tok::kRawString) || !go_unquote(name_tok.text, name))
      unexpected(name_tok, context);
    n.kind = Node::Kind::kTemplate;
    n.pos = name_tok.pos;
    n.text = name;
    if (peek().type != Tok::kRightDelim) n.pipe = pipeline(context, Tok::kRightDelim);
    else next();
    n.end = last_pos_ + 2;
    if (is_block) {
      auto saved = vars_;
      vars_ = {"$"};
      auto list = std::make_unique<ListNode>();
      End end = item_list(*list);
      if (end != End::kEnd) throw SyntaxError(last_pos_, "unexpected {{else}} in block clause");
      vars_ = saved;
      add_define(name, std::move(list), name_tok.pos);
    }
  }

  std::unique_ptr<Pipe> pipeline(const std::string& context, Tok end) {
    auto pipe = std::make_unique<Pipe>();
    pipe->pos = peek().pos;
    // Declarations: $x := ..., $x = ..., and in range $i, $v := ...
    for (;;) {
      if (peek().type != Tok::kVariable) break;
      const Token& after = peek(1);
      if (after.type == Tok::kDeclare || after.type == Tok::kAssign) {
        const Token& v = next();
        next();
        pipe->is_assign = after.type == Tok::kAssign;
        pipe->decl.push_back(v.text);
        vars_.push_back(v.text);
        break;
      }
      if (after.type == Tok::kComma) {
        const Token& v = next();
        next();
        pipe->decl.push_back(v.text);
        vars_.push_back(v.text);
        if (context == "range" && pipe->decl.size() < 2) {
          Tok p = peek().type;
          if (p == Tok::kVariable || p == Tok::kRightDelim || p == Tok::kRightParen) continue;
          throw SyntaxError(peek().pos, "range can only initialize variables");
        }
        throw SyntaxError(v.pos, "too many declarations in " + context);
      }
      break;
    }
    for (;;) {
      const Token& t = peek();
      if (t.type == end) {
        next();
        pipe->end = pipe->cmds.empty() ? t.pos : pipe->cmds.back().end;
        check_pipeline(*pipe, context, t.pos);
        return pipe;
      }
      switch (t.type) {
        case Tok::kBool: case Tok::kChar: case Tok::kDot: case Tok::kField: case Tok::kIdentifier:
        case Tok::kNumber: case Tok::kNil: case Tok::kRawString: case Tok::kString:
        case Tok::kVariable: case Tok::kLeftParen:
          pipe->cmds.push_back(command());
          break;
        default:
          next();
          unexpected(t, context);
      }
    }
  }

  void check_pipeline(const Pipe& pipe, const std::string& context, size_t pos) {
    if (pipe.cmds.empty()) throw SyntaxError(pos, "missing value for " + context);
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      auto k = pipe.cmds[i].args[0].kind;
      if (k == Operand::Kind::kBool || k == Operand::Kind::kDot || k == Operand::Kind::kNil ||
          k == Operand::Kind::kNumber || k == Operand::Kind::kString)
        throw SyntaxError(pipe.cmds[i].pos, "non executable command in pipeline stage " + std::to_string(i + 1));
    }
  }

  Command command() {
    Command cmd;
    cmd.pos = peek().pos;
    for (;;) {
      auto op = operand();
      bool got = op.has_value();
      if (got) cmd.args.push_back(std::move(*op));
      const Token& t = peek();
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) break;
      if (t.type == Tok::kPipe) {
        next();
        break;
      }
      if (!got || !t.space_before) {
        next();
        unexpected(t, "operand");
      }
    }
    if (cmd.args.empty()) throw SyntaxError(cmd.pos, "empty command");
    cmd.end = cmd.args.back().end;
    return cmd;
  }

  std::optional<Operand> operand() {
    auto term_op = term();
    if (!term_op) return std::nullopt;
    Operand op = std::move(*term_op);
    while (peek().type == Tok::kField && !peek().space_before) {
      auto k = op.kind;
      if (k == Operand::Kind::kBool || k == Operand::Kind::kString || k == Operand::Kind::kNumber ||
          k == Operand::Kind::kNil || k == Operand::Kind::kDot)
        throw SyntaxError(peek().pos, "unexpected . after term " + go_quote(text_.substr(op.pos, op.end - op.pos)));
      const Token& f = next();
      if (op.chain_pos == op.pos) op.chain_pos = f.pos;
      op.fields.push_back(f.text.substr(1));
      op.end = f.pos + f.text.size();
    }
    return op;
  }

  std::optional<Operand> term() {
    const Token& t = peek();
    Operand op;
    op.pos = op.chain_pos = t.pos;
    op.end = t.pos + t.text.size();
    switch (t.type) {
      case Tok::kIdentifier:
        next();
        op.kind = Operand::Kind::kFunction;
        op.name = t.text;
        op.func = find_function(t.text);
        if (!op.func) throw SyntaxError(t.pos, "function \"" + t.text + "\" not defined");
        return op;
      case Tok::kDot:
        next();
        op.kind = Operand::Kind::kDot;
        return op;
      case Tok::kNil:
        next();
        op.kind = Operand::Kind::kNil;
        return op;
      case Tok::kVariable: {
        next();
        bool found = false;
        for (const auto& v : vars_) found = found || v == t.text;
        if (!found) throw SyntaxError(t.pos, "undefined variable \"" + t.text + "\"");
        op.kind = Operand::Kind::kVariable;
        op.name = t.text;
        return op;
      }
      case Tok::kField:
        next();
        op.kind = Operand::Kind::kField;
        op.fields.push_back(t.text.substr(1));
        return op;
      case Tok::kBool:
        next();
        op.kind = Operand::Kind::kBool;
        op.bool_value = t.text == "true";
        return op;
      case Tok::kNumber:
      case Tok::kChar:
        next();
        number(op, t);
        return op;
      case Tok::kLeftParen: {
        next();
        op.kind = Operand::Kind::kPipe;
        op.pipe = pipeline("parenthesized pipeline", Tok::kRightParen);
        op.end = last_pos_ + 1;
        return op;
      }
      case Tok::kString:
      case Tok::kRawString:
        next();
        op.kind = Operand::Kind::kString;
        if (!go_unquote(t.text, op.text)) throw SyntaxError(t.pos, "invalid syntax");
        return op;
      default:
        return std::nullopt;
    }
  }

  void number(Operand& op, const Token& t) {
    op.kind = Operand::Kind::kNumber;
    op.text = t.text;
    if (t.type == Tok::kChar) {
      std::string s;
      if (!go_unquote(t.text, s)) throw SyntaxError(t.pos, "malformed character constant: " + t.text);
      size_t len = 0;
      int32_t r = s.size() == 1 ? static_cast<unsigned char>(s[0]) : decode_utf8(s, 0, len);
      op.is_int = op.is_float = true;
      op.int_value = r;
      op.float_value = r;
      return;
    }
    if (!t.text.empty() && t.text.back() == 'i') throw SyntaxError(t.pos, "complex constants are not supported: " + t.text);
    int64_t iv = 0;
    if (parse_go_int(t.text, iv)) {
      op.is_int = op.is_float = true;
      op.int_value = iv;
      op.float_value = static_cast<double>(iv);
    } else {
      std::string clean;
      for (char c : t.text)
        if (c != '_') clean += c;
      bool hex = clean.find("0x") != std::string::npos || clean.find("0X") != std::string::npos;
      bool looks_float = clean.find_first_of(hex ? ".pP" : ".eEpP") != std::string::npos;
      char* endp = nullptr;
      errno = 0;
      double f = std::strtod(clean.c_str(), &endp);
      bool ok = endp && *endp == 0 && !clean.empty() && errno != ERANGE;
      if (ok && !looks_float) throw SyntaxError(t.pos, "integer overflow: \"" + t.text + "\"");
      if (!ok || (hex && !looks_float)) throw SyntaxError(t.pos, "illegal number syntax: \"" + t.text + "\"");
      op.is_float = true;
      op.float_value = f;
      if (f < 9.2e18 && f > -9.2e18 && f == static_cast<double>(static_cast<int64_t>(f))) {
        op.is_int = true;
        op.int_value = static_cast<int64_t>(f);
      }
    }
    bool hex_int = t.text.size() > 2 && (t.text.find("0x") != std::string::npos || t.text.find("0X") != std::string::npos) &&
                   t.text.find_first_of("pP") == std::string::npos;
    op.float_typed = op.is_float && !hex_int && t.text.find_first_of(".eEpP") != std::string::npos;
  }

  const std::string& text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  size_t last_pos_ = 0;
  std::vector<std::string> vars_;
  int range_depth_ = 0;
  ParsedTemplate* result_ = nullptr;
};

}  // namespace

std::unique_ptr<ParsedTemplate> parse_template(const std::string& text) { return Parser(text).run(); }

}  // namespace strata::tpl
