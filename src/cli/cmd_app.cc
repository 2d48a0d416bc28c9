// `strata app init|build|deploy|release|up|status|destroy|rollback`: CloudStation's lifecycle for
// the apps of a cloudstation.hcl (app/lifecycle.h). Flags and rendering only; progress goes to
// stderr so --json output on stdout stays one JSON object.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/lifecycle.h"
#include "base/environment.h"
#include "app/starter_file.h"
#include "cli/commands.h"

namespace strata::cli {

namespace {

struct AppFlags {
  std::string app;
};

std::string short_digest(const std::string& d) { return d.size() > 19 ? d.substr(0, 19) : d; }

std::string artifact_line(const app::Artifact& a) {
  std::string s = a.image + (a.tag.empty() ? "" : ":" + a.tag);
  if (!a.digest.empty()) s += " " + a.digest;
  return s;
}

std::string deployment_line(const app::Deployment& d) {
  std::string s = d.id + " " + app::state_name(d.state);
  if (!d.health.empty()) s += ", " + d.health;
  if (!d.url.empty()) s += ", " + d.url;
  return s;
}

void row(std::ostream& out, const std::string& phase, const std::string& plugin,
         const std::string& text) {
  out << "  " << phase << std::string(phase.size() < 10 ? 10 - phase.size() : 1, ' ') << plugin
      << std::string(plugin.size() < 10 ? 10 - plugin.size() : 1, ' ') << text << "\n";
}

// Runs `body` on the selected app, then prints what it returns as text or JSON (redacted).
int with_app(const Globals& globals, const AppFlags& flags,
             const std::function<nlohmann::json(app::Lifecycle&, std::ostream& text, int& exit_code)>& body) {
  app::LoadedProject project = app::load_project(".", process_environment());
  const app::AppConfig& selected = app::select_app(project.config, flags.app);
  bool quiet = globals.quiet;
  app::Lifecycle lifecycle(project, selected, [quiet](const std::string& line) {
    if (!quiet) std::cerr << "  " << line << "\n";
  });
  std::ostringstream text;
  int code = 0;
  nlohmann::json result = body(lifecycle, text, code);
  if (globals.json) {
    result["app"] = selected.name;
    std::cout << project.redactor->redact(result.dump(2)) << "\n";
  } else {
    std::cout << project.redactor->redact("app " + selected.name + ":\n" + text.str());
  }
  return code;
}

void add_app_flags(CLI::App* cmd, AppFlags& flags, Globals& globals) {
  cmd->add_option("--app", flags.app, "The app (needed when the file declares more than one)")
      ->type_name("NAME");
  cmd->add_flag("--json", globals.json, "Print the result as one JSON object");
}

}  // namespace

void add_app_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<AppFlags>();
  auto* cmd = app.add_subcommand(
      "app", "Build, push, deploy and release apps described in cloudstation.hcl");
  cmd->require_subcommand(1);
  cmd->footer(
      "The apps are read from cloudstation.hcl (or Waypoint's waypoint.hcl) in the current folder\n"
      "(-C DIR for another). Each phase's result is recorded in .strata/apps/<app>/, so status,\n"
      "deploy, destroy and rollback carry on from the last build, push and deployment.\n"
      "Plugins: build noop, exec, oci, docker, csdocker, nixpacks; registry noop, exec,\n"
      "registry, docker; deploy noop, exec, local, nomadpack; release noop, exec.\n"
      "Errors name the phase and the plugin: deploy phase failed (local): ...");

  auto* init = cmd->add_subcommand(
      "init", "Write a commented starter cloudstation.hcl here (never overwrites)");
  init->callback([&action, &globals] {
    action = [&globals] {
      std::string path = app::write_starter_file(".");
      if (!globals.quiet)
        std::cout << "created " << std::filesystem::path(path).filename().string()
                  << "\nnext: edit entrypoint and internal_port, then\n  strata app up\n";
      return 0;
    };
  });

