#include "app/lifecycle.h"

#include <filesystem>

#include "base/atomic_file.h"
#include "base/suggest.h"

namespace strata::app {

namespace fs = std::filesystem;

LoadedProject load_project(const std::string& dir,
                           const std::map<std::string, std::string>& environment) {
  std::string root = fs::absolute(dir).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string file;
  for (const auto& name : kConfigFileNames) {
    if (fs::exists(root + "/" + name)) {
      file = name;
      break;
    }
  }
  if (file.empty())
    throw Error(ErrorKind::kNotFound, "no cloudstation.hcl (or waypoint.hcl) in " + root, {},
                "run 'strata app init' to write a starter file, or -C DIR to run where yours is");
  Diagnostics diags;
  LoadedProject out;
  out.config = parse_project_config(read_file(root + "/" + file), file, root, environment, diags);
  if (!diags.has_errors())
    for (const auto& app : out.config.apps) create_plugins(app, diags);
  diags.throw_if_errors();
  out.redactor = std::make_unique<Redactor>();
  for (const auto& s : out.config.sensitive_values) out.redactor->add_secret(s);
  return out;
}

const AppConfig& select_app(const ProjectConfig& project, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& a : project.apps) names.push_back(a.name);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (name.empty()) {
    if (project.apps.size() == 1) return project.apps[0];
    throw Error("the project has " + std::to_string(names.size()) + " apps (" + list +
                "): choose one with --app NAME");
  }
  if (const AppConfig* a = project.find_app(name)) return *a;
  std::string guess = closest_match(name, names);
  throw Error(ErrorKind::kNotFound, "no app \"" + name + "\" in " + project.file, {},
              (guess.empty() ? "" : "did you mean \"" + guess + "\"? ") + "apps: " + list);
}

Lifecycle::Lifecycle(const LoadedProject& project, const AppConfig& app,
                     std::function<void(const std::string&)> progress)
    : project_(project),
      app_(app),
      records_(project.config.root + "/.strata/apps/" + app.name, *project.redactor) {
  Diagnostics diags;
  plugins_ = create_plugins(app, diags);
  diags.throw_if_errors();
  ctx_.project = project.config.project;
  ctx_.app = app.name;
  ctx_.project_dir = project.config.root;
  ctx_.app_dir = fs::path(project.config.root + "/" + app.path).lexically_normal().string();
  if (ctx_.app_dir.size() > 1 && ctx_.app_dir.back() == '/') ctx_.app_dir.pop_back();
  ctx_.state_dir = records_.dir();
  ctx_.labels = app.labels;
  ctx_.env = app.env;
  ctx_.internal_port = app.internal_port;
  ctx_.redactor = project.redactor.get();
  ctx_.record_pending = [this](const Deployment& d) { records_.save(d); };
  const Redactor* redactor = project.redactor.get();
  if (progress)
    ctx_.progress = [progress, redactor](const std::string& line) {
      progress(redactor->redact(line));
    };
  std::error_code ec;
  fs::create_directories(ctx_.state_dir, ec);
  if (ec) throw file_error("create directories", ctx_.state_dir, ec.value());
}

template <typename F>
auto Lifecycle::phase(Phase p, const std::string& plugin, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    const Redactor& r = *project_.redactor;
    throw Error(
        e.kind(),
        std::string(phase_name(p)) + " phase failed (" + plugin + "): " + r.redact(e.message()),
        e.origin(), r.redact(e.hint()));
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kInternal,
                std::string(phase_name(p)) + " phase failed (" + plugin + "): " + e.what());
  }
}

Artifact Lifecycle::build() {
  Artifact a = phase(Phase::kBuild, app_.build->use, [&] { return plugins_.builder->build(ctx_); });
  records_.save(a);
  return a;
}

RegistryRef Lifecycle::push() {
  if (!app_.registry)
    throw Error("app \"" + app_.name + "\" has no registry block", app_.origin,
                "add registry { use = \"registry\" ... }");
  std::optional<Artifact> a = records_.artifact();
  if (!a)
    throw Error("app \"" + app_.name + "\" has no build recorded", {},
                "run 'strata app build' first");
  RegistryRef r = phase(Phase::kRegistry, app_.registry->use,
                        [&] { return plugins_.registry->push(ctx_, *a); });
  records_.save(r);
  return r;
}

