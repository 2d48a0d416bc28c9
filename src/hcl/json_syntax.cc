#include "hcl/json_syntax.h"

#include <algorithm>
#include <map>

#include "hcl/decimal.h"
#include "hcl/json_parser.h"
#include "hcl/parser.h"
#include "hcl/parser_state.h"

namespace strata::hcl {
namespace {

// Moves every position of a tree parsed from a decoded JSON string back into the JSON file:
// positions[b] is where decoded byte b came from.
class PositionMap {
 public:
  explicit PositionMap(std::vector<Pos> positions) : positions_(std::move(positions)) {}

  Pos at(const Pos& p) const {
    size_t b = std::min(static_cast<size_t>(std::max(p.byte, 0)), positions_.size() - 1);
    return positions_[b];
  }
  Range at(const Range& r) const { return Range{at(r.start), at(r.end)}; }

  void apply(Expr& e) const {
    e.range = at(e.range);
    for (auto& step : e.traversal) step.range = at(step.range);
    for (Expr* child : {e.a.get(), e.b.get(), e.c.get(), e.cond.get()}) {
      if (child) apply(*child);
    }
    for (auto& item : e.items) apply(*item);
  }

  void copy_diagnostics(const HclDiagnostics& from, HclDiagnostics& to) const {
    for (const auto& d : from.items()) {
      if (d.severity == Severity::kError) {
        to.error(at(d.subject), d.summary, d.detail);
      } else {
        to.warning(at(d.subject), d.summary, d.detail);
      }
    }
  }

 private:
  std::vector<Pos> positions_;
};

bool has_template_sequence(const std::string& s) {
  return s.find("${") != std::string::npos || s.find("%{") != std::string::npos;
}

// The range between a string token's quotes.
Range inside_quotes(const Range& token) {
  Range r = token;
  if (r.end.byte - r.start.byte >= 2) {
    ++r.start.byte;
    ++r.start.column;
    --r.end.byte;
    --r.end.column;
  }
  return r;
}

class JsonMapper {
 public:
  JsonMapper(const File& file, HclDiagnostics& diags) : file_(file), diags_(diags) {}

  // Fills out from a body: a JSON object, or an array of objects.
  void body(const JsonNode& node, const BodySchema& schema, Body& out) {
    out.range = node.range;
    std::vector<const JsonProperty*> props;
    collect(node, nullptr, props);
    std::map<std::string, Range> attribute_names;  // for the duplicate check
    for (const JsonProperty* p : props) {
      if (p->name == "//") continue;
      if (const BlockSchema* bs = schema.find_block(p->name)) {
        std::vector<std::string> labels;
        std::vector<Range> label_ranges;
        unpack_block(p->value, *bs, p->name_range, labels, label_ranges, out);
        continue;
      }
      if (auto [it, fresh] = attribute_names.emplace(p->name, p->name_range); !fresh) {
        diags_.error(p->name_range, "Duplicate argument",
                     "The argument \"" + p->name + "\" was already set at " + where(it->second) +
                         ". Remove one of the two definitions.");
        continue;
      }
      auto mode = schema.string_modes.find(p->name);
      Attribute a;
      a.name = p->name;
      a.name_range = p->name_range;
      a.expr = expr(p->value,
                    mode == schema.string_modes.end() ? JsonStringMode::kTemplate : mode->second);
      a.range = range_between(p->name_range, p->value.range);
      out.attributes.push_back(std::move(a));
    }
  }

 private:
  std::string where(const Range& r) const {
    return *file_.filename + ":" + std::to_string(r.start.line) + ":" +
           std::to_string(r.start.column);
  }

  // The properties of an object, or of each object in an array, in order. label_name is set
  // when the properties are block labels (it only shapes the messages).
  void collect(const JsonNode& n, const std::string* label_name,
               std::vector<const JsonProperty*>& out) {
    const std::string purpose = label_name ? "to specify the " + *label_name + " of this block"
                                           : "to define arguments and child blocks";
    switch (n.kind) {
      case JsonNode::Kind::kInvalid:  // already reported
      case JsonNode::Kind::kNull:
        return;
      case JsonNode::Kind::kObject:
        for (const auto& p : n.properties) out.push_back(&p);
        return;
      case JsonNode::Kind::kArray:
        for (const auto& e : n.elements) {
          if (e.kind == JsonNode::Kind::kObject) {
            for (const auto& p : e.properties) out.push_back(&p);
          } else if (e.kind != JsonNode::Kind::kInvalid) {
            diags_.error(e.range, "Incorrect JSON value type",
                         "A JSON object is required here, " + purpose + ".");
          }
        }
        return;
      default:
        diags_.error(
            n.range, "Incorrect JSON value type",
            "Either a JSON object or a JSON array of objects is required here, " + purpose + ".");
    }
  }

