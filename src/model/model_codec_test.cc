#include "model/model_codec.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

// Value's operator== compares data only; a cache must also give back origins and marks.
void expect_same(const Value& a, const Value& b, const std::string& where = "$") {
  ASSERT_EQ(a.kind(), b.kind()) << where;
  EXPECT_EQ(a.sensitive(), b.sensitive()) << where;
  EXPECT_EQ(a.origin().str(), b.origin().str()) << where;
  EXPECT_EQ(a, b) << where;
  if (a.is_list()) {
    for (size_t i = 0; i < a.as_list().size(); ++i)
      expect_same(a.as_list()[i], b.as_list()[i], where + "[" + std::to_string(i) + "]");
  }
  if (a.is_map()) {
    for (const auto& [k, v] : a.as_map()) expect_same(v, b.as_map().at(k), where + "." + k);
  }
}

Value sample_inputs() {
  auto file = std::make_shared<const std::string>("stacks/dev.stack.js");
  Value v = parse_json_text(R"({"name": "vpc", "size": 10, "ratio": 0.10000000000000000001,
      "on": true, "none": null, "zones": ["a", "b"], "tags": {"team": "platform"}})");
  v.set_origin(Origin(file, 3, 7));
  v.as_map().at("zones").as_list()[1].set_origin(Origin(file, 5, 17));
  v.as_map().at("tags").set_origin(Origin("stacks/lib/naming.js", 2, 1));
  Value secret("hunter2");
  secret.set_sensitive();
  secret.set_origin(Origin(file, 9, 3));
  v.set("password", secret);
  return v;
}

TEST(ModelCodec, ValueRoundTripKeepsOriginsAndSensitiveMarks) {
  BinaryWriter w;
  w.value(sample_inputs());
  EXPECT_TRUE(w.wrote_sensitive());
  BinaryReader r(w.bytes());
  Value back = r.value();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  expect_same(sample_inputs(), back);
  // Exact number text survives (no double round trip).
  EXPECT_EQ(back.find("ratio")->as_number().text(), "0.10000000000000000001");
}

TEST(ModelCodec, OriginsOfOneFileShareOneName) {
  BinaryWriter w;
  w.value(sample_inputs());
  BinaryReader r(w.bytes());
  Value back = r.value();
  EXPECT_EQ(back.origin().file.get(), back.find("password")->origin().file.get());
}