Deployment Lifecycle::deploy_input(DeployInput input) {
  input.previous = records_.deployment();
  if (input.previous && input.previous->state == DeploymentState::kStopped) input.previous.reset();
  Deployment d;
  try {
    d = phase(Phase::kDeploy, app_.deploy->use,
              [&] { return plugins_.platform->deploy(ctx_, input); });
  } catch (const Error&) {
    // A start the platform recorded as pending did not come up: say so in the record.
    if (std::optional<Deployment> pending = records_.deployment();
        pending && pending->state == DeploymentState::kPending) {
      pending->state = DeploymentState::kFailed;
      pending->health = "did not start";
      records_.save(*pending);
    }
    throw;
  }
  records_.save(d);
  records_.append_history({input.artifact, input.pushed});
  return d;
}

Deployment Lifecycle::deploy() {
  std::optional<Artifact> a = records_.artifact();
  if (!a)
    throw Error("app \"" + app_.name + "\" has no build recorded", {},
                "run 'strata app build' (or 'strata app up') first");
  DeployInput input;
  input.artifact = *a;
  if (app_.registry) {
    input.pushed = records_.pushed();
    if (!input.pushed || input.pushed->digest != a->digest)
      throw Error("the last build of app \"" + app_.name + "\" was not pushed", {},
                  "run 'strata app up', or push it first");
  }
  return deploy_input(std::move(input));
}

Release Lifecycle::release() {
  std::optional<Deployment> d = records_.deployment();
  if (!d || d->state == DeploymentState::kStopped)
    throw Error("app \"" + app_.name + "\" has nothing deployed to release", {},
                "run 'strata app deploy' first");
  Release r;
  if (app_.release) {
    r = phase(Phase::kRelease, app_.release->use,
              [&] { return plugins_.release->release(ctx_, *d); });
  } else {
    r = Release{d->id, "none", d->url, d->id};  // no release block: the deployment is the release
  }
  records_.save(r);
  return r;
}

UpResult Lifecycle::up() {
  UpResult out;
  out.artifact = build();
  if (app_.registry) out.pushed = push();
  DeployInput input;
  input.artifact = out.artifact;
  input.pushed = out.pushed;
  out.deployment = deploy_input(std::move(input));
  out.release = release();
  return out;
}

StatusReport Lifecycle::status() {
  StatusReport s;
  s.artifact = records_.artifact();
  s.pushed = records_.pushed();
  s.release = records_.release();
  if (std::optional<Deployment> d = records_.deployment())
    s.deployment =
        phase(Phase::kDeploy, d->plugin, [&] { return plugins_.platform->status(ctx_, *d); });
  return s;
}

std::optional<Deployment> Lifecycle::destroy() {
  std::optional<Deployment> d = records_.deployment();
  if (!d) return std::nullopt;
  Deployment out =
      phase(Phase::kDeploy, d->plugin, [&] { return plugins_.platform->destroy(ctx_, *d); });
  records_.save(out);
  return out;
}

Deployment Lifecycle::rollback() {
  std::optional<Deployment> current = records_.deployment();
  std::vector<HistoryEntry> history = records_.history();
  std::string current_id =
      current ? current->artifact_id : (history.empty() ? "" : history.back().artifact.id);
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->artifact.id == current_id) continue;
    if (ctx_.progress) ctx_.progress("rolling back to " + it->artifact.id);
    return deploy_input(DeployInput{it->artifact, it->pushed, std::nullopt});
  }
  throw Error("app \"" + app_.name + "\" has no earlier deployment to roll back to", {},
              "rollback redeploys the artifact deployed before the current one; deploy another "
              "build first");
}

nlohmann::json to_json(const UpResult& r) {
  return {{"artifact", to_json(r.artifact)},
          {"registry", r.pushed ? to_json(*r.pushed) : nlohmann::json()},
          {"deployment", to_json(r.deployment)},
          {"release", to_json(r.release)}};
}

nlohmann::json to_json(const StatusReport& s) {
  return {{"artifact", s.artifact ? to_json(*s.artifact) : nlohmann::json()},
          {"registry", s.pushed ? to_json(*s.pushed) : nlohmann::json()},
          {"deployment", s.deployment ? to_json(*s.deployment) : nlohmann::json()},
          {"release", s.release ? to_json(*s.release) : nlohmann::json()}};
}

}  // namespace strata::app
