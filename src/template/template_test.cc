// Behaviour of the template engine's own API: typed results, trees, sensitivity, errors with
// origins, state-call discovery and the limits that keep bad input harmless.
#include "template/template.h"

#include <gtest/gtest.h>

#include "model/error.h"
#include "template/fake_template_host.h"

namespace strata::tpl {
namespace {

Value data() {
  return parse_json_text(R"({"stack":"dev","region":"eu-west-1","count":3,"tags":{"team":"core"},
                             "zones":["a","b"],"quote":"say \"hi\"\nbye"})");
}

FakeTemplateHost host_with_vpc() {
  FakeTemplateHost host;
  Value vpc = parse_json_text(R"({"id":"vpc-1","subnets":["s1","s2"],"cidr":"10.0.0.0/16"})");
  host.outputs[{"dev", "vpc"}] = vpc;
  Value db = parse_json_text(R"({"password":"hunter2"})");
  db.find("password")->set_sensitive();
  host.outputs[{"dev", "db"}] = db;
  host.secrets["sops://s.yaml#/token"] = Value("t0k3n");
  host.environment["HOME_REGION"] = "us-east-1";
  return host;
}

TEST(Render, GoSemanticsForText) {
  EXPECT_EQ(render("{{ .stack }}-{{ .region | upper }}", data()), "dev-EU-WEST-1");
  EXPECT_EQ(render("{{ range $i, $z := .zones }}{{ $i }}{{ $z }} {{ end }}", data()), "0a 1b ");
  EXPECT_EQ(render("{{ .zones }} {{ .tags }} {{ .count }}", data()), "[a b] map[team:core] 3");
}

TEST(RenderValue, OneActionKeepsItsType) {
  FakeTemplateHost host = host_with_vpc();
  Value subnets = render_value(R"({{ (state "dev" "vpc").subnets }})", data(), &host);
  ASSERT_TRUE(subnets.is_list());
  EXPECT_EQ(subnets, parse_json_text(R"(["s1","s2"])"));
  Value count = render_value("{{ .count }}", data());
  ASSERT_TRUE(count.is_number());
  EXPECT_EQ(count.as_number().text(), "3");
  EXPECT_TRUE(render_value("{{ gt .count 2.0 }}", data()).is_bool());
  EXPECT_TRUE(render_value("{{ .tags }}", data()).is_map());
  // Anything around the action makes it text, as Go prints it.
  EXPECT_EQ(render_value(R"(x{{ (state "dev" "vpc").subnets }})", data(), &host), Value("x[s1 s2]"));
  // No action: the string comes back as it was.
  EXPECT_EQ(render_value("plain {text}", data()), Value("plain {text}"));
}

TEST(RenderTree, RendersStringLeavesAndKeepsOrigins) {
  Value tree = parse_json_text(R"({"name":"{{ .stack }}-app","n":2,"list":["{{ .zones }}","{{ .quote }}"],
                                   "nested":{"count":"{{ .count }}"}})");
  Origin where("stacks/dev.js", 7, 12);
  tree.find("name")->set_origin(where);
  Value out = render_tree(tree, data());
  EXPECT_EQ(*out.find("name"), Value("dev-app"));
  EXPECT_EQ(out.find("name")->origin().str(), "stacks/dev.js:7:12");
  EXPECT_EQ(out.find("list")->as_list()[0], parse_json_text(R"(["a","b"])"));
  // Quotes and newlines in values survive: templates never see serialized JSON.
  EXPECT_EQ(out.find("list")->as_list()[1], Value("say \"hi\"\nbye"));
  EXPECT_TRUE(out.find("nested")->find("count")->is_number());
  EXPECT_EQ(*out.find("n"), Value(2));
}

