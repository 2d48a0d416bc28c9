// Stack files under tests/data/js/ run through the JavaScriptCore host; each test reads as
// "this file gives that model" or "this file gives that error at that position".
#include "config/js/stack_file_runner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "config/js/js_value.h"
#include "model/error.h"

namespace strata::js {
namespace {

std::string data_root() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/data/js";
}

struct Logged {
  LogLevel level;
  std::string text;
  std::string where;
};

class RunnerTest : public ::testing::Test {
 protected:
  RunnerOptions options() {
    RunnerOptions o;
    o.root = data_root();
    o.environment = &env_;
    o.log = [this](LogLevel level, const std::string& text, const Origin& where) {
      logged_.push_back({level, text, where.str()});
    };
    return o;
  }
  std::optional<Stack> run(const std::string& file) {
    StackFileRunner runner(options());
    return runner.run_file(data_root() + "/" + file);
  }
  // The rendered error of a file that must fail.
  std::string error_of(const std::string& file, RunnerOptions o) {
    StackFileRunner runner(std::move(o));
    try {
      runner.run_file(data_root() + "/" + file);
    } catch (const Error& e) {
      return e.render();
    }
    ADD_FAILURE() << file << " loaded without an error";
    return {};
  }
  std::string error_of(const std::string& file) { return error_of(file, options()); }

  std::map<std::string, std::string> env_;
  std::vector<Logged> logged_;
};

TEST_F(RunnerTest, BasicStackGivesTheModel) {
  auto stack = run("stacks/basic.js");
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->name, "basic");
  EXPECT_EQ(stack->source_file, "stacks/basic.js");
  EXPECT_EQ(stack->origin.str(), "stacks/basic.js:2:11");
  EXPECT_EQ(to_json_text(stack->options, -1),
            R"({"opts":{"count":3,"org":"acme"},"region":"eu-west-1"})");
  ASSERT_EQ(stack->components.size(), 2u);
  const Component& vpc = stack->components[0];
  EXPECT_EQ(vpc.name, "vpc");
  EXPECT_EQ(vpc.stack, "basic");
  EXPECT_EQ(vpc.source, "modules/vpc");
  EXPECT_EQ(vpc.origin.str(), "stacks/basic.js:4:13");
  EXPECT_EQ(
      to_json_text(vpc.inputs, -1),
      R"({"cidr":"10.0.0.0/16","enabled":true,"name":"basic-vpc","nothing":null,"ratio":0.5,"zones":3})");
  const Component& db = stack->components[1];
  EXPECT_EQ(
      to_json_text(db.inputs, -1),
      R"({"label":"db in {{ (state \"basic\" \"vpc\").id }}","vpc_id":"{{ (state \"basic\" \"vpc\").id }}","vpc_name":"basic-vpc"})");
  EXPECT_EQ(to_json_text(db.providers, -1), R"({"aws":{"region":"eu-west-1"}})");
  ASSERT_EQ(db.depends_on.size(), 1u);
  EXPECT_EQ(db.depends_on[0].str(), "basic/vpc");
  EXPECT_EQ(db.depends_on[0].origin.str(), "stacks/basic.js:14:12");
  EXPECT_TRUE(vpc.depends_on.empty());
  EXPECT_EQ(stack->backend.type, "s3");
  EXPECT_EQ(to_json_text(stack->backend.config, -1),
            R"({"bucket":"state","key":"{{ .stack }}/{{ .component }}.tfstate"})");
  EXPECT_EQ(stack->backend.origin.str(), "stacks/basic.js:20:1");
  ASSERT_EQ(stack->provider_appends.size(), 1u);
  EXPECT_EQ(stack->provider_appends[0], R"(data "aws_caller_identity" "me" {})");
  EXPECT_EQ(to_json_text(stack->metadata, -1),
            R"({"description":"basic stack","owner":"platform","tags":["a","b"]})");
  // Comet ignores `ignored` beside `inputs`; strata says so, where the component is declared.
  ASSERT_EQ(logged_.size(), 2u);
  EXPECT_EQ(logged_[0].text,
            "component('db'): option ignored is ignored (a config with inputs takes inputs, providers, "
            "depends_on and mock_outputs)");
  EXPECT_EQ(logged_[0].level, LogLevel::kWarning);
  EXPECT_EQ(logged_[0].where, "stacks/basic.js:14:12");
  EXPECT_EQ(logged_[1].text, "db is db in {{ (state \"basic\" \"vpc\").id }}");
  EXPECT_EQ(logged_[1].where, "stacks/basic.js:23:1");
}

}  // namespace
}  // namespace strata::js

