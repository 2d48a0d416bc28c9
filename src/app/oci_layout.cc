#include "app/oci_layout.h"

#include <filesystem>

#include "app/tar_layer.h"
#include "base/atomic_file.h"
#include "model/error.h"

namespace strata::app {

namespace fs = std::filesystem;

std::string blob_path(const std::string& dir, const std::string& digest) {
  std::string hex = digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
  return dir + "/blobs/sha256/" + hex;
}

std::string write_blob(const std::string& dir, const std::string& data) {
  std::string digest = sha256_digest(data);
  std::string path = blob_path(dir, digest);
  std::error_code ec;
  if (fs::exists(path, ec)) return digest;
  fs::create_directories(dir + "/blobs/sha256", ec);
  if (ec) throw file_error("create directories", dir + "/blobs/sha256", ec.value());
  write_file_atomic(path, data, 0644, Durability::kRenameOnly, Previous::kReplace);
  return digest;
}

std::string read_blob(const std::string& dir, const std::string& digest) {
  std::string data;
  if (!try_read_file(blob_path(dir, digest), data))
    throw Error("the OCI layout " + dir + " lacks the blob " + digest, {},
                "build the image again (strata app build), or point at a complete layout");
  return data;
}

void write_index(const std::string& dir, const std::string& manifest_digest, size_t manifest_size,
                 const std::string& tag) {
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests",
                           {{{"mediaType", kManifestMediaType},
                             {"digest", manifest_digest},
                             {"size", manifest_size},
                             {"annotations", {{kRefNameAnnotation, tag}}}}}}};
  write_file_atomic(dir + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0644,
                    Durability::kRenameOnly);
  write_file_atomic(dir + "/index.json", index.dump(), 0644, Durability::kRenameOnly);
}

LayoutImage read_layout_image(const std::string& dir, const std::string& tag) {
  std::string text;
  if (!try_read_file(dir + "/index.json", text))
    throw Error(
        dir + " is not an OCI image layout (it has no index.json)", {},
        "point at a folder holding oci-layout, index.json and blobs/, or use base = \"scratch\"");
  auto index = nlohmann::json::parse(text, nullptr, false);
  if (index.is_discarded() || !index.contains("manifests") || !index["manifests"].is_array())
    throw Error(dir + "/index.json is not an OCI image index");
  const nlohmann::json* chosen = nullptr;
  for (const auto& m : index["manifests"]) {
    std::string name =
        m.value("annotations", nlohmann::json::object()).value(kRefNameAnnotation, "");
    if (tag.empty() || name == tag) {
      chosen = &m;
      break;
    }
  }
  if (!chosen)
    throw Error(dir + " has no image named \"" + tag + "\"", {}, "name one its index.json lists");
  LayoutImage img;
  img.manifest_digest = chosen->value("digest", "");
  img.manifest_text = read_blob(dir, img.manifest_digest);
  img.manifest = nlohmann::json::parse(img.manifest_text, nullptr, false);
  if (img.manifest.is_discarded() || !img.manifest.contains("config"))
    throw Error("the manifest " + img.manifest_digest + " in " + dir + " is not an image manifest",
                {}, "an image index of several platforms is not supported as a base yet");
  img.config = nlohmann::json::parse(read_blob(dir, img.manifest["config"].value("digest", "")),
                                     nullptr, false);
  if (img.config.is_discarded()) throw Error("the image config in " + dir + " is not JSON");
  return img;
}

nlohmann::json read_image_config(const std::string& dir, const std::string& manifest_digest) {
  auto manifest = nlohmann::json::parse(read_blob(dir, manifest_digest), nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("config"))
    throw Error("the manifest " + manifest_digest + " in " + dir + " is not an image manifest");
  auto config =
      nlohmann::json::parse(read_blob(dir, manifest["config"].value("digest", "")), nullptr, false);
  if (config.is_discarded()) throw Error("the image config in " + dir + " is not JSON");
  return config;
}

}  // namespace strata::app
