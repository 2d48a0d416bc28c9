// An OCI image layout on disk (image-spec's image-layout.md): oci-layout, index.json and
// content-addressed blobs under blobs/sha256/. The oci builder writes one; a base image is read
// from one; the registry plugin pushes from one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace strata::app {

inline constexpr const char* kManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kConfigMediaType = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// One image in a layout: its manifest (text and digest, as pushed) and its config.
struct LayoutImage {
  std::string manifest_text;
  std::string manifest_digest;
  nlohmann::json manifest;
  nlohmann::json config;
};

// Stores `data` as a blob of the layout at `dir` (created when missing) and returns its digest;
// an existing blob is not rewritten.
std::string write_blob(const std::string& dir, const std::string& data);
// The blob's content. Throws strata::Error naming the layout when it is missing.
std::string read_blob(const std::string& dir, const std::string& digest);
// Path of a blob's file.
std::string blob_path(const std::string& dir, const std::string& digest);

// Makes index.json list exactly one manifest, named `tag`, and writes oci-layout.
void write_index(const std::string& dir, const std::string& manifest_digest, size_t manifest_size,
                 const std::string& tag);

// The image named `tag` in the layout at `dir` (the only one when `tag` is empty). Throws
// strata::Error saying what is missing when `dir` is not a layout or has no such image.
LayoutImage read_layout_image(const std::string& dir, const std::string& tag);

// The config of the image whose manifest is `manifest_digest` in the layout at `dir`.
nlohmann::json read_image_config(const std::string& dir, const std::string& manifest_digest);

}  // namespace strata::app
