// HashiCorp's HCL spec suite (conformance/hcl-spec/hashicorp-hcl/specsuite/tests), run
// data-driven: for every NAME.t, parse NAME.hcl (and NAME.hcl.json), decode it with the hcldec
// spec NAME.hcldec, convert with result_type, and compare the result, the diagnostics (by
// severity and range) and the traversals with what NAME.t expects.
//
// Numbers: strata computes in exact decimal. operators.t expects `11 % 5.1` to be
// 0.8000…00024, an artefact of cty rounding 5.1 to a 512-bit binary float; numbers therefore
// compare equal when they differ by less than one part in 1e150 (below cty's own precision).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "hcl/eval.h"
#include "hcl/json_syntax.h"
#include "hcl/parser.h"
#include "hcl/variables.h"
#include "tests/support/conformance.h"
#include "tests/support/data_cases.h"

namespace strata::hcl {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Value eval_const(const Expr& e) {
  HclDiagnostics d;
  Value v = evaluate(e, nullptr, d);
  EXPECT_FALSE(d.has_errors()) << "cannot evaluate a constant in the spec";
  return v;
}

// ---- result_type: a type expression such as object({a = map(string)}) ----

struct Type {
  enum Kind { kAny, kString, kNumber, kBool, kMap, kList, kObject } kind = kAny;
  std::shared_ptr<Type> elem;
  std::map<std::string, Type> attrs;
};

Type parse_type(const Expr& e) {
  Type t;
  if (e.kind == ExprKind::kScopeTraversal) {
    const std::string& n = e.traversal[0].name;
    t.kind = n == "string"   ? Type::kString
             : n == "number" ? Type::kNumber
             : n == "bool"   ? Type::kBool
                             : Type::kAny;
    return t;
  }
  if (e.kind == ExprKind::kFunctionCall && e.items.size() == 1) {
    if (e.name == "object") {
      t.kind = Type::kObject;
      const Expr& obj = *e.items[0];
      for (size_t i = 0; i + 1 < obj.items.size(); i += 2) {
        const Expr& key = *obj.items[i]->a;
        std::string name = key.kind == ExprKind::kScopeTraversal ? key.traversal[0].name
                           : key.value.is_bool() ? (key.value.as_bool() ? "true" : "false")
                                                 : "null";
        t.attrs[name] = parse_type(*obj.items[i + 1]);
      }
      return t;
    }
    t.kind = e.name == "map" ? Type::kMap : Type::kList;
    t.elem = std::make_shared<Type>(parse_type(*e.items[0]));
    return t;
  }
  ADD_FAILURE() << "unsupported type expression " << e.kind_name();
  return t;
}

// Converts like cty's convert package does for the cases the suite uses; false on failure.
bool convert(const Value& in, const Type& t, Value* out) {
  if (t.kind == Type::kAny || in.is_null()) {
    *out = in;
    return true;
  }
  switch (t.kind) {
    case Type::kString:
      if (in.is_string())
        *out = in;
      else if (in.is_number())
        *out = Value(to_decimal(in).str());
      else if (in.is_bool())
        *out = Value(in.as_bool() ? "true" : "false");
      else
        return false;
      return true;
    case Type::kNumber:
      if (in.is_number())
        *out = in;
      else if (in.is_string() && Decimal::parse(in.as_string()))
        *out = Value(Number(in.as_string()));
      else
        return false;
      return true;
    case Type::kBool:
      if (in.is_bool())
        *out = in;
      else if (in.is_string() && (in.as_string() == "true" || in.as_string() == "false"))
        *out = Value(in.as_string() == "true");
      else
        return false;
      return true;
    case Type::kMap: {
      if (!in.is_map()) return false;
      Value::Map m;
      for (const auto& [k, v] : in.as_map()) {
        if (!convert(v, *t.elem, &m[k])) return false;
      }
      *out = Value(std::move(m));
      return true;
    }
    case Type::kList: {
      if (!in.is_list()) return false;
      Value::List l;
      for (const auto& v : in.as_list()) {
        l.emplace_back();
        if (!convert(v, *t.elem, &l.back())) return false;
      }
      *out = Value(std::move(l));
      return true;
    }
    case Type::kObject: {
      if (!in.is_map()) return false;
      Value::Map m;
      for (const auto& [name, at] : t.attrs) {
        const Value* v = in.find(name);
        if (!v || !convert(*v, at, &m[name])) return false;
      }
      *out = Value(std::move(m));
      return true;
    }
    default:
      return false;
  }
}

bool same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.is_number()) {
    Decimal x = to_decimal(a), y = to_decimal(b);
    if (x == y) return true;
    Decimal diff = (x - y).abs();
    Decimal tolerance = x.abs() * *Decimal::parse("1e-150");
    return Decimal::compare(diff, tolerance) <= 0;
  }
  if (a.is_list()) {
    if (a.as_list().size() != b.as_list().size()) return false;
    for (size_t i = 0; i < a.as_list().size(); ++i) {
      if (!same(a.as_list()[i], b.as_list()[i])) return false;
    }
    return true;
  }
  if (a.is_map()) {
    if (a.as_map().size() != b.as_map().size()) return false;
    for (auto i = a.as_map().begin(), j = b.as_map().begin(); i != a.as_map().end(); ++i, ++j) {
      if (i->first != j->first || !same(i->second, j->second)) return false;
    }
    return true;
  }
  return a == b;
}

