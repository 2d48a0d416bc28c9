// The CLI shell as a user meets it: help, version, unknown commands and flags, workdir locks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>

#include "tests/support/cli_runner.h"
#include "tests/support/golden_tree.h"

namespace strata::testing {
namespace {

TEST(CliTest, HelpListsCommandsWithDescriptions) {
  TestProject p;
  CliResult r = p.run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
  EXPECT_NE(r.out.find("Show strata's version"), std::string::npos);
}

TEST(CliTest, VersionNamesTheEngineItWouldRun) {
  TestProject p;
  CliResult r = p.run({"version", "--json"}, {{"STRATA_ENGINE", tofu_sim_binary()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"version\""), std::string::npos);
  EXPECT_NE(r.out.find("\"commit\""), std::string::npos);
}

// A usage error exits 64 (EX_USAGE), never 2: under plan --detailed-exitcode 2 means "changes
// present", and a CI job with a typo must not read as that.
TEST(CliTest, UnknownCommandSuggestsTheClosestOneAndExitsWithUsage) {
  TestProject p;
  CliResult r = p.run({"versoin"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("unknown command \"versoin\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"strata version\"?"), std::string::npos) << r.err;
}

TEST(CliTest, UnknownFlagSuggestsTheClosestOneAndNamesTheCommandsHelp) {
  TestProject p;
  CliResult r = p.run({"version", "--jsn"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("did you mean --json?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Run 'strata version --help' for its usage."), std::string::npos) << r.err;
  CliResult plan = p.run({"plan", "--all", "--detailed-exitcod"});
  EXPECT_EQ(plan.exit_code, 64);
  EXPECT_NE(plan.err.find("did you mean --detailed-exitcode?"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find("Run 'strata plan --help' for its usage."), std::string::npos) << plan.err;
  CliResult secrets = p.run({"secrets", "get"});
  EXPECT_EQ(secrets.exit_code, 64);
  EXPECT_NE(secrets.err.find("Run 'strata secrets get --help' for its usage."), std::string::npos) << secrets.err;
}

TEST(CliTest, MissingDirectoryIsAUsageError) {
  TestProject p;
  CliResult r = p.run({"-C", "/nonexistent/dir", "version"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("cannot change to directory"), std::string::npos) << r.err;
}

TEST(CliTest, VersionFlagPrintsTheFirstLineOfVersionWithoutAProject) {
  TestProject p;
  CliResult version = p.run({"version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  std::string first_line = version.out.substr(0, version.out.find('\n') + 1);
  EXPECT_TRUE(first_line.starts_with("strata ")) << first_line;
  for (const char* flag : {"--version", "-V"}) {
    CliResult r = p.run({flag});
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_EQ(r.out, first_line) << flag;
  }
}

TEST(CliTest, HelpCommandShowsTheHelpOfStrataOrOfOneCommand) {
  TestProject p;
  CliResult plan = p.run({"help", "plan"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(plan.out, p.run({"plan", "--help"}).out);
  EXPECT_NE(plan.out.find("--detailed-exitcode"), std::string::npos) << plan.out;
  CliResult nested = p.run({"help", "secrets", "decrypt"});
  EXPECT_EQ(nested.exit_code, 0) << nested.err;
  EXPECT_EQ(nested.out, p.run({"secrets", "decrypt", "--help"}).out);
  CliResult all = p.run({"help"});
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_EQ(all.out, p.run({"--help"}).out);
  CliResult typo = p.run({"help", "pln"});
  EXPECT_EQ(typo.exit_code, 64);
  EXPECT_NE(typo.err.find("unknown command \"pln\""), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean \"plan\"?"), std::string::npos) << typo.err;
}

TEST(CliTest, JobsBelowOneAreRefused) {
  TestProject p;
  for (const char* jobs : {"0", "-1", "many"}) {
    CliResult r = p.run({"plan", "--all", "-j", jobs});
    EXPECT_EQ(r.exit_code, 64) << jobs << ": " << r.err;
    EXPECT_NE(r.err.find("--jobs: must be a whole number of engine processes, at least 1, not \"" +
                         std::string(jobs) + "\""),
              std::string::npos)
        << r.err;
  }
}

// The commands `strata --help` lists, read from its output so a new command is checked too.
std::vector<std::string> listed_commands(const TestProject& p) {
  std::string help = p.run({"--help"}).out;
  std::vector<std::string> names;
  size_t at = help.find("Subcommands:\n");
  std::istringstream lines(help.substr(at + 13));
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

TEST(CliTest, EveryCommandsHelpDocumentsItsExitCodesAndEnvironment) {
  TestProject p;
  std::vector<std::string> commands = listed_commands(p);
  ASSERT_GE(commands.size(), 15u);
  for (const auto& name : commands) {
    CliResult r = p.run({name, "--help"});
    if (name == "secrets") r = p.run({"secrets", "decrypt", "--help"});
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_NE(r.out.find("Exit status:\n  0   success\n  1   failure"), std::string::npos) << name << ":\n" << r.out;
    EXPECT_NE(r.out.find("  64  usage error"), std::string::npos) << name << ":\n" << r.out;
    // 2 is plan's "changes present" and nothing else.
    EXPECT_EQ(r.out.find("\n  2 ") != std::string::npos, name == "plan") << name << ":\n" << r.out;
  }
  std::string plan = p.run({"plan", "--help"}).out;
  for (const char* var : {"STRATA_ENGINE", "STRATA_JS_TIMEOUT", "STRATA_JS_CACHE", "NO_COLOR", "SOPS_AGE_KEY_FILE"})
    EXPECT_NE(plan.find("\n  " + std::string(var) + " "), std::string::npos) << var << ":\n" << plan;
  std::string list = p.run({"list", "--help"}).out;
  EXPECT_NE(list.find("STRATA_JS_TIMEOUT"), std::string::npos) << list;
  EXPECT_EQ(list.find("STRATA_ENGINE"), std::string::npos) << list;  // list never runs an engine
  // A command's own footer stays, before the shared one.
  std::string output = p.run({"output", "--help"}).out;
  EXPECT_LT(output.find("leaf folder"), output.find("Exit status:")) << output;
}

// A CI job started in the wrong folder must not pass: every stack command fails outside a
// project, saying where it looked and how to start one.
TEST(CliTest, StackCommandsOutsideAProjectFailAndSayHowToStartOne) {
  TestProject p;
  p.write("notes/readme.txt", "not a project\n");
  const std::vector<std::vector<std::string>> commands = {
      {"list"},         {"validate"},         {"describe", "dev"}, {"generate", "--all"},
      {"plan", "--all"}, {"init", "--all"},   {"apply", "--all", "--auto-approve"},
      {"destroy", "--all", "--auto-approve"}, {"output", "dev", "app"}, {"run", "dev", "app", "--", "version"},
      {"graph"},        {"clean"}};
  for (const auto& args : commands) {
    std::vector<std::string> argv = {"-C", "notes"};
    argv.insert(argv.end(), args.begin(), args.end());
    CliResult r = p.run(argv, {{"STRATA_ENGINE", tofu_sim_binary()}});
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("error: no strata project in " + p.path("notes") + " or any folder above it"),
              std::string::npos)
        << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("`strata new DIR`"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out.find("ok"), std::string::npos) << args[0] << ": " << r.out;
  }
  // `version` needs no project.
  EXPECT_EQ(p.run({"version"}).exit_code, 0);
}

// From any folder inside a project, the root is found by walking up.
TEST(CliTest, AProjectIsFoundFromItsSubfolders) {
  TestProject p;
  p.write("modules/m/main.tf", "output \"x\" { value = 1 }\n");
  p.write("stacks/dev.js", "stack('dev');\ncomponent('app', 'modules/m', { inputs: {} });\n");
  CliResult r = p.run({"-C", p.path("modules/m"), "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("app  modules/m"), std::string::npos) << r.out;
}

// `strata new --js DIR` (the flag once crashed strata on exit: CLI11 wrote through a dangling
// pointer).
TEST(CliTest, NewWithJsFlagWritesTheSameProject) {
  TestProject p;
  CliResult r = p.run({"new", "--js", "infra"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(p.exists("infra/strata.yaml"));
  CliResult list = p.run({"-C", p.path("infra"), "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
}

// `strata new DIR`: a project with two stacks, the second reading the first, and a folder that
// already holds files is never written into.
TEST(CliTest, NewWritesAProjectWhoseStacksReferToEachOther) {
  TestProject p;
  CliResult r = p.run({"new", "infra"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("strata plan --all"), std::string::npos) << r.out;
  for (const char* file : {"infra/strata.yaml", "infra/.gitignore", "infra/modules/service/main.tf",
                           "infra/stacks/network.js", "infra/stacks/app.js"})
    EXPECT_TRUE(p.exists(file)) << file;
  CliResult list = p.run({"-C", "infra", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("  web  modules/service  after network/core"), std::string::npos) << list.out;
  EXPECT_EQ(p.run({"-C", "infra", "validate"}).exit_code, 0);

  std::string before = p.read("infra/stacks/app.js");
  CliResult again = p.run({"new", "infra"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("infra is not empty; strata new writes only into a new or empty folder"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(p.read("infra/stacks/app.js"), before);
}

// Runs `script` with `shell -c` in `cwd`, with strata's folder first on PATH (as an installed
// strata would be); stdout and stderr together.
CliResult run_shell(const std::string& shell, const std::string& script, const std::string& cwd) {
  SubprocessOptions o;
  o.argv = {shell, "-c", script};
  o.cwd = cwd;
  const char* path = std::getenv("PATH");
  o.env = {{"PATH", std::filesystem::path(strata_binary()).parent_path().string() + ":" + (path ? path : "")},
           {"MANWIDTH", "200"}, {"MANPAGER", "cat"}, {"HOME", cwd}};
  o.capture_stdout = true;
  o.capture_stderr = true;
  Subprocess p(std::move(o));
  SubprocessResult r = p.run();
  return {r.exit_code, r.stdout_text + r.stderr_text, ""};
}

// The bash script is loaded by bash and completes commands, flags, stacks and components of the
// project in the current folder, through the real `strata __complete`.
TEST(CliTest, BashCompletionCompletesCommandsFlagsStacksAndComponents) {
  TestProject p;
  ASSERT_EQ(p.run({"new", "infra"}).exit_code, 0);
  auto complete = [&](const std::string& words) {
    return run_shell("bash",
                     "source <(strata completion bash) && complete -p strata && COMP_WORDS=(" + words +
                         ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _strata && echo \"[${COMPREPLY[*]}]\"",
                     p.path("infra"));
  };
  CliResult commands = complete("strata pl");
  EXPECT_EQ(commands.exit_code, 0) << commands.out;
  EXPECT_NE(commands.out.find("complete -o default -F _strata strata"), std::string::npos) << commands.out;
  EXPECT_NE(commands.out.find("[plan]"), std::string::npos) << commands.out;
  EXPECT_NE(complete("strata plan --detailed").out.find("[--detailed-exitcode]"), std::string::npos);
  EXPECT_NE(complete("strata -q plan ''").out.find("[app network]"), std::string::npos)
      << complete("strata -q plan ''").out;
  EXPECT_NE(complete("strata describe app ''").out.find("[web]"), std::string::npos)
      << complete("strata describe app ''").out;
  EXPECT_NE(complete("strata help sec").out.find("[secrets]"), std::string::npos) << complete("strata help sec").out;
  EXPECT_NE(complete("strata help se").out.find("[secrets server]"), std::string::npos) << complete("strata help se").out;
  EXPECT_NE(complete("strata completion ''").out.find("[bash fish zsh]"), std::string::npos);
  // Hidden helpers are not offered.
  EXPECT_EQ(complete("strata ''").out.find("__complete"), std::string::npos);
  EXPECT_EQ(complete("strata ''").out.find("man"), std::string::npos);
}

TEST(CliTest, ZshAndFishCompletionScriptsParse) {
  TestProject p;
  for (const std::string shell : {"zsh", "fish"}) {
    CliResult script = p.run({"completion", shell});
    ASSERT_EQ(script.exit_code, 0) << script.err;
    EXPECT_NE(script.out.find("strata __complete --"), std::string::npos) << script.out;
    p.write("strata." + shell, script.out);
    if (!std::filesystem::exists("/usr/bin/" + shell)) {
      ADD_FAILURE() << shell << " is not installed (scripts/bootstrap installs it)";
      continue;
    }
    CliResult parsed = run_shell(shell, shell + " -n strata." + shell, p.root());
    EXPECT_EQ(parsed.exit_code, 0) << shell << ": " << parsed.out;
  }
  CliResult bad = p.run({"completion", "tcsh"});
  EXPECT_EQ(bad.exit_code, 64);
}

// The man page is generated from the commands' help: every line of every command's --help is in
// the page man renders.
TEST(CliTest, ManPageRendersAndHoldsEveryCommandsHelp) {
  TestProject p;
  CliResult roff = p.run({"man"});
  ASSERT_EQ(roff.exit_code, 0) << roff.err;
  p.write("strata.1", roff.out);
  CliResult page = run_shell("bash", "man -l strata.1", p.root());
  ASSERT_EQ(page.exit_code, 0) << page.out;
  EXPECT_NE(page.out.find("strata - run OpenTofu/Terraform"), std::string::npos) << page.out;
  // troff says "warning:" for markup it cannot render (help text may say "warnings").
  EXPECT_EQ(page.out.find("warning:"), std::string::npos) << page.out;
  for (const std::string command : {"plan", "new", "completion", "secrets decrypt"}) {
    std::vector<std::string> args;
    std::istringstream words(command);
    for (std::string w; words >> w;) args.push_back(w);
    args.push_back("--help");
    std::istringstream help(p.run(args).out);
    for (std::string line; std::getline(help, line);) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      EXPECT_NE(page.out.find(line), std::string::npos) << command << ": \"" << line << "\" is not in the man page";
    }
  }
}

TEST(CliTest, SecretsDecryptPrintsOnlyToATerminalOrWithForce) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::string sops = dir + "/sops/fluxcd-kustomize-controller/sops";
  std::map<std::string, std::string> env = {{"SOPS_AGE_KEY_FILE", sops + "/keys/age.txt"}};
  CliResult refused = p.run({"secrets", "decrypt", sops + "/algorithms/age.yaml"}, env);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refusing to print decrypted secrets"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.out.find("value"), std::string::npos);
  CliResult shown =
      p.run({"secrets", "decrypt", sops + "/algorithms/age.yaml", "--extract", "/stringData/key", "--force"}, env);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "value\n");
}

TEST(CliTest, SecretsGetResolvesAReferenceRelativeToTheProjectRootFromASubfolder) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::string sops = dir + "/sops/fluxcd-kustomize-controller/sops";
  std::filesystem::copy_file(sops + "/algorithms/age.yaml", p.path("secrets.enc.yaml"));
  p.write("strata.yaml", "engine: terraform\n");
  p.write("stacks/sub/keep.txt", "");
  std::map<std::string, std::string> env = {{"SOPS_AGE_KEY_FILE", sops + "/keys/age.txt"}};
  CliResult shown = p.run(
      {"-C", "stacks/sub", "secrets", "get", "sops://secrets.enc.yaml#/stringData/key", "--force"}, env);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "value\n");
  CliResult missing =
      p.run({"secrets", "get", "sops://secrets.enc.yaml#/stringData/nope", "--force"}, env);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.out, "");
}

TEST(CliTest, KomposStackIsSelectedByItsConfigFolderAndRendersVersionedSources) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::filesystem::copy(dir + "/kompos-himl/adobe-kompos/examples/02-module-version-pinning", p.root(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  CliResult r = p.run({"generate", "config/env=dev/cluster=cluster1/"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string main_tf = p.read(".strata/env=dev/cluster=cluster1/vpc/main.tf");
  EXPECT_NE(main_tf.find("terraform-aws-vpc.git?ref=v2.0.0-rc\""), std::string::npos) << main_tf;
  std::string tfvars = p.read(".strata/env=dev/cluster=cluster1/vpc/variables.tfvars.json");
  EXPECT_NE(tfvars.find("\"config\": {"), std::string::npos) << tfvars;
}

// .komposconfig.yaml `terraform.versioned_extension`: `main.tf.tmpl-versioned` is rendered into
// main.tf (the main.tf beside it is left out); a .tf.versioned file is then an ordinary file.
TEST(CliTest, KomposVersionedExtensionNamesTheFilesRendered) {
  TestProject p;
  p.write(".komposconfig.yaml",
          "komposconfig:\n"
          "  terraform:\n"
          "    versioned_extension: .tf.tmpl-versioned\n");
  p.write("modules/vpc/main.tf", "# replaced by main.tf.tmpl-versioned\n");
  p.write("modules/vpc/main.tf.tmpl-versioned",
          "module \"vpc\" {\n"
          "  source = \"git::https://example.com/vpc.git?ref={{vpc.module_version}}\"\n"
          "}\n");
  p.write("modules/vpc/extra.tf.versioned", "# source {{kept}}\n");
  p.write("config/env=dev/composition=terraform/terraform=vpc/vpc.yaml",
          "vpc:\n  module_version: v1.2.3\n");
  CliResult r = p.run({"generate", "config/env=dev/composition=terraform/terraform=vpc"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(p.read(".strata/env=dev/vpc/main.tf"),
            "module \"vpc\" {\n"
            "  source = \"git::https://example.com/vpc.git?ref=v1.2.3\"\n"
            "}\n");
  EXPECT_EQ(p.read(".strata/env=dev/vpc/extra.tf.versioned"), "# source {{kept}}\n");
  EXPECT_FALSE(p.exists(".strata/env=dev/vpc/main.tf.tmpl-versioned"));

  p.write(".komposconfig.yaml", "komposconfig:\n  terraform:\n    versioned_extension: tmpl\n");
  CliResult bad = p.run({"validate"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "error: .komposconfig.yaml:3:26: `komposconfig.terraform.versioned_extension` must "
            "start with \".\" and name a file ending, not \"tmpl\"\n"
            "  hint: write a file name ending that starts with a dot, such as .tf.versioned\n");
}

// .komposconfig.yaml settings of Kompos's other runners: `validate` names each one, with what
// strata does instead; a plan or generate stays quiet about them.
// A Kompos tree kept outside config_dir (Kompos takes any path): strata says where it looks
// and how to point it at the tree, instead of a bare "no stack".
TEST(CliTest, KomposTreeOutsideTheConfigFolderIsExplained) {
  TestProject p;
  p.write(".komposconfig.yaml", "komposconfig:\n  terraform:\n    local_path: ./modules\n");
  p.write("modules/vpc/main.tf", "");
  p.write("data/cloud=aws/env=dev/composition=terraform/terraform=vpc/vpc.yaml", "cidr: 10.0.0.0/16\n");
  CliResult validate = p.run({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_EQ(validate.err,
            ".komposconfig.yaml: warning: this Kompos project has no config/ folder, so strata found no "
            "hierarchical YAML stacks in it\n"
            "  hint: strata reads the configuration tree from config_dir (strata.yaml `config_dir`, default "
            "config); set it to the folder that holds your cloud=…/env=… tree\n");
  CliResult describe = p.run({"describe", "data/cloud=aws/env=dev"});
  EXPECT_EQ(describe.exit_code, 1);
  EXPECT_EQ(describe.err,
            "error: folder data/cloud=aws/env=dev is not under the config folder (config), so it holds no "
            "stack\n"
            "  hint: strata reads hierarchical YAML from config_dir only; if this is your configuration "
            "tree, set `config_dir: data` in strata.yaml\n");
  // Under a nested config_dir, a folder with no stack is just that, not "outside".
  p.write("strata.yaml", "config_dir: data/cloud=aws\n");
  p.write("data/cloud=aws/env=qa/qa.yaml", "a: 1\n");
  CliResult nested = p.run({"plan", "data/cloud=aws/env=qa"});
  EXPECT_NE(nested.exit_code, 0);
  EXPECT_EQ(nested.err.find("not under the config folder"), std::string::npos) << nested.err;
  p.write("strata.yaml", "config_dir: data\n");
  CliResult fixed = p.run({"list", "data/cloud=aws/env=dev"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("vpc"), std::string::npos) << fixed.out;
}

// Stack and component names are folders under the work dir: names that would leave it are
// refused before anything is written.
TEST(CliTest, NamesThatWouldLeaveTheWorkDirAreRefused) {
  TestProject p;
  p.write("modules/m/main.tf", "output \"x\" { value = 1 }\n");
  p.write("stacks/a.js", "stack('../../outside');\ncomponent('app', 'modules/m', { inputs: {} });\n");
  p.write("stacks/b.js", "stack('b');\ncomponent('../escape', 'modules/m', { inputs: {} });\n");
  CliResult r = p.run({"generate", "--all"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("error: stacks/a.js:1:1: stack name \"../../outside\" cannot be used: it has a \"..\" "
                       "part, which would leave its folder"),
            std::string::npos)
      << r.err;
  CliResult v = p.run({"validate"});
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(v.err.find("error: stacks/b.js:2:1: component name \"../escape\" in stack b cannot be used: it holds "
                       "a '/'"),
            std::string::npos)
      << v.err;
  EXPECT_FALSE(std::filesystem::exists(p.path("../outside")));
  EXPECT_FALSE(std::filesystem::exists(p.path(".strata/escape")));
  EXPECT_FALSE(std::filesystem::exists(p.path("escape")));
}

// Two components with one name in one stack, or a nested stack inside another component's
// workdir, would share folders and state: refused.
TEST(CliTest, ComponentsThatWouldShareAWorkdirAreRefused) {
  TestProject p;
  p.write(".komposconfig.yaml", "komposconfig:\n  compositions:\n    order:\n      terraform: [cluster]\n");
  p.write("modules/cluster/main.tf", "");
  p.write("config/env=dev/composition=cluster/c.yaml", "size: 3\n");
  p.write("config/env=dev/composition=terraform/terraform=cluster/c.yaml", "size: 4\n");
  CliResult dup = p.run({"validate"});
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_NE(dup.err.find("error: config/env=dev/composition=terraform/terraform=cluster: component cluster is "
                         "declared twice in stack env=dev: at config/env=dev/composition=cluster and here"),
            std::string::npos)
      << dup.err;

  TestProject q;
  q.write("modules/m/main.tf", "");
  q.write("stacks/a.js", "stack('a');\ncomponent('b', 'modules/m', { inputs: {} });\n");
  q.write("stacks/ab.js", "stack('a/b');\ncomponent('c', 'modules/m', { inputs: {} });\n");
  CliResult nested = q.run({"generate", "--all"});
  EXPECT_NE(nested.exit_code, 0);
  EXPECT_NE(nested.err.find("stack a/b would keep its workdirs inside the workdir of component b of stack a "
                            "(stacks/a.js:2:1)"),
            std::string::npos)
      << nested.err;
  EXPECT_FALSE(q.exists(".strata/a"));
}

// A newer Kompos leaf, composition=<type>, names its component like a terraform=<name> leaf.
TEST(CliTest, TypedCompositionLeafFolderNamesItsComponent) {
  TestProject p;
  p.write(".komposconfig.yaml", "komposconfig:\n  compositions:\n    order:\n      terraform: [cluster]\n");
  p.write("modules/cluster/main.tf", "variable \"config\" {}\n");
  p.write("config/env=dev/composition=cluster/c.yaml", "size: 3\n");
  CliResult describe = p.run({"describe", "config/env=dev/composition=cluster/", "--json"});
  ASSERT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_NE(describe.out.find("\"size\": 3"), std::string::npos) << describe.out;
  CliResult generate = p.run({"generate", "config/env=dev/composition=cluster"});
  ASSERT_EQ(generate.exit_code, 0) << generate.out << generate.err;
  EXPECT_EQ(p.read(".strata/env=dev/cluster/variables.tfvars.json"), "{\n  \"config\": {\n    \"size\": 3\n  }\n}\n");
}

TEST(CliTest, ValidateNamesKomposSettingsStrataLeavesToKomposRunners) {
  TestProject p;
  p.write("strata.yaml", "work_dir: build/work\n");
  p.write(".komposconfig.yaml",
          "komposconfig:\n"
          "  defaults:\n"
          "    base_dir: ./generated\n"
          "  compositions:\n"
          "    build_order:\n"
          "      - {runner: terraform, type: cluster}\n"
          "      - {runner: terraform, type: network}\n"
          "    order:\n"
          "      terraform: [network, cluster]\n"
          "    properties:\n"
          "      cluster: {output_subdir: clusters, default_replicas: 3}\n"
          "  tfe:\n"
          "    tfvars_config: {extension: .tfvars.yaml}\n");
  p.write("modules/network/main.tf", "");
  p.write("modules/cluster/main.tf", "");
  p.write("config/env=dev/composition=terraform/terraform=network/n.yaml", "a: 1\n");
  p.write("config/env=dev/composition=terraform/terraform=cluster/c.yaml", "a: 1\n");
  CliResult r = p.run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 stacks, 2 components: ok\n");
  const std::string workdirs =
      "strata writes workdirs like Kompos's terraform runner (which uses .kompos-runtime/), not "
      "there: under the project's work_dir (strata.yaml `work_dir`: build/work), one folder per "
      "stack and component";
  EXPECT_EQ(r.err,
            ".komposconfig.yaml:3:15: warning: `komposconfig.defaults.base_dir` is not used by "
            "strata: Kompos's tfe and compile runners write their generated files under it\n"
            "  hint: " + workdirs + "\n"
            ".komposconfig.yaml:6:35: warning: `komposconfig.compositions.build_order` is not used "
            "by strata: it is the order Kompos's compile runner dispatches compositions in, "
            "across runners; its terraform entries put cluster before network, which contradicts "
            "`compositions.order.terraform`\n"
            "  hint: strata follows `compositions.order.terraform` (network before cluster); make "
            "the two lists agree\n"
            ".komposconfig.yaml:11:32: warning: "
            "`komposconfig.compositions.properties.cluster.output_subdir` is not used by strata: "
            "Kompos's tfe runner writes the files of composition cluster under "
            "<base_dir>/<output_subdir>/<instance>/\n"
            "  hint: " + workdirs + "; {{komposconfig.compositions.properties.cluster.output_subdir}} "
            "still resolves in the configuration\n"
            ".komposconfig.yaml:13:20: warning: `komposconfig.tfe.tfvars_config` is not used by "
            "strata: it configures the .tfvars.yaml files Kompos's tfe runner writes\n"
            "  hint: strata runs OpenTofu/Terraform itself in workdirs under the project's work_dir "
            "(strata.yaml `work_dir`: build/work) and writes no Terraform Enterprise files\n");

  CliResult generate = p.run({"generate", "config/env=dev"});
  EXPECT_EQ(generate.exit_code, 0) << generate.err;
  EXPECT_EQ(generate.err.find("not used by strata"), std::string::npos) << generate.err;
  EXPECT_TRUE(p.exists("build/work/env=dev/cluster/main.tf"));
  EXPECT_FALSE(p.exists("generated"));

  p.write(".komposconfig.yaml", "komposconfig:\n  defaults:\n    base_dir: 42\n");
  CliResult bad = p.run({"validate"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "error: .komposconfig.yaml:3:15: `komposconfig.defaults.base_dir` must be a string, "
            "not a number\n"
            "  hint: write a folder path such as \"./generated\"\n");
}

TEST(CliTest, OutputAndRunHelpShowTheLeafFolderForms) {
  TestProject p;
  CliResult output = p.run({"output", "--help"});
  EXPECT_EQ(output.exit_code, 0);
  EXPECT_NE(output.out.find("Usage: strata output [OPTIONS] stack [component] [name]\n"),
            std::string::npos)
      << output.out;
  EXPECT_NE(output.out.find("word after it is the output NAME: strata output LEAF_FOLDER [NAME]."),
            std::string::npos)
      << output.out;
  CliResult run = p.run({"run", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("strata run LEAF_FOLDER -- ARGS...\n"), std::string::npos) << run.out;
}

// Whether some process holds the flock on `path` (probed without taking it for long).
bool lock_is_held(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also drops the lock if we took it
  return held;
}

// A second strata on a workdir another strata holds fails at once, naming the holder's pid. The
// holder is a plan whose engine (tofu-sim, a simulator) takes four seconds, so the lock is held
// for certain while the second one runs — a generate of a big module held it for too short a
// window to be seen on a loaded machine.
TEST(CliTest, SecondStrataOnAHeldWorkdirFailsAtOnceNamingTheFirstOnesPid) {
  TestProject p;
  p.write("strata.yaml", "stacks_dir: stacks\n");
  p.write("stacks/dev.js", "stack('dev', {});\ncomponent('app', 'modules/app', { inputs: {} });\n");
  p.write("modules/app/main.tf", "output \"x\" { value = 1 }\n");
  const std::string lock = p.path(".strata/dev/app/.strata.lock");
  CliResult first;
  std::thread holder([&] {
    first = p.run({"plan", "dev"}, {{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "4000"}});
  });
  // Wait until the first one holds the lock (it writes its PID into the lock file).
  bool held = false;
  for (int i = 0; i < 6000 && !held; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    held = lock_is_held(lock);
  }
  if (!held) {
    holder.join();
    FAIL() << "the first strata never took the workdir lock: " << first.out << first.err;
  }
  std::string content;
  for (int i = 0; i < 100 && content.find('\n') == std::string::npos; ++i) {
    content = read_file(lock);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string pid = content.substr(0, content.find('\n'));
  auto start = std::chrono::steady_clock::now();
  CliResult second = p.run({"generate", "dev"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bool first_still_running = lock_is_held(lock);
  holder.join();
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE((second.out + second.err).find("pid " + pid), std::string::npos) << second.out << second.err;
  EXPECT_TRUE(first_still_running) << "the second strata waited for the first instead of failing at once ("
                                   << seconds << " s)";
}

TEST(CliTest, LockLeftByAKilledStrataDoesNotBlockGenerate) {
  TestProject p;
  p.write("strata.yaml", "stacks_dir: stacks\n");
  p.write("stacks/dev.js", "stack('dev', {});\ncomponent('app', 'modules/app', { inputs: {} });\n");
  p.write("modules/app/main.tf", "output \"x\" { value = 1 }\n");
  // What a strata killed with SIGKILL leaves: the lock file with its PID, but no flock held.
  p.write(".strata/dev/app/.strata.lock", "999999\nstrata generate dev\n");
  CliResult r = p.run({"generate", "dev"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(p.exists(".strata/dev/app/main.tf"));
}

TEST(CliTest, QuietGenerateShowsOnlyTheOutcome) {
  TestProject p;
  p.write("strata.yaml", "stacks_dir: stacks\n");
  p.write("stacks/dev.js",
          "stack('dev', {});\ncomponent('app', 'modules/app', {});\ncomponent('db', 'modules/app', {});\n");
  p.write("modules/app/main.tf", "output \"x\" { value = 1 }\n");
  CliResult loud = p.run({"generate", "dev"});
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_NE(loud.out.find("[dev/app] started"), std::string::npos) << loud.out;
  EXPECT_NE(loud.out.find("COMPONENT"), std::string::npos) << loud.out;
  CliResult quiet = p.run({"generate", "dev", "-q"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out.find("[dev/app]"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("COMPONENT"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.rfind("2 succeeded, 0 failed, 0 skipped", 0), 0u) << quiet.out;
}

// The quickstart, generated by the real binary, matches the checked-in tree byte for byte
// (STRATA_UPDATE_GOLDEN=1 rewrites it), and a second generate rewrites nothing.
TEST(CliTest, QuickstartGeneratesTheGoldenTree) {
  TestProject p;
  std::filesystem::copy(source_dir() + "/examples/quickstart", p.root(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove_all(p.path(".strata"));  // left by a local scripts/quickstart run
  CliResult r = p.run({"generate", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Everything but run records, logs, locks and the stack-file result cache.
  Tree actual = read_golden_tree(p.path(".strata"), [](const std::string& rel) {
    return !rel.starts_with(".runs/") && !rel.starts_with(".logs/") && !rel.starts_with(".cache/") &&
           !rel.ends_with(".strata.lock");
  });
  expect_golden_tree(actual, source_dir() + "/tests/data/generate-quickstart");
  CliResult again = p.run({"generate", "--all"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(again.out.find(" written, 0 unchanged"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 written, 3 unchanged, 0 removed in .strata/dev/app"), std::string::npos) << again.out;
}

// Kompos: describe takes the config folder and, with --origins, says which layer each leaf came
// from (what himl prints, explained).
TEST(CliTest, DescribeOriginsShowsWhichLayerEachValueCameFrom) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::filesystem::copy(dir + "/kompos-himl/adobe-kompos/examples/02-module-version-pinning", p.root(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  CliResult r = p.run({"describe", "config/env=dev/cluster=cluster1/", "--origins"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("config.cloud.type = \"aws\"    <- config/default.yaml:3:9\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("config.environment = \"dev\"    <- config/env=dev/env.yaml:2:14\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("config.vpc.module_version = \"v2.0.0-rc\"    <- "
                       "config/env=dev/cluster=cluster1/composition=terraform/terraform=vpc/cluster.yaml:5:19\n"),
            std::string::npos)
      << r.out;
  CliResult json = p.run({"describe", "config/env=dev/cluster=cluster1", "vpc", "--origins", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.out << json.err;
  EXPECT_NE(json.out.find("\"config.vpc.tags.ManagedBy\": \"config/default.yaml:7:16\""), std::string::npos)
      << json.out;
}

// Kompos: a config folder that holds no stack shows the merged tree (as himl prints it) with the
// layer files it came from; a leaf folder names its component; every stack command takes folders.
TEST(CliTest, KomposConfigFoldersAcrossCommands) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::filesystem::copy(
      dir + "/kompos-himl/adobe-kompos/examples/01-hierarchical-config", p.root(),
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  CliResult folder =
      p.run({"describe", "config/cloud=aws/env=dev/", "--origins", "--exclude", "account"});
  ASSERT_EQ(folder.exit_code, 0) << folder.out << folder.err;
  EXPECT_EQ(folder.out,
            "folder config/cloud=aws/env=dev  (no stack here: the merged configuration, as himl "
            "gives it)\n"
            "layers, general to specific (later files win):\n"
            "  config/cloud=aws/aws.yaml\n"
            "  config/cloud=aws/env=dev/dev.yaml\n"
            "configuration, leaf by leaf, with where each value was written:\n"
            "  cloud.type = \"aws\"    <- config/cloud=aws/aws.yaml:2:9\n"
            "  cluster.name = \"default\"    <- config/cloud=aws/env=dev/dev.yaml:18:9\n"
            "  env.name = \"dev\"    <- config/cloud=aws/env=dev/dev.yaml:7:9\n"
            "  project.prefix = \"ee\"    <- config/cloud=aws/env=dev/dev.yaml:14:11\n"
            "  region.location = \"us-east-1\"    <- config/cloud=aws/env=dev/dev.yaml:10:13\n"
            "  region.name = \"va6\"    <- config/cloud=aws/env=dev/dev.yaml:11:9\n");
  CliResult json = p.run({"describe", "config/cloud=aws", "--json", "--filter", "cloud"});
  ASSERT_EQ(json.exit_code, 0) << json.out << json.err;
  EXPECT_EQ(json.out,
            "{\n  \"config\": {\n    \"cloud\": {\n      \"type\": \"aws\"\n    }\n  },\n"
            "  \"folder\": \"config/cloud=aws\",\n  \"layers\": [\n    "
            "\"config/cloud=aws/aws.yaml\"\n  ]\n}\n");

  // A leaf folder is its component; compositions.order puts network before cluster.
  CliResult leaf =
      p.run({"describe",
             "./config/cloud=aws/env=dev/cluster=cluster1/composition=terraform/terraform=cluster/",
             "--json"});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.out << leaf.err;
  EXPECT_NE(
      leaf.out.find(
          "\"depends_on\": [\n        \"cloud=aws/env=dev/cluster=cluster1/network\"\n      ]"),
      std::string::npos)
      << leaf.out;
  EXPECT_EQ(leaf.out.find("\"name\": \"network\""), std::string::npos) << leaf.out;

  CliResult list = p.run({"list", "config/cloud=aws/env=dev/cluster=cluster2/"});
  ASSERT_EQ(list.exit_code, 0) << list.out << list.err;
  EXPECT_EQ(
      list.out,
      "cloud=aws/env=dev/cluster=cluster2  (config/cloud=aws/env=dev/cluster=cluster2)\n"
      "  cluster  compositions/terraform/cluster  after network  "
      "(config/cloud=aws/env=dev/cluster=cluster2/composition=terraform/terraform=cluster)\n"
      "  network  compositions/terraform/network  "
      "(config/cloud=aws/env=dev/cluster=cluster2/composition=terraform/terraform=network)\n");
  CliResult graph =
      p.run({"graph", "config/cloud=aws/env=dev/cluster=cluster2", "--format", "mermaid"});
  ASSERT_EQ(graph.exit_code, 0) << graph.out << graph.err;
  EXPECT_NE(graph.out.find("subgraph s0 [\"cloud=aws/env=dev/cluster=cluster2\"]"),
            std::string::npos)
      << graph.out;
  EXPECT_EQ(graph.out.find("cluster1"), std::string::npos) << graph.out;

  CliResult generate =
      p.run({"generate",
             "config/cloud=aws/env=dev/cluster=cluster2/composition=terraform/terraform=network"});
  ASSERT_EQ(generate.exit_code, 0) << generate.out << generate.err;
  EXPECT_TRUE(std::filesystem::exists(
      p.path(".strata/cloud=aws/env=dev/cluster=cluster2/network/main.tf")));
  EXPECT_FALSE(
      std::filesystem::exists(p.path(".strata/cloud=aws/env=dev/cluster=cluster2/cluster")));

  CliResult clean = p.run({"clean", "config/cloud=aws/env=dev/cluster=cluster2"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  CliResult missing = p.run({"describe", "config/cloud=aws/env=prod"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no stack named \"cloud=aws/env=prod\""), std::string::npos)
      << missing.err;
  CliResult misplaced =
      p.run({"describe", "config/cloud=aws/env=dev/cluster=cluster1", "--exclude", "x"});
  EXPECT_EQ(misplaced.exit_code, 1);
  EXPECT_NE(misplaced.err.find(
                "--exclude and --filter apply to a configuration folder that holds no stack"),
            std::string::npos)
      << misplaced.err;
}

// The worked example of the conformance README (§6.5), written as a Comet user would: describe
// shows the values Comet would put in the workdir's files.
TEST(CliTest, DescribeShowsWhatCometWouldResolveForACometStackFile) {
  TestProject p;
  p.write("comet.yaml", "stacks_dir: stacks\n");
  for (const char* m : {"vpc", "project", "metsrv"}) {
    p.write(std::string("test/modules/") + m + "/main.tf", "output \"id\" { value = \"x\" }\n");
  }
  p.write("stacks/dev.stack.js", R"js(
const stage = stack('dev', { opts: { org: 'moonwalker', common_name: 'comet' } });
backend('gcs', { bucket: 'mw-tf-state', prefix: 'moonwalker-comet/stacks/{{ .stack }}/{{ .component }}' });
const p1 = component('project', 'test/modules/project', { inputs: { name: `comet-${stage.name}-p1` } });
const p2 = component('project2', 'test/modules/project', {
  inputs: { name: `comet-${stage.name}-p2` },
  mock_outputs: { id: 'p2-id' },
});
const vpc = component('vpc', 'test/modules/vpc', { inputs: { name: `${p1.name}-vpc`, id: `${p2.id}-vpc` } });
component('metsrv', 'test/modules/metsrv', {
  providers: {
    kubernetes: { token: 'data.google_client_config.default.access_token' },
    helm: { kubernetes: { token: 'data.google_client_config.default.access_token' } },
  },
});
append('providers', ['data "google_client_config" "default" {}']);
)js");
  CliResult vpc = p.run({"describe", "dev", "vpc", "--json"});
  ASSERT_EQ(vpc.exit_code, 0) << vpc.out << vpc.err;
  EXPECT_NE(vpc.out.find(R"("prefix": "moonwalker-comet/stacks/dev/vpc")"), std::string::npos) << vpc.out;
  EXPECT_NE(vpc.out.find(R"("name": "comet-dev-p1-vpc")"), std::string::npos) << vpc.out;
  // p2.id is a reference to project2's output (Comet renders it through state()); before
  // project2 exists, describe shows its mock output.
  EXPECT_NE(vpc.out.find(R"("id": "p2-id-vpc")"), std::string::npos) << vpc.out;
  EXPECT_NE(vpc.out.find("dev/project2"), std::string::npos) << vpc.out;
  CliResult metsrv = p.run({"describe", "dev", "metsrv", "--json"});
  ASSERT_EQ(metsrv.exit_code, 0) << metsrv.out << metsrv.err;
  EXPECT_NE(metsrv.out.find(R"("inputs": {})"), std::string::npos) << metsrv.out;
  // And the generated providers file: the data. reference unquoted, the appended line last.
  CliResult gen = p.run({"generate", "dev", "metsrv"});
  ASSERT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  std::string providers = p.read(".strata/dev/metsrv/providers_gen.tf");
  EXPECT_NE(providers.find("token = data.google_client_config.default.access_token"), std::string::npos) << providers;
  EXPECT_NE(providers.find("provider \"helm\" {\n  kubernetes {"), std::string::npos) << providers;
  EXPECT_EQ(providers.rfind("data \"google_client_config\" \"default\" {}\n"),
            providers.size() - std::string("data \"google_client_config\" \"default\" {}\n").size())
      << providers;
  EXPECT_EQ(p.read(".strata/dev/metsrv/dev-metsrv.tfvars.json"), "{}\n");
}

}  // namespace
}  // namespace strata::testing