  // One nested object level per label, then one body (an object) or several (an array).
  void unpack_block(const JsonNode& v, const BlockSchema& bs, const Range& type_range,
                    std::vector<std::string>& labels, std::vector<Range>& label_ranges, Body& out) {
    if (labels.size() < bs.labels.size()) {
      const std::string& label_name = bs.labels[labels.size()];
      std::vector<const JsonProperty*> props;
      size_t errors_before = diags_.size();
      collect(v, &label_name, props);
      if (props.empty() && v.kind != JsonNode::Kind::kInvalid && diags_.size() == errors_before) {
        diags_.error(v.range, "Missing block label",
                     "At least one object property is required, whose name is the " + label_name +
                         " of the " + bs.type + " block, like {\"example\": {...}}.");
        return;
      }
      for (const JsonProperty* p : props) {
        labels.push_back(p->name);
        label_ranges.push_back(p->name_range);
        unpack_block(p->value, bs, type_range, labels, label_ranges, out);
        labels.pop_back();
        label_ranges.pop_back();
      }
      return;
    }
    auto add = [&](const JsonNode& body_node) {
      Block b;
      b.type = bs.type;
      b.labels = labels;
      b.label_ranges = label_ranges;
      b.type_range = type_range;
      b.open_brace_range = body_node.open_range;
      b.close_brace_range = body_node.close_range;
      body(body_node, bs.body, b.body);
      out.blocks.push_back(std::move(b));
    };
    const std::string detail = "A JSON object is required here, holding the contents of a \"" +
                               bs.type + "\" block (or an array of such objects for several).";
    switch (v.kind) {
      case JsonNode::Kind::kInvalid:
      case JsonNode::Kind::kNull:  // no block
        return;
      case JsonNode::Kind::kObject:
        add(v);
        return;
      case JsonNode::Kind::kArray:
        for (const auto& e : v.elements) {
          if (e.kind == JsonNode::Kind::kObject) {
            add(e);
          } else if (e.kind != JsonNode::Kind::kInvalid) {
            diags_.error(e.range, "Incorrect JSON value type", detail);
          }
        }
        return;
      default:
        diags_.error(v.range, "Incorrect JSON value type", detail);
    }
  }

  ExprPtr expr(const JsonNode& v, JsonStringMode mode) {
    switch (v.kind) {
      case JsonNode::Kind::kInvalid:
        return make_dynamic(v.range);
      case JsonNode::Kind::kNull:
        return make_literal(Value(), v.range);
      case JsonNode::Kind::kBool:
        return make_literal(Value(v.boolean), v.range);
      case JsonNode::Kind::kNumber:
        if (!Decimal::parse(v.text)) {
          diags_.error(v.range, "Invalid JSON number",
                       "This number is too large or too small to be represented. Write it as a "
                       "string if it is not meant as a number.");
          return make_dynamic(v.range);
        }
        return make_literal(Value(Number(v.text)), v.range);
      case JsonNode::Kind::kString:
        return string_expr(v.text, v.range, mode);
      case JsonNode::Kind::kArray: {
        ExprPtr e = make_expr(ExprKind::kTuple, v.range);
        for (const auto& el : v.elements) e->items.push_back(expr(el, mode));
        return e;
      }
      case JsonNode::Kind::kObject:
        return object_expr(v, mode);
    }
    return make_dynamic(v.range);
  }

  ExprPtr object_expr(const JsonNode& v, JsonStringMode mode) {
    ExprPtr e = make_expr(ExprKind::kObject, v.range);
    std::map<std::string, Range> seen;  // plain-string keys, for the duplicate check
    for (const auto& p : v.properties) {
      JsonStringMode key_mode =
          mode == JsonStringMode::kExpression ? JsonStringMode::kLiteral : mode;
      if (key_mode == JsonStringMode::kLiteral || !has_template_sequence(p.name)) {
        auto [it, fresh] = seen.emplace(p.name, p.name_range);
        if (!fresh) {
          diags_.error(p.name_range, "Duplicate object attribute",
                       "An attribute named \"" + p.name + "\" was already defined at " +
                           where(it->second) + ". Remove one of the two.");
          continue;
        }
      }
      ExprPtr key = make_expr(ExprKind::kObjectKey, p.name_range);
      key->force_non_literal = true;
      key->a = string_expr(p.name, p.name_range, key_mode);
      e->items.push_back(std::move(key));
      e->items.push_back(expr(p.value, mode));
    }
    return e;
  }

  // A JSON string as an expression; token is its quoted range in the file.
  ExprPtr string_expr(const std::string& text, const Range& token, JsonStringMode mode) {
    if (mode == JsonStringMode::kLiteral) return make_literal(Value(text), token);
    if (mode == JsonStringMode::kTemplate && !has_template_sequence(text)) {
      // The common case needs no template parser: one literal part.
      ExprPtr e = make_expr(ExprKind::kTemplate, token);
      e->items.push_back(make_literal(Value(text), inside_quotes(token)));
      return e;
    }
    HclDiagnostics local;
    ExprPtr e = mode == JsonStringMode::kTemplate ? parse_template(text, local)
                                                  : parse_expression(text, *file_.filename, local);
    PositionMap map(json_string_positions(file_.source, token));
    map.apply(*e);
    map.copy_diagnostics(local, diags_);
    if (mode == JsonStringMode::kTemplate) e->range = token;  // as HCL: the string is the expr
    return e;
  }

  const File& file_;
  HclDiagnostics& diags_;
};

}  // namespace

File parse_json_config(std::string source, const std::string& filename, const BodySchema& schema) {
  File file;
  file.filename = std::make_shared<const std::string>(filename);
  file.source = std::move(source);
  // A UTF-8 byte order mark is dropped; positions count from after it, as in native syntax.
  if (file.source.compare(0, 3, "\xef\xbb\xbf") == 0) file.source.erase(0, 3);
  HclDiagnostics diags;
  JsonNode root = parse_json_node(file.source, diags);
  if (root.kind != JsonNode::Kind::kObject && root.kind != JsonNode::Kind::kArray &&
      root.kind != JsonNode::Kind::kInvalid) {
    diags.error(root.range, "Root value must be object",
                "The root value in a JSON-based configuration must be either a JSON object or a "
                "JSON array of objects, like {\"variable\": {...}}.");
  } else {
    JsonMapper(file, diags).body(root, schema, file.body);
  }
  file.diagnostics = std::move(diags);
  return file;
}

}  // namespace strata::hcl
