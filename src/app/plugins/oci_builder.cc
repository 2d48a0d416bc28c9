// oci: builds an OCI image from the app's folder without any daemon. The folder becomes one
// reproducible layer (tar_layer.h) under `workdir`, laid on a base image (none — scratch — or an
// image in an OCI layout on disk), with a config holding entrypoint, cmd, env, exposed ports and
// labels. The image is written as an OCI layout in .strata/apps/<app>/image; the same folder and
// options always give the same manifest digest.
#include <chrono>
#include <filesystem>

#include "app/oci_layout.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"
#include "app/tar_layer.h"
#include "base/atomic_file.h"

namespace strata::app {

namespace {

namespace fs = std::filesystem;

struct OciOptions {
  std::string base = "scratch";
  std::string base_tag;
  std::optional<std::vector<std::string>> entrypoint, cmd;
  std::map<std::string, std::string> env, labels;
  std::optional<std::vector<int>> exposed_ports;
  std::string workdir = "/app";
  std::string image, tag = "latest";
  std::vector<std::string> exclude;
};

nlohmann::json descriptor(const char* media_type, const std::string& digest, size_t size) {
  return {{"mediaType", media_type}, {"digest", digest}, {"size", size}};
}

// The image being assembled: layers and their diff_ids in order, and the base's config.
struct ImageParts {
  nlohmann::json layers = nlohmann::json::array();
  nlohmann::json diff_ids = nlohmann::json::array();
  nlohmann::json base_config = nlohmann::json::object();
};

class OciBuilder : public Builder {
 public:
  explicit OciBuilder(OciOptions o) : o_(std::move(o)) {}

  Artifact build(const PhaseContext& ctx) override {
    auto started = std::chrono::steady_clock::now();
    const std::string layout = ctx.state_dir + "/image";
    std::error_code ec;
    fs::create_directories(layout, ec);
    if (ec) throw file_error("create directories", layout, ec.value());
    ImageParts parts;
    if (o_.base != "scratch" && o_.base != "none") add_base(ctx, layout, parts);
    add_app_layer(ctx, layout, parts);
    Artifact a = process_of(ctx, parts.base_config);
    std::string config_text = image_config(a, parts).dump();
    std::string config_digest = write_blob(layout, config_text);
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", kManifestMediaType},
        {"config", descriptor(kConfigMediaType, config_digest, config_text.size())},
        {"layers", parts.layers}};
    std::string manifest_text = manifest.dump();
    a.digest = write_blob(layout, manifest_text);
    a.image = o_.image.empty() ? ctx.app : o_.image;
    a.tag = o_.tag;
    write_index(layout, a.digest, manifest_text.size(), a.tag);
    a.id = a.digest;
    a.layout = layout;
    a.plugin = "oci";
    a.build_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
    return a;
  }

 private:
  // The base image's layers (their blobs copied into our layout) and config.
  void add_base(const PhaseContext& ctx, const std::string& layout, ImageParts& parts) const {
    std::string base_dir = (fs::path(ctx.project_dir) / o_.base).lexically_normal().string();
    LayoutImage base = read_layout_image(base_dir, o_.base_tag);
    for (const auto& layer : base.manifest.value("layers", nlohmann::json::array())) {
      write_blob(layout, read_blob(base_dir, layer.value("digest", "")));
      parts.layers.push_back(layer);
    }
    parts.base_config = base.config;
    parts.diff_ids = base.config.value("rootfs", nlohmann::json::object())
                         .value("diff_ids", nlohmann::json::array());
    if (ctx.progress)
      ctx.progress("base image " + base.manifest_digest + " (" +
                   std::to_string(parts.layers.size()) + " layers)");
  }

