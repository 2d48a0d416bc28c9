// exec: runs a command for a phase. The phase's inputs are in the command's environment
// (STRATA_APP, STRATA_PHASE, STRATA_APP_DIR, STRATA_ARTIFACT_*, STRATA_REGISTRY_*,
// STRATA_DEPLOYMENT_*), it runs in the app's folder, and it prints its result as one JSON object
// on stdout (the last line that is one, so it may log above it); stderr is shown as progress.
#include <nlohmann/json.hpp>

#include "app/plugin_options.h"
#include "app/plugin_table.h"
#include "base/subprocess.h"

namespace strata::app {

namespace {

struct ExecCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  long long timeout_s = 0;
};

using Env = std::map<std::string, std::string>;

void add_artifact(Env& env, const Artifact& a) {
  env["STRATA_ARTIFACT_ID"] = a.id;
  env["STRATA_ARTIFACT_IMAGE"] = a.image;
  env["STRATA_ARTIFACT_TAG"] = a.tag;
  env["STRATA_ARTIFACT_DIGEST"] = a.digest;
  env["STRATA_ARTIFACT_LAYOUT"] = a.layout;
}

void add_deployment(Env& env, const Deployment& d) {
  env["STRATA_DEPLOYMENT_ID"] = d.id;
  env["STRATA_DEPLOYMENT_URL"] = d.url;
}

// Runs `cmd` for `phase` and returns the JSON object it printed.
nlohmann::json run(const ExecCommand& cmd, const PhaseContext& ctx, const std::string& phase,
                   Env env) {
  env.insert(cmd.env.begin(), cmd.env.end());
  env["STRATA_PROJECT"] = ctx.project;
  env["STRATA_APP"] = ctx.app;
  env["STRATA_PHASE"] = phase;
  env["STRATA_APP_DIR"] = ctx.app_dir;
  if (ctx.internal_port) env["STRATA_INTERNAL_PORT"] = std::to_string(ctx.internal_port);
  for (const auto& [k, v] : ctx.env) env.emplace(k, v);
  SubprocessOptions o;
  o.argv = cmd.argv;
  o.cwd = ctx.app_dir;
  o.env = env;
  o.capture_stdout = true;
  o.on_stderr_line = [&](std::string_view line) {
    if (ctx.progress) ctx.progress(std::string(line));
  };
  o.timeout = std::chrono::seconds(cmd.timeout_s);
  Subprocess p(std::move(o));
  SubprocessResult r = p.run();
  if (!r.success())
    throw Error("exec: " + cmd.argv[0] + " " + r.describe(), {}, "its error output is above");
  // The last line that parses as a JSON object is the result; a command that prints nothing
  // has an empty result.
  std::string text = r.stdout_text;
  std::string last_line;
  size_t end = text.size();
  while (end > 0) {
    size_t start = text.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object()) return j;
      if (last_line.empty()) last_line = line;
    }
    if (start == 0) break;
    end = start - 1;
  }
  if (last_line.empty()) return nlohmann::json::object();
  auto whole = nlohmann::json::parse(text, nullptr, false);
  if (!whole.is_discarded() && whole.is_object()) return whole;
  throw Error("exec: " + cmd.argv[0] + " printed no JSON object on stdout (its last line: " +
                  last_line.substr(0, 200) + ")",
              {},
              "print the result as one JSON object on the last line of stdout, e.g. {\"id\": "
              "\"v1\"}; log to stderr");
}

