#include "workspace/workspace.h"

#include <filesystem>

#include "config/project_loader.h"
#include "secrets/sops_resolver.h"
#include "workspace/server_state.h"

namespace strata::workspace {

namespace {

// --engine, else strata.yaml `engine:` (unless "auto"), else STRATA_ENGINE and PATH.
EngineSelection select_engine(const std::string& requested, const Settings& settings, const Environment& env) {
  std::string want = requested;
  std::string source = "--engine";
  if (want.empty() && settings.engine != "auto" && !settings.engine.empty()) {
    want = settings.engine;
    source = settings.origin.known() ? settings.origin.path() : "strata.yaml";
  }
  EngineSelection out;
  out.choice = locate_engine(want, source, env);
  out.plugin_cache_dir = settings.plugin_cache.empty() ? default_plugin_cache_dir(env) : settings.plugin_cache;
  return out;
}

}  // namespace

std::unique_ptr<Workspace> open_workspace(WorkspaceOptions options) {
  // Outside any project there is nothing to run: saying "0 stacks" and succeeding would let a
  // CI job started in the wrong folder pass.
  std::optional<std::string> found = config::search_project_root(options.start_dir);
  if (!found) {
    throw Error(ErrorKind::kNotFound,
                "no strata project in " + options.start_dir +
                    " or any folder above it (looked for strata.yaml, comet.yaml, .komposconfig.yaml, "
                    "a stacks/ folder of stack files and a config/ folder of Kompos leaves)",
                {},
                "run strata inside a project or name one with -C DIR; to start one, run "
                "`strata new DIR` (an HCL project of stack.hcl files needs a strata.yaml at its root)");
  }
  const std::string& root = *found;
  std::unique_ptr<Workspace> ws(new Workspace());
  ws->redactor_ = std::make_unique<Redactor>();
  // sops:// paths are relative to the project root, as Comet resolves them from its root.
  secrets::SopsOptions sops;
  sops.environment = options.env;
  ws->secrets_ = std::make_unique<secrets::SopsSecretResolver>(root, ws->redactor_.get(), sops);

  config::LoadOptions load;
  load.start_dir = options.start_dir;
  load.environment = options.env;
  load.inherit_process_env = false;
  load.secrets = ws->secrets_.get();
  load.log = options.log;
  load.js_cache = options.js_cache;
  load.js_cache_dir = options.js_cache_dir;
  config::LoadedProject loaded = config::load_project_with_diagnostics(load);
  ws->project_ = std::move(loaded.project);
  ws->environment_ = std::move(loaded.environment);
  ws->diagnostics_ = std::move(loaded.diagnostics);
  ws->js_stats_ = loaded.js_stats;
  if (const auto& backend = ws->project_.settings.state_backend; backend && options.apply_state_backend) {
    ws->server_state_components_ = use_server_state(ws->project_, backend->url, backend->repository, "strata");
    // The token reaches the engine in its environment, never in a file: an explicit
    // TF_HTTP_PASSWORD, else STRATA_TOKEN, else what `strata remote login` stored for that server.
    ServerAccess access = options.server_access ? options.server_access(backend->url) : ServerAccess{};
    std::string token;
    if (auto it = ws->environment_.find("TF_HTTP_PASSWORD"); it != ws->environment_.end()) token = it->second;
    if (auto it = ws->environment_.find("STRATA_TOKEN"); token.empty() && it != ws->environment_.end()) token = it->second;
    if (token.empty()) token = access.token;
    // A server with a certificate of its own (self-signed): Terraform trusts what the user does.
    if (!access.ca_pem.empty()) ws->environment_.try_emplace("TF_HTTP_CLIENT_CA_CERTIFICATE_PEM", access.ca_pem);
    if (token.empty()) {
      ws->state_backend_problem_ =
          Error("this project keeps its Terraform state in the strata server at " + backend->url +
                    " (state_backend), and no token for it was given",
                backend->origin,
                "run `strata remote login " + backend->url + " --token TOKEN` once, or set STRATA_TOKEN");
    } else {
      ws->environment_["TF_HTTP_PASSWORD"] = token;
      ws->redactor_->add_secret(token);
    }
  }
  ws->options_ = std::move(options);
  return ws;
}

void Workspace::focus(const std::set<std::string>& keep) {
  const Settings& settings = project_.settings;
  std::set<std::string> needed_files;
  std::vector<std::string> needed_yaml;  // a kept Kompos stack's origin: its layers are above it
  for (auto it = project_.stacks.begin(); it != project_.stacks.end();) {
    const Stack& s = it->second;
    if (!keep.count(it->first)) {
      for (const auto& c : s.components) focused_away_.insert(c.stack + "/" + c.name);
      it = project_.stacks.erase(it);
      continue;
    }
    needed_files.insert(s.origin.path());
    for (const auto& c : s.components) needed_files.insert(c.origin.path());
    if (s.kind == "yaml") needed_yaml.push_back(s.origin.path());
    ++it;
  }
  auto in_folder = [](const std::string& path, const std::string& folder) {
    return !folder.empty() && path.starts_with(folder + "/");
  };
  auto unneeded_stack_file = [&](const std::string& path) {
    bool stack_file = in_folder(path, settings.stacks_dir) || in_folder(path, settings.config_dir) ||
                      path == "stack.hcl" || path.ends_with("/stack.hcl");
    if (!stack_file || needed_files.count(path)) return false;
    std::string folder = std::filesystem::path(path).parent_path().string();
    for (const auto& leaf : needed_yaml)
      if (leaf == folder || in_folder(leaf, folder)) return false;
    return true;
  };
  Diagnostics kept;
  for (const auto& d : diagnostics_.items()) {
    if (d.severity == Severity::kError && d.origin.known() && unneeded_stack_file(d.origin.path())) {
      kept.warning(d.origin, d.message + " (in a stack this command does not need, so it goes on)", d.hint);
      set_aside_errors_ = true;
    } else {
      kept.add(d.severity, d.origin, d.message, d.hint);
    }
  }
  diagnostics_ = std::move(kept);
}

std::set<std::string> Workspace::declared_components() const {
  std::set<std::string> out = focused_away_;
  for (const auto& [_, s] : project_.stacks)
    for (const auto& c : s.components) out.insert(c.stack + "/" + c.name);
  return out;
}

EngineSelection Workspace::engine_selection() const {
  return select_engine(options_.engine, project_.settings, environment_);
}

std::unique_ptr<Engine> Workspace::make_engine() const {
  if (state_backend_problem_) throw *state_backend_problem_;
  EngineSelection selection = engine_selection();
  if (!selection.choice) {
    throw Error(ErrorKind::kEnvironment, "no engine found: neither tofu nor terraform is on PATH", {},
                "install OpenTofu or Terraform, or name one with --engine PATH or STRATA_ENGINE");
  }
  auto engine = std::make_unique<Engine>(*selection.choice, selection.plugin_cache_dir);
  engine->set_redactor(redactor_.get());
  engine->set_environment(environment_);
  engine->set_supervisor(options_.engine_supervisor);
  return engine;
}

EngineSelection engine_for_folder(const std::string& start_dir, const Environment& env,
                                  const std::string& requested) {
  Diagnostics ignored;  // a broken settings file is reported by the commands that load it
  Settings settings = config::read_project_settings(config::find_project_root(start_dir), ignored);
  return select_engine(requested, settings, env);
}

std::unique_ptr<SecretResolver> secret_resolver_for_folder(const std::string& start_dir,
                                                           const Environment& env,
                                                           Redactor* redactor) {
  secrets::SopsOptions sops;
  sops.environment = env;
  return std::make_unique<secrets::SopsSecretResolver>(config::find_project_root(start_dir),
                                                      redactor, sops);
}

}  // namespace strata::workspace