  // The app's folder as one layer under workdir. The same tar as last time is not compressed
  // again: its gzipped blob is found by the tar's digest (same bytes, at most of the cost).
  void add_app_layer(const PhaseContext& ctx, const std::string& layout, ImageParts& parts) const {
    TarLayerOptions t;
    t.source_dir = ctx.app_dir;
    t.prefix = o_.workdir;
    t.prefix.erase(0, t.prefix.find_first_not_of('/'));  // "/app" -> "app", "/" -> ""
    t.exclude = o_.exclude;
    t.exclude.push_back(".strata");
    t.exclude.push_back(".git");
    std::string tar = build_tar_layer(t);
    std::string diff_id = sha256_digest(tar);
    const std::string known = ctx.state_dir + "/layer-cache/" + diff_id.substr(7);
    std::string layer_digest;
    size_t gz_size = 0;
    std::error_code ec;
    bool reused =
        try_read_file(known, layer_digest) && fs::exists(blob_path(layout, layer_digest), ec);
    if (reused) gz_size = static_cast<size_t>(fs::file_size(blob_path(layout, layer_digest), ec));
    if (!reused || ec) {
      reused = false;
      std::string gz = gzip_deterministic(tar);
      layer_digest = write_blob(layout, gz);
      gz_size = gz.size();
      fs::create_directories(ctx.state_dir + "/layer-cache", ec);
      write_file_atomic(known, layer_digest, 0644, Durability::kRenameOnly);
    }
    parts.layers.push_back(descriptor(kLayerMediaType, layer_digest, gz_size));
    parts.diff_ids.push_back(diff_id);
    if (ctx.progress)
      ctx.progress("layer " + layer_digest + " (" + std::to_string(tar.size()) + " bytes, " +
                   std::to_string(gz_size) + " gzipped" + (reused ? ", unchanged" : "") + ")");
  }

  // The image's process, labels and ports: ours where given, else the base image's.
  Artifact process_of(const PhaseContext& ctx, const nlohmann::json& base_config) const {
    nlohmann::json base_proc = base_config.value("config", nlohmann::json::object());
    Artifact a;
    a.entrypoint =
        o_.entrypoint.value_or(base_proc.value("Entrypoint", std::vector<std::string>{}));
    a.cmd = o_.cmd.value_or(o_.entrypoint ? std::vector<std::string>{}
                                          : base_proc.value("Cmd", std::vector<std::string>{}));
    for (const auto& kv : base_proc.value("Env", std::vector<std::string>{})) {
      auto eq = kv.find('=');
      if (eq != std::string::npos) a.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : o_.env) a.env[k] = v;
    a.labels = ctx.labels;
    for (const auto& [k, v] : o_.labels) a.labels[k] = v;
    a.exposed_ports = o_.exposed_ports.value_or(
        ctx.internal_port ? std::vector<int>{ctx.internal_port} : std::vector<int>{});
    return a;
  }

  // The OCI image config: no creation time or history, so it depends on the content alone.
  nlohmann::json image_config(const Artifact& a, const ImageParts& parts) const {
    nlohmann::json proc = nlohmann::json::object();
    std::vector<std::string> env_list;
    for (const auto& [k, v] : a.env) env_list.push_back(k + "=" + v);
    if (!env_list.empty()) proc["Env"] = env_list;
    if (!a.entrypoint.empty()) proc["Entrypoint"] = a.entrypoint;
    if (!a.cmd.empty()) proc["Cmd"] = a.cmd;
    if (!a.labels.empty()) proc["Labels"] = a.labels;
    nlohmann::json ports = nlohmann::json::object();
    for (int p : a.exposed_ports) ports[std::to_string(p) + "/tcp"] = nlohmann::json::object();
    if (!ports.empty()) proc["ExposedPorts"] = ports;
    proc["WorkingDir"] = o_.workdir;
    return {{"architecture", parts.base_config.value("architecture", "amd64")},
            {"os", parts.base_config.value("os", "linux")},
            {"config", proc},
            {"rootfs", {{"type", "layers"}, {"diff_ids", parts.diff_ids}}}};
  }

  OciOptions o_;
};

}  // namespace

std::unique_ptr<Builder> make_oci_builder(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  OciOptions o;
  o.base = opt.string("base", "scratch");
  o.base_tag = opt.string("base_tag", "");
  o.entrypoint = opt.string_list("entrypoint");
  o.cmd = opt.string_list("cmd");
  o.env = opt.string_map("env").value_or(o.env);
  o.labels = opt.string_map("labels").value_or(o.labels);
  o.exposed_ports = opt.port_list("exposed_ports");
  o.workdir = opt.string("workdir", "/app");
  if (o.workdir.empty() || o.workdir.front() != '/')
    opt.error("workdir", "option \"workdir\" must be an absolute path in the image",
              "write: workdir = \"/app\"");
  o.image = opt.string("image", "");
  o.tag = opt.string("tag", "latest");
  if (o.tag.empty()) opt.error("tag", "option \"tag\" must not be empty");
  o.exclude = opt.string_list("exclude").value_or(o.exclude);
  if (!opt.finish()) return nullptr;
  return std::make_unique<OciBuilder>(std::move(o));
}

}  // namespace strata::app