TEST(RenderTree, MarksResultsOfSecretsAndSensitiveOutputsSensitive) {
  FakeTemplateHost host = host_with_vpc();
  Value tree = parse_json_text(R"({"token":"Bearer {{ secret \"sops://s.yaml#/token\" }}",
                                   "pw":"{{ (state \"dev\" \"db\").password }}",
                                   "id":"{{ (state \"dev\" \"vpc\").id }}"})");
  Value out = render_tree(tree, data(), &host);
  EXPECT_EQ(*out.find("token"), Value("Bearer t0k3n"));
  EXPECT_TRUE(out.find("token")->sensitive());
  EXPECT_TRUE(out.find("pw")->sensitive());
  EXPECT_FALSE(out.find("id")->sensitive());
  EXPECT_EQ(redacted(out).find("token")->as_string(), "(sensitive)");
}

TEST(Render, EnvComesFromTheHost) {
  FakeTemplateHost host = host_with_vpc();
  EXPECT_EQ(render(R"({{ env "HOME_REGION" }}|{{ env "UNSET_VAR" }})", data(), &host), "us-east-1|");
}

TEST(Errors, MissingKeyIsAnErrorByDefaultWithOriginAndPosition) {
  Origin where("stacks/dev.js", 4, 10);
  try {
    render_value("id={{ .nope }}", data(), nullptr, {}, where);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    // The origin names the place; the message says what is wrong there, not Go's frame.
    EXPECT_EQ(e.message(), R"(<.nope>: map has no entry for key "nope")");
    EXPECT_EQ(e.origin().str(), "stacks/dev.js:4:16");
    EXPECT_EQ(e.hint().rfind("the keys there: ", 0), 0u) << e.hint();
  }
  // Without an origin (a library caller), Go's message as it is.
  try {
    render_value("id={{ .nope }}", data());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), R"(template: template:1:6: executing "template" at <.nope>: map has no entry for key "nope")");
  }
}

TEST(Errors, AMissingKeySuggestsTheNearOneAndSaysWhatThereIs) {
  Origin where("stacks/dev.js", 2, 1);
  Value outputs = Value::map();
  outputs.set("vpc_id", Value("v"));
  outputs.set("cidr", Value("c"));
  Value d = Value::map();
  d.set("vpc", outputs);
  try {
    render_value("{{ .vpc.vpcid }}", d, nullptr, {}, where);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), R"(<.vpc.vpcid>: map has no entry for key "vpcid")");
    EXPECT_EQ(e.hint(), R"(did you mean "vpc_id"? the keys there: cidr, vpc_id)");
  }
  // A function's failure is in the function's own words.
  try {
    render_value(R"({{ required "set TEAM in the environment" "" }})", d, nullptr, {}, where);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "set TEAM in the environment");
  }
  try {
    render_value("a\n{{ foo }}", d, nullptr, {}, where);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), R"(function "foo" not defined)");
  }
}

TEST(Errors, MissingKeyOptions) {
  RenderOptions zero;
  zero.missing_key = parse_missing_key("missingkey=zero");
  EXPECT_EQ(render("[{{ .nope }}]", data(), nullptr, zero), "[<no value>]");
  RenderOptions dflt;
  dflt.missing_key = parse_missing_key("default");
  EXPECT_EQ(render("[{{ .nope }}]", data(), nullptr, dflt), "[<no value>]");
  EXPECT_THROW(parse_missing_key("missingkey=maybe"), Error);
}

TEST(Errors, UnknownFunctionUsesGoWording) {
  try {
    render("a\n{{ foo }}", data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), R"(template: template:2: function "foo" not defined)");
  }
}

TEST(Errors, TemplateFailuresAreTheUsersInput) {
  for (const char* text :
       {"{{ if }}", "{{ .missing.key }}", "{{ fail \"no\" }}", "{{ div 1 0 }}"}) {
    try {
      render(text, data());
      ADD_FAILURE() << text << " rendered";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUserInput) << text << ": " << e.message();
      EXPECT_EQ(e.message().rfind("template: ", 0), 0u) << e.message();
    }
  }
}

// A state() whose engine failed is reported as the engine's failure, not the template's.
class FailingEngineHost : public FakeTemplateHost {
 public:
  Value state(const std::string& stack, const std::string& component,
              const Origin& where) override {
    throw Error(ErrorKind::kEngineFailed,
                "could not read the outputs of " + stack + "/" + component, where);
  }
};

