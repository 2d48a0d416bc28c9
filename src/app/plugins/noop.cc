// noop: every phase succeeds at once without doing anything. For trying a cloudstation.hcl out
// and for phases an app does not need yet.
#include "app/plugin_options.h"
#include "app/plugin_table.h"

namespace strata::app {

namespace {

class NoopBuilder : public Builder {
 public:
  Artifact build(const PhaseContext& ctx) override {
    Artifact a;
    a.id = "noop";
    a.image = ctx.app;
    a.plugin = "noop";
    a.labels = ctx.labels;
    return a;
  }
};

class NoopRegistry : public Registry {
 public:
  RegistryRef push(const PhaseContext&, const Artifact& artifact) override {
    RegistryRef r;
    r.repository = artifact.image;
    r.tag = artifact.tag;
    r.digest = artifact.digest;
    r.plugin = "noop";
    return r;
  }
};

class NoopPlatform : public Platform {
 public:
  Deployment deploy(const PhaseContext&, const DeployInput& input) override {
    Deployment d;
    d.id = "noop";
    d.plugin = "noop";
    d.state = DeploymentState::kComplete;
    d.health = "unknown";
    d.artifact_id = input.artifact.id;
    return d;
  }
  Deployment status(const PhaseContext&, const Deployment& d) override { return d; }
  Deployment destroy(const PhaseContext&, const Deployment& d) override {
    Deployment out = d;
    out.state = DeploymentState::kStopped;
    return out;
  }
};

class NoopRelease : public ReleaseManager {
 public:
  Release release(const PhaseContext&, const Deployment& d) override {
    return Release{"noop", "noop", d.url, d.id};
  }
};

template <typename T, typename Base>
std::unique_ptr<Base> make(const PluginConfig& config, Diagnostics& diags) {
  PluginOptions options(config, diags);
  if (!options.finish()) return nullptr;
  return std::make_unique<T>();
}

}  // namespace

std::unique_ptr<Builder> make_noop_builder(const PluginConfig& c, Diagnostics& d) {
  return make<NoopBuilder, Builder>(c, d);
}
std::unique_ptr<Registry> make_noop_registry(const PluginConfig& c, Diagnostics& d) {
  return make<NoopRegistry, Registry>(c, d);
}
std::unique_ptr<Platform> make_noop_platform(const PluginConfig& c, Diagnostics& d) {
  return make<NoopPlatform, Platform>(c, d);
}
std::unique_ptr<ReleaseManager> make_noop_release(const PluginConfig& c, Diagnostics& d) {
  return make<NoopRelease, ReleaseManager>(c, d);
}

}  // namespace strata::app
