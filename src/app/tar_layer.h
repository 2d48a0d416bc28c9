// A folder as an image layer, reproducibly: the same files give the same bytes, whoever builds
// them and whenever. Entries are sorted by path; owners are 0:0 with no names; every mtime is
// the same fixed time; permissions keep only the rwx bits; the gzip header carries no time or
// name. So the layer's digest (and the image's) depends on the content alone.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace strata::app {

// The time every entry carries (seconds since the epoch): 2000-01-01, as some tools refuse 0.
inline constexpr long long kLayerMtime = 946684800;

struct TarLayerOptions {
  std::string source_dir;  // the folder to pack
  std::string prefix;      // where it lands in the image, without leading '/': "app"
  // Paths relative to source_dir that are left out (with everything under them).
  std::vector<std::string> exclude;
};

// The uncompressed tar (POSIX ustar, with pax records for long names and link targets).
// Throws strata::Error for a file it cannot read.
std::string build_tar_layer(const TarLayerOptions& options);

// gzip of `data`, deterministic for a given zlib (no mtime, no name in the header).
std::string gzip_deterministic(const std::string& data);

// "sha256:<64 hex>" of data.
std::string sha256_digest(const std::string& data);

}  // namespace strata::app