namespace strata::js {
namespace {

TEST_F(RunnerTest, EveryGlobal) {
  env_ = {{"REGION", "eu-west-1"}, {"HOME", "/home/me"}};
  StackFileRunner runner(options());
  auto stack = runner.run_file(data_root() + "/stacks/globals.js");
  ASSERT_TRUE(stack);
  EXPECT_EQ(to_json_text(stack->options, -1), R"({"region":"eu-west-1"})");
  EXPECT_EQ(stack->env, (std::map<std::string, std::string>{
                            {"AWS_PROFILE", "dev"}, {"RETRIES", "3"}, {"TF_LOG", "info"}}));
  const Value& in = stack->components.at(0).inputs;
  EXPECT_EQ(in.find("profile")->as_string(), "dev");    // envs('K') reads the stack first
  EXPECT_EQ(in.find("home")->as_string(), "/home/me");  // then the environment
  EXPECT_EQ(in.find("unset")->as_string(), "");         // env.X is always a string
  // Secrets stay references while stack files load: nothing is decrypted, and what is built
  // from one (a template literal here) keeps the reference for the run to resolve.
  const std::string password = "{{ secret `sops://secrets/db.enc.yaml#/db/password` }}";
  EXPECT_EQ(in.find("password")->as_string(), password);
  EXPECT_EQ(in.find("dsn")->as_string(), "postgres://app:" + password + "@db:5432/app");
  EXPECT_EQ(in.find("token")->as_string(), "{{ secret `sops://secrets/dev.enc.yaml#/api/token` }}");
  EXPECT_FALSE(in.find("plain")->sensitive());
  EXPECT_EQ(
      to_json_text(stack->kubeconfig, -1),
      R"({"clusters":[{"cert":"Y2VydA==","context":"dev","host":"https://k8s"}],"current":0})");
  ASSERT_EQ(logged_.size(), 3u);
  EXPECT_EQ(logged_[0].text, R"(loaded {"components":1})");
  EXPECT_EQ(logged_[0].level, LogLevel::kInfo);
  EXPECT_EQ(logged_[0].where, "stacks/globals.js:19:1");
  EXPECT_EQ(logged_[1].level, LogLevel::kWarning);
  EXPECT_EQ(logged_[2].text, "bad 42");
  EXPECT_EQ(logged_[2].level, LogLevel::kError);
}

TEST_F(RunnerTest, RequireChainsCyclesIndexAndJson) {
  auto stack = run("modules/main.js");
  ASSERT_TRUE(stack);
  EXPECT_EQ(
      to_json_text(stack->components.at(0).inputs, -1),
      R"({"a_saw_b":"b","b_saw_partial_a":"a-early/undefined","cidr":"10.1.0.0/16","dir":true,"file":true,"small":1})");
}

TEST_F(RunnerTest, HelperFilesDeclareNoStack) {
  EXPECT_FALSE(run("modules/lib/a.js"));
  EXPECT_FALSE(run("errors/dup/helper.js"));
}

TEST_F(RunnerTest, ValuesConvertExactly) {
  auto stack = run("values/types.js");
  ASSERT_TRUE(stack);
  EXPECT_EQ(
      to_json_text(stack->components.at(0).inputs, -1),
      R"({"big":9007199254740991,"exp":1e+21,"float":1.25,"int":42,"list":[1,"two",null,null,[true]],)"
      R"("negative":-7,"nested":{"a":{"b":{"c":"deep"}}},"tiny":5e-07})");
}

TEST_F(RunnerTest, ValuesWithoutAnEquivalentNameTheirKeyPath) {
  const std::string prefix = "values/bad_";
  EXPECT_NE(error_of(prefix + "date.js")
                .find("values/bad_date.js:2:1: component('c'): inputs.deep.list[1].created: a "
                      "Date cannot be used as a value"),
            std::string::npos);
  EXPECT_NE(error_of(prefix + "fn.js")
                .find("values/bad_fn.js:2:1: component('c'): "
                      "inputs.deep.list[1].hook: a function cannot"),
            std::string::npos);
  EXPECT_NE(error_of(prefix + "sym.js").find("inputs.deep.list[1].s: a Symbol cannot"),
            std::string::npos);
  EXPECT_NE(error_of(prefix + "nan.js").find("inputs.deep.list[1].n: the number NaN"),
            std::string::npos);
}

TEST_F(RunnerTest, AValueWithoutAnEquivalentIsTheUsersError) {
  StackFileRunner runner(options());
  try {
    runner.run_file(data_root() + "/values/bad_fn.js");
    FAIL() << "bad_fn.js loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUserInput);
    EXPECT_NE(e.message().find("a function cannot be used as a value"), std::string::npos)
        << e.message();
  }
  // Thrown by the converter itself, the error is a strata::Error too, not an internal one.
  ConversionError direct("inputs.x", "a Symbol cannot be used as a value");
  const Error& as_error = direct;
  EXPECT_EQ(as_error.kind(), ErrorKind::kUserInput);
  EXPECT_EQ(as_error.render(), "inputs.x: a Symbol cannot be used as a value");
}

TEST_F(RunnerTest, ThrownErrorsGivePositionMessageAndJsStack) {
  EXPECT_EQ(error_of("errors/throw.js"),
            "errors/throw.js:4:15: Error: bad name nope\n"
            "  JS stack:\n"
            "    at check (errors/throw.js:4:15)\n"
            "    at <top level> (errors/throw.js:7:1)\n"
            "  hint: fix the stack file at the position above");
  EXPECT_EQ(error_of("errors/type_error.js"),
            "errors/lib/helper.js:2:24: TypeError: undefined is not an object (evaluating "
            "'config.missing.field') (while loading stack file errors/type_error.js)\n"
            "  JS stack:\n"
            "    at explode (errors/lib/helper.js:2:24)\n"
            "    at <top level> (errors/type_error.js:3:1)\n"
            "  hint: fix the stack file at the position above");
  // A thrown string has no stack: the file, line 1, and a message that says so.
  EXPECT_EQ(error_of("errors/throw_string.js"),
            "errors/throw_string.js:1:1: uncaught exception: plain text (thrown as a string, "
            "which carries no position: line 1 stands for the file)\n"
            "  hint: throw new Error(...) instead of a bare value to get the line it comes from");
}

TEST_F(RunnerTest, SyntaxErrorsNameFileLineAndColumn) {
  // JavaScriptCore gives the line only; the column is where a prefix of the file first fails.
  EXPECT_EQ(error_of("errors/syntax.js"),
            "errors/syntax.js:3:11: SyntaxError: Unexpected token '='\n"
            "  hint: fix the JavaScript syntax at this position");
  EXPECT_EQ(error_of("errors/syntax_in_required.js"),
            "errors/lib/broken.js:2:9: SyntaxError: Unexpected token ',' (while loading stack "
            "file errors/syntax_in_required.js)\n"
            "  JS stack:\n"
            "    at <top level> (errors/syntax_in_required.js:1:11)\n"
            "  hint: fix the JavaScript syntax at this position");
}

TEST_F(RunnerTest, MisuseOfTheGlobalsIsExplained) {
  EXPECT_EQ(error_of("errors/component_before_stack.js"),
            "errors/component_before_stack.js:3:3: component('vpc') was called before stack()\n"
            "  JS stack:\n"
            "    at <top level> (errors/component_before_stack.js:3:3)\n"
            "  hint: call stack('name', {...}) at the top of the stack file, before "
            "component('vpc')");
  EXPECT_NE(error_of("errors/dup_component.js")
                .find("errors/dup_component.js:3:1: component 'vpc' is declared twice in stack "
                      "'d'; the first is at errors/dup_component.js:2:1"),
            std::string::npos);
  EXPECT_NE(error_of("errors/stack_twice.js")
                .find("errors/stack_twice.js:2:1: stack() was called a second time; stack "
                      "'twice' was already declared at errors/stack_twice.js:1:1"),
            std::string::npos);
  EXPECT_NE(error_of("errors/bad_args.js")
                .find("errors/bad_args.js:2:1: component('name', 'module/path', {config}): "
                      "argument 1 must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(error_of("errors/missing_module.js")
                .find("errors/missing_module.js:2:13: require('./nope'): no file ./nope, "
                      "./nope.js or ./nope/index.js"),
            std::string::npos);
  std::string non_relative = error_of("errors/non_relative.js");
  EXPECT_NE(non_relative.find("errors/non_relative.js:2:11: require('lodash'): only relative "
                              "paths are supported"),
            std::string::npos);
  EXPECT_NE(non_relative.find("hint: write the path from this file"), std::string::npos);
}

TEST_F(RunnerTest, EndlessLoopIsStoppedAfterTheTimeout) {
  RunnerOptions o = options();
  o.timeout_seconds = 0.3;
  auto start = std::chrono::steady_clock::now();
  // JavaScriptCore records a frame's position at calls: the last one, stack(), on line 1.
  EXPECT_EQ(error_of("errors/loop.js", o),
            "errors/loop.js:1:1: stack file errors/loop.js was stopped after running for 0.3 s "
            "(the position is the last one JavaScriptCore recorded: a loop is at or after it)\n"
            "  hint: look for a loop that never ends; the limit is set by STRATA_JS_TIMEOUT "
            "(seconds)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The runner is usable after a stop.
  StackFileRunner runner(options());
  EXPECT_TRUE(runner.run_file(data_root() + "/stacks/basic.js"));
}

// Fuzzing (#18): a getter that never returns, read by strata's native code (a list item or a
// config key of component()), was stopped once, but the watchdog did not fire again, so a second
// such getter hung strata; and the stop stayed pending in JavaScriptCore, so the next file on the
// same VM failed in its prelude with "JavaScript execution terminated".
TEST_F(RunnerTest, EndlessGettersReadByStrataAreStoppedAndTheNextFileRuns) {
  RunnerOptions o = options();
  o.timeout_seconds = 0.3;
  for (const char* file : {"errors/endless_list_getters.js", "errors/endless_config_getters.js"}) {
    auto start = std::chrono::steady_clock::now();
    std::string error = error_of(file, o);
    EXPECT_NE(
        error.find(std::string(": stack file ") + file + " was stopped after running for 0.3 s"),
        std::string::npos)
        << error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << file;
    StackFileRunner runner(options());
    auto stack = runner.run_file(data_root() + "/stacks/basic.js");
    ASSERT_TRUE(stack) << "after " << file;
    EXPECT_EQ(stack->components.size(), 2u);
  }
}

// Fuzzing (#18): `zones.length = 200000000` made strata reserve 17 GB and walk 200 million
// holes in its own loop, where no watchdog reaches.
TEST_F(RunnerTest, AListLongerThanStrataTakesIsAnError) {
  EXPECT_NE(error_of("values/bad_long_list.js")
                .find("values/bad_long_list.js:4:1: component('c'): inputs.zones: a list of "
                      "200000000 items is longer than the 1000000 strata takes (was its length "
                      "set without items?)"),
            std::string::npos)
      << error_of("values/bad_long_list.js");
}

// The limit is the process's resident memory, so the test sets it 256 MiB above what this
// process already holds once JavaScriptCore is warm: under ASan (shadow memory) and on a loaded
// machine the resident size before the file runs can alone pass a fixed 256 MiB, and the file
// would then be stopped at its first line instead of in the loop that grows.
TEST_F(RunnerTest, UnboundedAllocationIsStopped) {
  ASSERT_TRUE(StackFileRunner(options()).run_file(data_root() + "/stacks/basic.js"));
  std::string statm;
  size_t total_pages = 0, resident_pages = 0;
  ASSERT_TRUE(try_read_file("/proc/self/statm", statm));
  ASSERT_EQ(std::sscanf(statm.c_str(), "%zu %zu", &total_pages, &resident_pages), 2);
  size_t limit_mib =
      resident_pages * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) / (1u << 20) + 256;
  RunnerOptions o = options();
  o.memory_limit_bytes = limit_mib << 20;  // far below what the file tries to take
  std::string error = error_of("errors/memory.js", o);
  std::string stopped = ": stack file errors/memory.js was stopped: strata's memory use passed " +
                        std::to_string(limit_mib) +
                        " MiB while it ran (the position is the last one JavaScriptCore "
                        "recorded: the data that grows is at or after it)\n";
  // JavaScriptCore records a frame's position at calls. While the loop runs in baseline code
  // that is the fill() on line 3; once it runs optimised, with push and fill inlined, the last
  // call the frame recorded is stack() on line 1 (as in EndlessLoopIsStoppedAfterTheTimeout).
  // Which one a run sees depends on when the JIT tiers up, that is on the machine's load.
  EXPECT_TRUE(error.starts_with("errors/memory.js:3:43" + stopped) ||
              error.starts_with("errors/memory.js:1:1" + stopped))
      << error;
  EXPECT_NE(error.find("hint: look for data that grows without end; the limit is set by "
                       "STRATA_JS_MEMORY_LIMIT_MB"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace strata::js

namespace strata::js {
namespace {

TEST_F(RunnerTest, DependsOnAndMockOutputsAreNotInputs) {
  auto stack = run("stacks/deps.js");
  ASSERT_TRUE(stack);
  const Component& app = stack->components.at(1);
  EXPECT_EQ(to_json_text(app.inputs, -1),
            R"({"cidr":"10.0.0.0/16","spread":"{}","tags":"{{ (state \"deps\" \"vpc\").tags }}"})");
  EXPECT_EQ(to_json_text(app.mock_outputs, -1), R"({"port":8080,"url":"http://mock"})");
  ASSERT_EQ(app.depends_on.size(), 2u);
  EXPECT_EQ(app.depends_on[0].str(), "deps/vpc");
  EXPECT_EQ(app.depends_on[1].str(), "other/db");
  EXPECT_EQ(app.depends_on[1].origin.str(), "stacks/deps.js:4:1");
}

TEST_F(RunnerTest, ASecretIsAReferenceThatStringMethodsCannotRead) {
  TempDir dir("strata-js-secret");
  auto stack_of = [&](const std::string& text) {
    std::ofstream(dir.file("s.js")) << text;
    RunnerOptions o = options();
    o.root = dir.path();
    return StackFileRunner(o).run_file(dir.file("s.js"));
  };
  auto error_text = [&](const std::string& text) {
    try {
      stack_of(text);
    } catch (const Error& e) {
      return e.render();
    }
    return std::string("no error");
  };
  // Whole, concatenated, in a template literal, through JSON.stringify and String(): references.
  auto stack = stack_of(
      "stack('s');\n"
      "secretsConfig({ defaultPath: 'sec.enc.yaml' });\n"
      "const db = secret('db');\n"
      "component('c', 'm', { inputs: {\n"
      "  url: 'postgres://u:' + secret('db.pw') + '@h',\n"
      "  pw: db.password,\n"
      "  json: JSON.stringify({ k: secret('k') }),\n"
      "  text: String(secret('k')),\n"
      "  whole: db,\n"
      "  op: secret('op://vault/item/field'),\n"
      "  same: secret('k') === secret('k'),\n"
      "} });\n");
  ASSERT_TRUE(stack);
  const Value& in = stack->components.at(0).inputs;
  EXPECT_EQ(in.find("url")->as_string(), "postgres://u:{{ secret `sops://sec.enc.yaml#/db/pw` }}@h");
  EXPECT_EQ(in.find("pw")->as_string(), "{{ secret `sops://sec.enc.yaml#/db/password` }}");
  EXPECT_EQ(in.find("json")->as_string(), R"({"k":"{{ secret `sops://sec.enc.yaml#/k` }}"})");
  EXPECT_EQ(in.find("text")->as_string(), "{{ secret `sops://sec.enc.yaml#/k` }}");
  EXPECT_EQ(in.find("whole")->as_string(), "{{ secret `sops://sec.enc.yaml#/db` }}");
  EXPECT_EQ(in.find("op")->as_string(), "{{ secret `op://vault/item/field` }}");
  EXPECT_FALSE(in.find("same")->as_bool());

  // What needs the plaintext is an error at its line, saying what to do instead.
  std::string e = error_text("stack('s');\nconst pw = secret('db.pw');\nconst up = pw.toUpperCase();\n");
  EXPECT_NE(e.find("s.js:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("secret('db.pw').toUpperCase: a secret has no text in a stack file"), std::string::npos) << e;
  EXPECT_NE(e.find("upper(var.password)"), std::string::npos) << e;
  e = error_text("stack('s');\n\nif (secret('db').pw.length > 8) {}\n");
  EXPECT_NE(e.find("s.js:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("secret('db').pw.length: a secret has no text"), std::string::npos) << e;
  e = error_text("stack('s');\nsecret('a`b');\n");
  EXPECT_NE(e.find("s.js:2:1: secret('a`b'): a secret reference cannot contain a backquote"), std::string::npos) << e;
}

}  // namespace
}  // namespace strata::js