TEST(Errors, AFailedHostKeepsItsKind) {
  FailingEngineHost host;
  try {
    render(R"({{ (state "dev" "vpc").id }})", data(), &host);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kEngineFailed);
    EXPECT_NE(e.message().find("error calling state: could not read the outputs of dev/vpc"),
              std::string::npos)
        << e.message();
  }
}

TEST(Errors, StateFailureNamesTheComponentAndWhatToRun) {
  FakeTemplateHost host;
  try {
    render(R"({{ (state "dev" "vpc").id }})", data(), &host);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("error calling state: no outputs for component vpc in stack dev"), std::string::npos);
    EXPECT_NE(e.message().find("strata apply dev vpc"), std::string::npos);
  }
}

TEST(Errors, BadInputGivesPositionsNotCrashes) {
  const char* bad[] = {"{{ .a", "{{ if .a }}x", "{{ end }}", "{{ len }}", "{{ printf }}", "{{ (1 }}",
                       "{{ \"unterminated }}", "{{/* open", "{{ $x }}", "{{ break }}", "{{ 1 | 2 }}"};
  for (const char* text : bad) {
    RenderOptions options;
    options.missing_key = MissingKey::kDefault;
    EXPECT_THROW(render(text, data(), nullptr, options), Error) << text;
  }
}

TEST(Limits, RecursionDepthIsBounded) {
  try {
    render(R"({{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }})", data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("exceeded maximum template depth"), std::string::npos) << e.message();
  }
}

TEST(Limits, HugeRepeatIsAnErrorWithPosition) {
  try {
    render(R"(ok {{ repeat 1000000000000 "ab" }})", data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("template:1:6: "), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("exceed the output limit"), std::string::npos) << e.message();
  }
}

TEST(Limits, OutputSizeIsBounded) {
  RenderOptions options;
  options.limits.max_output = 1000;
  EXPECT_THROW(render(R"({{ range until 100 }}{{ repeat 20 "x" }}{{ end }})", data(), nullptr, options), Error);
}

TEST(Limits, ExponentialTemplateFanOutStops) {
  // 2^40 calls, each path shallower than the depth limit: only the step budget stops it.
  std::string text = R"({{ define "a" }}{{ if lt . 40 }}{{ template "a" (add1 .) }})"
                     R"({{ template "a" (add1 .) }}{{ end }}{{ end }}{{ template "a" 0 }})";
  RenderOptions options;
  options.limits.max_steps = 100000;
  try {
    render(text, data(), nullptr, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("exceeded 100000 steps"), std::string::npos) << e.message();
  }
}

TEST(StateCalls, FindsLiteralCalls) {
  auto calls = find_state_calls(
      R"({{ (state "dev" "vpc").id }} {{ if true }}{{ index (state "prod" "db") "x" }}{{ end }} {{ state .s "c" }})");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].stack, "dev");
  EXPECT_EQ(calls[0].component, "vpc");
  EXPECT_EQ(calls[1].stack, "prod");
  EXPECT_EQ(calls[1].component, "db");
  EXPECT_TRUE(find_state_calls("no templates here").empty());
  EXPECT_THROW(find_state_calls("{{ state \"a\" "), Error);
}

std::vector<std::string> state_refs(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& c : find_state_calls(text)) out.push_back(c.stack + "/" + c.component);
  return out;
}

TEST(StateCalls, FindsCallsInEveryCommonForm) {
  EXPECT_EQ(state_refs("{{ (state \"dev\" \"vpc\").id }}"), std::vector<std::string>{"dev/vpc"});
  EXPECT_EQ(state_refs("{{state \"dev\" \"vpc\" | toJson}}"), std::vector<std::string>{"dev/vpc"});
  EXPECT_EQ(state_refs("{{- index (state `prod` `db`) \"host\" -}}"),
            std::vector<std::string>{"prod/db"});
  EXPECT_EQ(state_refs("arn:{{ (state \"a\" \"b\").x }}-{{ (state \"c\" \"d\").y }}"),
            (std::vector<std::string>{"a/b", "c/d"}));
  EXPECT_EQ(state_refs("{{ define \"t\" }}{{ state \"a\" \"b\" }}{{ end }}{{ with $x := state "
                       "\"c\" \"d\" }}{{ end }}"),
            (std::vector<std::string>{"c/d", "a/b"}))
      << "the top level first, then each {{define}}";
}