// ---- hcldec: the spec language the suite decodes with ----

class Decoder {
 public:
  Decoder(const Body& spec_body, const EvalContext* ctx) : spec_(spec_body), ctx_(ctx) {}

  // Decodes `body` with the single top-level spec block.
  Value decode(const Body& body, HclDiagnostics& diags) {
    for (const auto& b : spec_.blocks) {
      if (b.type != "variables") return decode_spec(b, body, diags);
    }
    return Value();
  }

 private:
  static std::string str_attr(const Body& b, const char* name) {
    const Attribute* a = b.find_attribute(name);
    return a ? eval_const(*a->expr).as_string() : "";
  }
  static const Block* nested_spec(const Body& b) {
    return b.blocks.empty() ? nullptr : &b.blocks[0];
  }

  // Names this spec claims in a body: attributes and block types.
  static void schema(const Block& spec, std::set<std::string>* attrs,
                     std::set<std::string>* blocks) {
    if (spec.type == "object") {
      for (const auto& child : spec.body.blocks) schema(child, attrs, blocks);
    } else if (spec.type == "attr") {
      attrs->insert(spec.labels.empty() ? str_attr(spec.body, "name") : spec.labels[0]);
    } else if (spec.type == "block" || spec.type == "block_list" || spec.type == "block_map") {
      blocks->insert(spec.labels.empty() ? str_attr(spec.body, "block_type") : spec.labels[0]);
    }
  }

  void check_content(const Block& spec, const Body& body, HclDiagnostics& diags) {
    std::set<std::string> attrs, blocks;
    schema(spec, &attrs, &blocks);
    for (const auto& a : body.attributes) {
      if (!attrs.count(a.name)) {
        diags.error(a.name_range, "Unsupported argument",
                    "An argument named \"" + a.name + "\" is not expected here.");
      }
    }
    for (const auto& b : body.blocks) {
      if (!blocks.count(b.type)) {
        diags.error(b.type_range, "Unsupported block type",
                    "Blocks of type \"" + b.type + "\" are not expected here.");
      }
    }
  }

  Value decode_spec(const Block& spec, const Body& body, HclDiagnostics& diags) {
    if (spec.type == "literal") return eval_const(*spec.body.find_attribute("value")->expr);
    check_content(spec, body, diags);
    return decode_in(spec, body, diags);
  }

  Value decode_in(const Block& spec, const Body& body, HclDiagnostics& diags) {
    if (spec.type == "object") {
      Value::Map out;
      for (const auto& child : spec.body.blocks) {
        std::string name =
            child.labels.empty() ? str_attr(child.body, "block_type") : child.labels[0];
        out[name] = decode_in(child, body, diags);
      }
      return Value(std::move(out));
    }
    if (spec.type == "attr") {
      std::string name = spec.labels.empty() ? str_attr(spec.body, "name") : spec.labels[0];
      const Attribute* a = body.find_attribute(name);
      if (!a) return Value();
      Value v = evaluate(*a->expr, ctx_, diags);
      if (const Attribute* ty = spec.body.find_attribute("type")) {
        Value conv;
        if (!convert(v, parse_type(*ty->expr), &conv)) {
          diags.error(a->expr->range, "Incorrect attribute value type", "Wrong type.");
        }
        return conv;
      }
      return v;
    }
    std::string type = spec.labels.empty() ? str_attr(spec.body, "block_type") : spec.labels[0];
    const Block* inner = nested_spec(spec.body);
    std::vector<const Block*> found;
    for (const auto& b : body.blocks) {
      if (b.type == type) found.push_back(&b);
    }
    auto decode_block = [&](const Block& b) {
      return inner ? decode_spec(*inner, b.body, diags) : Value::map();
    };
    if (spec.type == "block") {
      if (found.size() > 1) {
        diags.error(found[1]->type_range, "Duplicate " + type + " block",
                    "Only one block of this type is allowed.");
      }
      return found.empty() ? Value() : decode_block(*found[0]);
    }
    if (spec.type == "block_list") {
      Value::List out;
      for (const Block* b : found) out.push_back(decode_block(*b));
      return Value(std::move(out));
    }
    Value::Map out;  // block_map keyed by the first label
    for (const Block* b : found) {
      if (!b->labels.empty()) out[b->labels[0]] = decode_block(*b);
    }
    return Value(std::move(out));
  }

  const Body& spec_;
  const EvalContext* ctx_;
};

// ---- the expectation file ----

Pos pos_of(const Body& b) {
  auto num = [&](const char* n) {
    const Attribute* a = b.find_attribute(n);
    return a ? static_cast<int>(*eval_const(*a->expr).as_number().as_int()) : 0;
  };
  return Pos{num("line"), num("column"), num("byte")};
}

Range range_of(const Body& b) {
  Range r;
  for (const auto& blk : b.blocks) {
    if (blk.type == "from") r.start = pos_of(blk.body);
    if (blk.type == "to") r.end = pos_of(blk.body);
  }
  return r;
}

