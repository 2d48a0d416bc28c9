#include "execute/engine_args.h"

#include <algorithm>

#include "model/error.h"

namespace strata {

namespace {

// "-target=a" -> {"target", "a", true}; "--json" -> {"json", "", false}. Go's flag package
// accepts one or two dashes.
struct Flag {
  std::string name, value;
  bool has_value = false;
};

Flag parse_flag(const std::string& arg) {
  Flag f;
  size_t start = arg.rfind("--", 0) == 0 ? 2 : 1;
  std::string body = arg.substr(start);
  size_t eq = body.find('=');
  f.name = body.substr(0, eq);
  if (eq != std::string::npos) {
    f.value = body.substr(eq + 1);
    f.has_value = true;
  }
  return f;
}

bool truthy(const Flag& f) { return !f.has_value || f.value == "true" || f.value == "1" || f.value == "t"; }

Error refuse(const std::string& arg, const std::string& why, const std::string& instead) {
  return Error(ErrorKind::kUserInput, "engine argument " + arg + ": " + why, {}, instead);
}

}  // namespace

std::vector<std::string> engine_arguments(Operation op, const std::vector<std::string>& given) {
  const std::string command = operation_name(op);
  if (op == Operation::kCustom) return given;  // `strata run`: the whole command is the user's
  if (op == Operation::kGenerate && !given.empty()) {
    throw refuse(given.front(), "generate runs no engine, so there is nothing to pass it to",
                 "leave out the arguments after --, or use them with init, plan, apply or destroy");
  }
  std::vector<std::string> out;
  for (const std::string& arg : given) {
    if (arg.size() < 2 || arg[0] != '-') {
      throw refuse(arg, "not a flag: strata passes flags to `" + command + "`, not commands, files or plan files",
                    op == Operation::kApply
                        ? "strata applies each component itself; `strata run STACK COMPONENT -- ...` runs any engine command"
                        : "write flags as -name=value (for example -target=ADDR, -var=name=value); "
                          "`strata run STACK COMPONENT -- ...` runs any engine command");
    }
    Flag f = parse_flag(arg);
    if (f.name == "chdir") {
      throw refuse(arg, "strata runs the engine in each component's workdir itself",
                   "leave out -chdir; -C DIR (before the command) starts strata in another folder");
    }
    if (f.name == "input") {
      if (!truthy(f)) continue;  // strata passes -input=false already
      throw refuse(arg, "strata runs the engine without prompts (-input=false): there is nobody to answer them",
                   "give values with -var=name=value or in the stack's inputs");
    }
    if (f.name == "no-color") continue;  // strata passes it, or reads JSON that has no colours
    if (op == Operation::kInit) {
      if (f.name == "reconfigure") continue;  // strata passes it
      out.push_back(arg);
      continue;
    }
    if (f.name == "json") {
      if (truthy(f)) continue;  // strata passes -json already
      throw refuse(arg, "strata reads the engine's JSON stream to follow each component",
                   "leave out -json=false; each component's full output is in its log file");
    }
    if (f.name == "out" && op == Operation::kPlan) {
      throw refuse(arg, "strata saves each component's plan itself (in its workdir's .strata-plans/)",
                   "leave out -out; `strata show STACK [COMPONENT]` prints a saved plan");
    }
    if (f.name == "auto-approve" && (op == Operation::kApply || op == Operation::kDestroy)) {
      if (truthy(f)) continue;  // strata confirms once for the whole selection, then passes it
      throw refuse(arg, "strata asks once for the whole selection, then runs each engine without asking",
                   "leave it out; --auto-approve (before --) skips strata's own question");
    }
    if (f.name == "detailed-exitcode") {
      throw refuse(arg, "the engine's exit code 2 would read as a failure of the component",
                   "use strata's own flag before --: strata plan --detailed-exitcode ...");
    }
    out.push_back(arg);
  }
  return out;
}

std::vector<std::string> with_color_choice(std::vector<std::string> args, bool color) {
  if (!color && std::find(args.begin(), args.end(), "-no-color") == args.end()) args.push_back("-no-color");
  return args;
}

}  // namespace strata