template <typename T>
void take(const nlohmann::json& j, const char* key, T& out) {
  if (!j.contains(key) || j[key].is_null()) return;
  try {
    out = j[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(std::string("exec: the result's \"") + key + "\" has the wrong type (" +
                j[key].type_name() + ")");
  }
}

std::optional<ExecCommand> read_command(const PluginConfig& config, Diagnostics& diags,
                                        const char* name, bool required, PluginOptions& options) {
  ExecCommand cmd;
  cmd.env = options.string_map("env").value_or(std::map<std::string, std::string>{});
  cmd.timeout_s = options.integer("timeout_seconds", 1, 86400).value_or(0);
  std::optional<std::vector<std::string>> argv = options.string_list(name);
  if (argv && argv->empty())
    options.error(name, "option \"" + std::string(name) + "\" is empty",
                  "name a program: [\"./build.sh\"]");
  if (!argv || argv->empty()) {
    if (required && !config.options.count(name))
      options.missing(name, std::string(name) + " = [\"./" + phase_name(config.phase) + ".sh\"]");
    (void)diags;
    return std::nullopt;
  }
  cmd.argv = *argv;
  return cmd;
}

class ExecBuilder : public Builder {
 public:
  explicit ExecBuilder(ExecCommand c) : cmd_(std::move(c)) {}
  Artifact build(const PhaseContext& ctx) override {
    nlohmann::json j = run(cmd_, ctx, "build", {});
    Artifact a;
    a.image = ctx.app;
    a.labels = ctx.labels;
    take(j, "id", a.id);
    take(j, "image", a.image);
    take(j, "tag", a.tag);
    take(j, "digest", a.digest);
    take(j, "labels", a.labels);
    take(j, "exposed_ports", a.exposed_ports);
    take(j, "entrypoint", a.entrypoint);
    take(j, "cmd", a.cmd);
    if (a.id.empty()) a.id = a.digest.empty() ? a.image + ":" + a.tag : a.digest;
    a.plugin = "exec";
    return a;
  }

 private:
  ExecCommand cmd_;
};

class ExecRegistry : public Registry {
 public:
  explicit ExecRegistry(ExecCommand c) : cmd_(std::move(c)) {}
  RegistryRef push(const PhaseContext& ctx, const Artifact& artifact) override {
    Env env;
    add_artifact(env, artifact);
    nlohmann::json j = run(cmd_, ctx, "registry", env);
    RegistryRef r;
    r.repository = artifact.image;
    r.tag = artifact.tag;
    take(j, "registry", r.registry);
    take(j, "repository", r.repository);
    take(j, "tag", r.tag);
    take(j, "digest", r.digest);
    r.plugin = "exec";
    return r;
  }

 private:
  ExecCommand cmd_;
};

class ExecPlatform : public Platform {
 public:
  ExecPlatform(ExecCommand deploy, std::optional<ExecCommand> status,
               std::optional<ExecCommand> destroy)
      : deploy_(std::move(deploy)), status_(std::move(status)), destroy_(std::move(destroy)) {}

  Deployment deploy(const PhaseContext& ctx, const DeployInput& input) override {
    Env env;
    add_artifact(env, input.artifact);
    if (input.pushed) {
      env["STRATA_REGISTRY_REFERENCE"] = input.pushed->reference();
      env["STRATA_REGISTRY_DIGEST"] = input.pushed->digest;
    }
    Deployment d;
    d.plugin = "exec";
    d.artifact_id = input.artifact.id;
    d.state = DeploymentState::kRunning;
    d.health = "unknown";
    read(run(deploy_, ctx, "deploy", env), d);
    return d;
  }
  Deployment status(const PhaseContext& ctx, const Deployment& d) override {
    if (!status_) return d;
    Deployment out = d;
    Env env;
    add_deployment(env, d);
    read(run(*status_, ctx, "status", env), out);
    return out;
  }
  Deployment destroy(const PhaseContext& ctx, const Deployment& d) override {
    Deployment out = d;
    if (destroy_) {
      Env env;
      add_deployment(env, d);
      run(*destroy_, ctx, "destroy", env);
    }
    out.state = DeploymentState::kStopped;
    return out;
  }

 private:
  static void read(const nlohmann::json& j, Deployment& d) {
    take(j, "id", d.id);
    take(j, "url", d.url);
    take(j, "health", d.health);
    std::string state;
    take(j, "state", state);
    if (!state.empty()) {
      Deployment parsed = deployment_from_json({{"state", state}});
      if (state != state_name(parsed.state))
        throw Error("exec: the result's state \"" + state +
                    "\" is not one of pending, running, failed, stopped, complete");
      d.state = parsed.state;
    }
    if (d.id.empty()) d.id = "exec";
  }
  ExecCommand deploy_;
  std::optional<ExecCommand> status_, destroy_;
};

class ExecRelease : public ReleaseManager {
 public:
  explicit ExecRelease(ExecCommand c) : cmd_(std::move(c)) {}
  Release release(const PhaseContext& ctx, const Deployment& d) override {
    Env env;
    add_deployment(env, d);
    nlohmann::json j = run(cmd_, ctx, "release", env);
    Release r{"", "exec", d.url, d.id};
    take(j, "id", r.id);
    take(j, "url", r.url);
    if (r.id.empty()) r.id = d.id;
    return r;
  }

 private:
  ExecCommand cmd_;
};

}  // namespace

std::unique_ptr<Builder> make_exec_builder(const PluginConfig& c, Diagnostics& d) {
  PluginOptions o(c, d);
  auto cmd = read_command(c, d, "command", true, o);
  if (!o.finish() || !cmd) return nullptr;
  return std::make_unique<ExecBuilder>(std::move(*cmd));
}

std::unique_ptr<Registry> make_exec_registry(const PluginConfig& c, Diagnostics& d) {
  PluginOptions o(c, d);
  auto cmd = read_command(c, d, "command", true, o);
  if (!o.finish() || !cmd) return nullptr;
  return std::make_unique<ExecRegistry>(std::move(*cmd));
}

std::unique_ptr<Platform> make_exec_platform(const PluginConfig& c, Diagnostics& d) {
  PluginOptions o(c, d);
  auto cmd = read_command(c, d, "command", true, o);
  auto status = read_command(c, d, "status_command", false, o);
  auto destroy = read_command(c, d, "destroy_command", false, o);
  if (!o.finish() || !cmd) return nullptr;
  return std::make_unique<ExecPlatform>(std::move(*cmd), std::move(status), std::move(destroy));
}

std::unique_ptr<ReleaseManager> make_exec_release(const PluginConfig& c, Diagnostics& d) {
  PluginOptions o(c, d);
  auto cmd = read_command(c, d, "command", true, o);
  if (!o.finish() || !cmd) return nullptr;
  return std::make_unique<ExecRelease>(std::move(*cmd));
}

}  // namespace strata::app