std::string describe(Severity s, const Range& r) {
  return std::string(s == Severity::kError ? "error " : "warning ") + r.short_str() + " (bytes " +
         std::to_string(r.start.byte) + "-" + std::to_string(r.end.byte) + ")";
}

void run_case(const fs::path& t_path) {
  SCOPED_TRACE(t_path.string());
  File t = parse_config(read_text(t_path), t_path.string());
  ASSERT_FALSE(t.diagnostics.has_errors()) << "bad .t file";
  fs::path base = t_path;
  base.replace_extension("");
  File spec = parse_config(read_text(base.string() + ".hcldec"), base.string() + ".hcldec");
  ASSERT_FALSE(spec.diagnostics.has_errors()) << "bad .hcldec file";

  EvalContext ctx;
  for (const auto& b : spec.body.blocks) {
    if (b.type != "variables") continue;
    for (const auto& a : b.body.attributes) ctx.variables.set(a.name, eval_const(*a.expr));
  }

  std::vector<std::string> inputs;
  for (const char* ext : {".hcl", ".hcl.json"}) {
    if (fs::exists(base.string() + ext)) inputs.push_back(base.string() + ext);
  }
  ASSERT_FALSE(inputs.empty());
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    bool json = input.ends_with(".json");
    File f =
        json ? parse_json_config(read_text(input), input) : parse_config(read_text(input), input);
    HclDiagnostics diags = f.diagnostics;
    Value result;
    if (!diags.has_errors()) {
      Decoder dec(spec.body, &ctx);
      result = dec.decode(f.body, diags);
    }

    const Block* expected_diags = nullptr;
    const Block* expected_travs = nullptr;
    for (const auto& b : t.body.blocks) {
      if (b.type == "diagnostics") expected_diags = &b;
      if (b.type == "traversals") expected_travs = &b;
    }
    std::multiset<std::string> want, got;
    if (expected_diags) {
      for (const auto& d : expected_diags->body.blocks) {
        want.insert(
            describe(d.type == "error" ? Severity::kError : Severity::kWarning, range_of(d.body)));
      }
    }
    for (const auto& d : diags.items()) got.insert(describe(d.severity, d.subject));
    EXPECT_EQ(got, want);
    if (expected_diags) continue;

    const Attribute* type_attr = t.body.find_attribute("result_type");
    Type type = type_attr ? parse_type(*type_attr->expr) : Type{};
    Value got_conv;
    ASSERT_TRUE(convert(result, type, &got_conv)) << "result does not convert to result_type";
    if (const Attribute* want_attr = t.body.find_attribute("result")) {
      Value want_conv;
      ASSERT_TRUE(convert(eval_const(*want_attr->expr), type, &want_conv));
      EXPECT_TRUE(same(got_conv, want_conv))
          << "got " << to_json_text(got_conv) << "\nwant " << to_json_text(want_conv);
    }
    if (expected_travs) {
      // traversals { expect { ref = var.x  range { from {...} to {...} } } }
      std::vector<std::string> got_refs, want_refs;
      std::function<void(const Body&)> collect = [&](const Body& b) {
        for (const auto& a : b.attributes) {
          for (const auto& ref : expr_variables(*a.expr)) {
            got_refs.push_back(traversal_str(ref.traversal) + " " + ref.range.short_str());
          }
        }
        for (const auto& child : b.blocks) collect(child.body);
      };
      collect(f.body);
      for (const auto& e : expected_travs->body.blocks) {
        const Attribute* ref = e.body.find_attribute("ref");
        if (e.type != "expect" || !ref) continue;
        Range r;
        for (const auto& rb : e.body.blocks) {
          if (rb.type == "range") r = range_of(rb.body);
        }
        want_refs.push_back(traversal_str(ref->expr->traversal) + " " + r.short_str());
      }
      EXPECT_EQ(got_refs, want_refs);
    }
  }
}

fs::path spec_dir() {
  return fs::path(strata::testing::conformance_dir()) / "hcl-spec/hashicorp-hcl/specsuite/tests";
}

bool is_spec_case(const fs::path& p) { return p.extension() == ".t"; }

TEST(HclSpecSuite, TheCasesArePresent) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  ASSERT_TRUE(fs::is_directory(spec_dir())) << spec_dir();
  EXPECT_EQ(strata::testing::data_cases(spec_dir().string(), is_spec_case, true).size(), 15u);
}

// One test per .t file: Cases/HclSpecCase.Passes/structure_attributes_expected.
class HclSpecCase : public ::testing::TestWithParam<strata::testing::DataCase> {};

TEST_P(HclSpecCase, Passes) { run_case(GetParam().path); }

// No cases without the conformance folder; TheCasesArePresent then skips (or fails in CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HclSpecCase);
INSTANTIATE_TEST_SUITE_P(Cases, HclSpecCase,
                         ::testing::ValuesIn(strata::testing::data_cases(spec_dir().string(),
                                                                         is_spec_case, true, ".t")),
                         strata::testing::data_case_name);

}  // namespace
}  // namespace strata::hcl