TEST(ModelCodec, StackRoundTripKeepsEveryField) {
  Stack s;
  s.name = "dev";
  s.source_file = "stacks/dev.stack.js";
  s.options = parse_json_text(R"({"org": "acme"})");
  s.backend = {"local", parse_json_text(R"({"path": "state/{{ .stack }}.tfstate"})"), Origin("stacks/dev.stack.js", 2, 1)};
  s.env = {{"AWS_PROFILE", "dev"}};
  s.metadata = parse_json_text(R"({"tags": ["bench"]})");
  s.provider_appends = {"data \"x\" \"y\" {}"};
  s.kubeconfig = parse_json_text(R"({"current": "c1"})");
  s.version = "1.2.0";
  s.policies = {"no-public-buckets"};
  s.hooks.pre_apply = {"echo before"};
  s.origin = Origin("stacks/dev.stack.js", 1, 1);
  Component c;
  c.name = "vpc";
  c.stack = "dev";
  c.source = "modules/vpc//sub";
  c.inputs = sample_inputs();
  c.providers = parse_json_text(R"({"aws": {"region": "eu-west-1"}})");
  c.backend = Backend{"s3", parse_json_text(R"({"bucket": "b"})"), Origin("stacks/dev.stack.js", 4, 2)};
  c.depends_on = {{"shared", "network", Origin("stacks/dev.stack.js", 6, 5)}};
  c.mock_outputs = parse_json_text(R"({"id": "mock"})");
  c.provider_json = parse_json_text(R"({"provider": {}})");
  c.versioned_data = parse_json_text(R"({"vpc": {"module_version": "v2"}})");
  c.versioned_extension = ".tmpl";
  c.origin = Origin("stacks/dev.stack.js", 3, 13);
  s.components.push_back(c);
  Component plain;
  plain.name = "db";
  plain.stack = "dev";
  s.components.push_back(plain);

  BinaryWriter clean;
  clean.stack(Stack{});
  EXPECT_FALSE(clean.wrote_sensitive());
  BinaryWriter w;
  w.stack(s);
  BinaryReader r(w.bytes());
  std::optional<Stack> back = r.stack();
  ASSERT_TRUE(back);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(back->name, "dev");
  EXPECT_EQ(back->source_file, s.source_file);
  EXPECT_EQ(back->kind, "js");
  expect_same(s.options, back->options);
  EXPECT_EQ(back->backend.type, "local");
  expect_same(s.backend.config, back->backend.config);
  EXPECT_EQ(back->backend.origin.str(), "stacks/dev.stack.js:2:1");
  EXPECT_EQ(back->env, s.env);
  expect_same(s.metadata, back->metadata);
  EXPECT_EQ(back->provider_appends, s.provider_appends);
  expect_same(s.kubeconfig, back->kubeconfig);
  EXPECT_EQ(back->version, "1.2.0");
  EXPECT_EQ(back->policies, s.policies);
  EXPECT_EQ(back->hooks.pre_apply, s.hooks.pre_apply);
  EXPECT_TRUE(back->hooks.post_apply.empty());
  EXPECT_EQ(back->origin.str(), "stacks/dev.stack.js:1:1");
  ASSERT_EQ(back->components.size(), 2u);
  const Component& bc = back->components[0];
  EXPECT_EQ(bc.name, "vpc");
  EXPECT_EQ(bc.stack, "dev");
  EXPECT_EQ(bc.source, "modules/vpc//sub");
  expect_same(c.inputs, bc.inputs);
  expect_same(c.providers, bc.providers);
  ASSERT_TRUE(bc.backend);
  EXPECT_EQ(bc.backend->type, "s3");
  EXPECT_EQ(bc.backend->origin.str(), "stacks/dev.stack.js:4:2");
  ASSERT_EQ(bc.depends_on.size(), 1u);
  EXPECT_EQ(bc.depends_on[0].str(), "shared/network");
  EXPECT_EQ(bc.depends_on[0].origin.str(), "stacks/dev.stack.js:6:5");
  expect_same(c.mock_outputs, bc.mock_outputs);
  expect_same(c.provider_json, bc.provider_json);
  expect_same(c.versioned_data, bc.versioned_data);
  EXPECT_EQ(bc.versioned_extension, ".tmpl");
  EXPECT_EQ(bc.origin.str(), "stacks/dev.stack.js:3:13");
  EXPECT_FALSE(back->components[1].backend);
  EXPECT_TRUE(back->components[1].provider_json.is_null());
}

TEST(ModelCodec, TruncatedOrCorruptInputIsRefusedNotTrusted) {
  Stack s;
  s.name = "dev";
  Component c;
  c.name = "vpc";
  c.inputs = sample_inputs();
  s.components.push_back(c);
  BinaryWriter w;
  w.stack(s);
  const std::string& bytes = w.bytes();
  // Every prefix is refused (or, for the whole input, read back).
  for (size_t n = 0; n < bytes.size(); ++n) {
    BinaryReader r(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r.stack()) << "prefix of " << n << " bytes";
  }
  // Flipped bytes never crash; what comes back, if anything, is a well-formed Stack.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    BinaryReader r(bad);
    (void)r.stack();
  }
  // A huge count does not make the reader allocate or loop.
  BinaryWriter huge;
  huge.u64(static_cast<uint64_t>(Value::Kind::kList) * 2);
  huge.origin({});
  huge.u64(uint64_t{1} << 60);
  BinaryReader r(huge.bytes());
  (void)r.value();
  EXPECT_FALSE(r.ok());
}

TEST(ModelCodec, AnUnknownKindIsRefused) {
  for (uint64_t tag : {uint64_t{12}, uint64_t{13}, uint64_t{1} << 33, ~uint64_t{0}}) {
    BinaryWriter w;
    w.u64(tag);
    w.origin({});
    BinaryReader r(w.bytes());
    (void)r.value();
    EXPECT_FALSE(r.ok()) << tag;
  }
}

TEST(ModelCodec, DeepNestingIsBounded) {
  std::string bytes;
  BinaryWriter w;
  for (int i = 0; i < 10000; ++i) {
    w.u64(static_cast<uint64_t>(Value::Kind::kList) * 2);
    w.origin({});
    w.u64(1);
  }
  BinaryReader r(w.bytes());
  (void)r.value();
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace strata