  auto* build = cmd->add_subcommand(
      "build", "Build the app with its build plugin (oci: an OCI image, no daemon)");
  add_app_flags(build, *flags, globals);
  build->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        app::Artifact a = l.build();
        row(text, "build", a.plugin, artifact_line(a) + " (" + std::to_string(a.build_ms) + " ms)");
        if (!a.layout.empty()) text << "  image layout: " << a.layout << "\n";
        return nlohmann::json{{"artifact", app::to_json(a)}};
      });
    };
  });

  auto* deploy = cmd->add_subcommand(
      "deploy", "Deploy the last build (as pushed, when there is a registry block)");
  deploy->footer("The current deployment is replaced (for local: stopped first).");
  add_app_flags(deploy, *flags, globals);
  deploy->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        app::Deployment d = l.deploy();
        row(text, "deploy", d.plugin, deployment_line(d));
        return nlohmann::json{{"deployment", app::to_json(d)}};
      });
    };
  });

  auto* release =
      cmd->add_subcommand("release", "Release the current deployment with the release plugin");
  release->footer("Without a release block the deployment counts as released (plugin \"none\").");
  add_app_flags(release, *flags, globals);
  release->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        app::Release r = l.release();
        row(text, "release", r.plugin, r.url.empty() ? r.id : r.url);
        return nlohmann::json{{"release", app::to_json(r)}};
      });
    };
  });

  auto* up =
      cmd->add_subcommand("up", "build -> registry (if present) -> deploy -> release (if present)");
  add_app_flags(up, *flags, globals);
  up->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        app::UpResult r = l.up();
        row(text, "build", r.artifact.plugin, artifact_line(r.artifact));
        if (r.pushed)
          row(text, "registry", r.pushed->plugin,
              r.pushed->reference() + " (" + std::to_string(r.pushed->blobs_uploaded) +
                  " blobs uploaded, " + std::to_string(r.pushed->blobs_reused) + " already there)");
        row(text, "deploy", r.deployment.plugin, deployment_line(r.deployment));
        row(text, "release", r.release.plugin,
            r.release.url.empty() ? r.release.id : r.release.url);
        return app::to_json(r);
      });
    };
  });

  auto* status =
      cmd->add_subcommand("status", "The last build, push, deployment (checked now) and release");
  status->footer("Exit status 1 also when the deployment has failed (its process is gone).");
  add_app_flags(status, *flags, globals);
  status->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int& exit_code) {
        app::StatusReport s = l.status();
        if (!s.artifact && !s.deployment)
          text << "  nothing built or deployed yet (strata app up)\n";
        if (s.artifact) row(text, "build", s.artifact->plugin, artifact_line(*s.artifact));
        if (s.pushed) row(text, "registry", s.pushed->plugin, s.pushed->reference());
        if (s.deployment) row(text, "deploy", s.deployment->plugin, deployment_line(*s.deployment));
        if (s.release && s.deployment && s.deployment->state != app::DeploymentState::kStopped)
          row(text, "release", s.release->plugin,
              s.release->url.empty() ? s.release->id : s.release->url);
        if (s.failed()) exit_code = 1;
        return app::to_json(s);
      });
    };
  });

  auto* destroy =
      cmd->add_subcommand("destroy", "Stop the current deployment and free what it holds");
  add_app_flags(destroy, *flags, globals);
  destroy->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        std::optional<app::Deployment> d = l.destroy();
        if (!d)
          text << "  nothing deployed\n";
        else
          row(text, "destroy", d->plugin, deployment_line(*d));
        return nlohmann::json{{"deployment", d ? app::to_json(*d) : nlohmann::json()}};
      });
    };
  });

  auto* rollback =
      cmd->add_subcommand("rollback", "Deploy again the artifact deployed before the current one");
  add_app_flags(rollback, *flags, globals);
  rollback->callback([&action, &globals, flags] {
    action = [&globals, flags] {
      return with_app(globals, *flags, [](app::Lifecycle& l, std::ostream& text, int&) {
        app::Deployment d = l.rollback();
        row(text, "deploy", d.plugin,
            deployment_line(d) + " (artifact " + short_digest(d.artifact_id) + ")");
        return nlohmann::json{{"deployment", app::to_json(d)}};
      });
    };
  });
}

}  // namespace strata::cli