TEST(StateCalls, IgnoresTextThatOnlyLooksLikeACall) {
  EXPECT_TRUE(state_refs("state \"dev\" \"vpc\"").empty()) << "outside an action";
  EXPECT_TRUE(state_refs("{{ .state }}").empty()) << "a field, not the function";
  EXPECT_THROW(state_refs("{{ mystate \"a\" \"b\" }}"), Error) << "no such function";
  EXPECT_TRUE(state_refs("{{ printf \"state \\\"a\\\" \\\"b\\\"\" }}").empty())
      << "inside a string";
  EXPECT_TRUE(state_refs("{{ $stack := \"dev\" }}{{ state $stack \"vpc\" }}").empty())
      << "not a literal";
  EXPECT_TRUE(state_refs("{{/* state \"a\" \"b\" */}}").empty()) << "a comment";
  EXPECT_THROW(state_refs("{{ state \"a\" \"b\""), Error) << "unterminated action";
}

TEST(StateCalls, HandlesBracesInsideStringArguments) {
  EXPECT_EQ(state_refs("{{ (state \"dev\" \"vpc\").id | printf \"}}%s\" }}"),
            std::vector<std::string>{"dev/vpc"});
}

TEST(StateCalls, MarksWholeActionsThatReadAnOutput) {
  const std::string text = "https://{{- (state \"dev\" \"db\").endpoint.host -}}:443/{{ .stack }}";
  auto calls = find_state_calls(text);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].fields, (std::vector<std::string>{"endpoint", "host"}));
  ASSERT_TRUE(calls[0].whole_action());
  EXPECT_EQ(text.substr(calls[0].action_begin, calls[0].action_end - calls[0].action_begin),
            "{{- (state \"dev\" \"db\").endpoint.host -}}");
  // Reads that are not the whole action, or not written with double quotes, still name the
  // output they read, but are not whole actions.
  for (const char* other :
       {"{{ (state \"dev\" \"db\").host | quote }}", "{{ $h := (state \"dev\" \"db\").host }}",
        "{{ (state `dev` `db`).host }}", "{{ if true }}{{ (state \"dev\" \"db\").host }}{{ end }}",
        "{{ printf \"%s:%d\" (state \"dev\" \"db\").host 443 }}"}) {
    auto plain = find_state_calls(other);
    ASSERT_EQ(plain.size(), 1u) << other;
    EXPECT_FALSE(plain[0].whole_action()) << other;
    EXPECT_EQ(plain[0].fields, std::vector<std::string>{"host"}) << other;
  }
  // A call whose result is used whole reads no output.
  auto bare = find_state_calls("{{ (state \"dev\" \"db\") | toJson }}");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_TRUE(bare[0].fields.empty());
  EXPECT_FALSE(bare[0].whole_action());
}

TEST(Functions, StrataExtras) {
  EXPECT_EQ(render(R"({{ .tags | toYaml }})", data()), "team: core");
  EXPECT_EQ(render(R"({{ dict "a" (list 1 "x") "b" "true" | toYaml }})", data()), "a:\n- 1\n- x\nb: \"true\"");
  EXPECT_EQ(render(R"({{ required "region is required" .region }})", data()), "eu-west-1");
  try {
    render(R"({{ required "set .zone" "" }})", data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("error calling required: set .zone"), std::string::npos);
  }
}

TEST(Cache, ParsedTemplatesAreReusedByText) {
  TemplateCache cache;
  auto a = cache.get("{{ .x }}");
  auto b = cache.get("{{ .x }}");
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace strata::tpl
