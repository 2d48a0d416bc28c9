// The oci builder's promise: the same files give the same layer and the same image digest,
// whenever and wherever they are built; and what it writes is a tar and an OCI layout that
// other tools read.
#include "app/tar_layer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>

#include "app/lifecycle.h"
#include "app/oci_layout.h"
#include "base/atomic_file.h"
#include "base/subprocess.h"
#include "base/temp_dir.h"

namespace strata::app {
namespace {

namespace fs = std::filesystem;

void write(const TempDir& d, const std::string& rel, const std::string& text, mode_t mode = 0644) {
  fs::create_directories(fs::path(d.file(rel)).parent_path());
  write_file_atomic(d.file(rel), text, mode, Durability::kRenameOnly);
}

// The same small app in a fresh folder; `mtime` is what every file's modification time is set to.
void make_app(const TempDir& d, time_t mtime) {
  write(d, "z.txt", "last\n");
  write(d, "server.py", "print('hi')\n", 0755);
  write(d, "b/c.txt", "inner\n");
  write(d, "a.txt", "first\n");
  for (const auto& e : fs::recursive_directory_iterator(d.path())) {
    struct utimbuf t {
      mtime, mtime
    };
    ::utime(e.path().c_str(), &t);
  }
}

// The names of a tar's entries, in order (ustar headers; pax headers shown as they are).
std::vector<std::string> entry_names(const std::string& tar) {
  std::vector<std::string> names;
  for (size_t at = 0; at + 512 <= tar.size();) {
    std::string name(tar.data() + at, strnlen(tar.data() + at, 100));
    if (name.empty()) break;
    names.push_back(name);
    size_t size = std::stoull(std::string(tar.data() + at + 124, 11), nullptr, 8);
    at += 512 + (size + 511) / 512 * 512;
  }
  return names;
}

TEST(TarLayerTest, SameFilesGiveTheSameBytesWhateverTheirTimesAndFolder) {
  TempDir one("layer-a"), two("layer-b");
  make_app(one, 1000000000);
  make_app(two, 1700000000);
  std::string a = build_tar_layer({one.path(), "app", {}});
  std::string b = build_tar_layer({two.path(), "app", {}});
  EXPECT_EQ(sha256_digest(a), sha256_digest(b));
  EXPECT_EQ(sha256_digest(gzip_deterministic(a)), sha256_digest(gzip_deterministic(b)));
  // One changed byte is another layer.
  write(two, "b/c.txt", "inneR\n");
  EXPECT_NE(sha256_digest(build_tar_layer({two.path(), "app", {}})), sha256_digest(a));
}

TEST(TarLayerTest, EntriesAreSortedOwnedByRootAtAFixedTimeAndExclusionsStayOut) {
  TempDir d("layer");
  make_app(d, 1234567890);
  write(d, ".strata/apps/web/build.json", "{}");
  std::string tar = build_tar_layer({d.path(), "app", {".strata"}});
  EXPECT_EQ(entry_names(tar),
            (std::vector<std::string>{"app/", "app/a.txt", "app/b/", "app/b/c.txt", "app/server.py",
                                      "app/z.txt"}));
  // The header of app/server.py: mode 0755 kept, uid and gid 0, mtime 2000-01-01.
  size_t at = tar.find("app/server.py");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(std::string(tar.data() + at + 100, 7), "0000755");
  EXPECT_EQ(std::string(tar.data() + at + 108, 7), "0000000");
  EXPECT_EQ(std::string(tar.data() + at + 116, 7), "0000000");
  EXPECT_EQ(std::stoll(std::string(tar.data() + at + 136, 11), nullptr, 8), kLayerMtime);
}

TEST(TarLayerTest, GnuTarReadsItLongNamesIncluded) {
  TempDir d("layer");
  std::string long_dir(120, 'd');
  write(d, long_dir + "/file.txt", "deep\n");
  write(d, "short.txt", "s\n");
  TempDir out("layer-out");
  write_file_atomic(out.file("layer.tar.gz"),
                    gzip_deterministic(build_tar_layer({d.path(), "app", {}})), 0644);
  SubprocessOptions o;
  o.argv = {"tar", "-tzvf", out.file("layer.tar.gz")};
  o.capture_stdout = true;
  o.capture_stderr = true;
  SubprocessResult r = Subprocess(std::move(o)).run();
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("app/" + long_dir + "/file.txt"), std::string::npos)
      << r.stdout_text;
  EXPECT_NE(r.stdout_text.find(" 0/0 "), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("2000-01-01"), std::string::npos) << r.stdout_text;
}

const char* kOciApp = R"(
project = "demo"
app "web" {
  build {
    use        = "oci"
    entrypoint = ["python3", "server.py"]
    env        = { MODE = "prod" }
    labels     = { "org.example.team" = "edge" }
  }
  deploy { use = "noop" }
  config { internal_port = 8080 }
}
)";

Artifact build_in(const TempDir& d) {
  write(d, "cloudstation.hcl", kOciApp);
  LoadedProject p = load_project(d.path(), {});
  Lifecycle l(p, p.config.apps[0], nullptr);
  return l.build();
}

TEST(OciBuildTest, SameAppInTwoFoldersAtTwoTimesHasOneDigest) {
  TempDir one("oci-a"), two("oci-b");
  make_app(one, 1000000000);
  make_app(two, 1600000000);
  Artifact a = build_in(one);
  Artifact b = build_in(two);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.digest.size(), 71u);
  EXPECT_EQ(a.id, a.digest);
  // Again in the same folder: the same image (the recorded build under .strata is not packed).
  EXPECT_EQ(build_in(one).digest, a.digest);
  write(two, "a.txt", "changed\n");
  EXPECT_NE(build_in(two).digest, a.digest);
}

TEST(OciBuildTest, TheLayoutHoldsTheImageItsConfigAndContentAddressedBlobs) {
  TempDir d("oci");
  make_app(d, 1000000000);
  Artifact a = build_in(d);
  LayoutImage img = read_layout_image(a.layout, "latest");
  EXPECT_EQ(img.manifest_digest, a.digest);
  EXPECT_EQ(img.manifest["mediaType"], kManifestMediaType);
  ASSERT_EQ(img.manifest["layers"].size(), 1u);
  const auto& proc = img.config["config"];
  EXPECT_EQ(proc["Entrypoint"], nlohmann::json::array({"python3", "server.py"}));
  EXPECT_EQ(proc["Env"], nlohmann::json::array({"MODE=prod"}));
  EXPECT_EQ(proc["ExposedPorts"], nlohmann::json({{"8080/tcp", nlohmann::json::object()}}));
  EXPECT_EQ(proc["Labels"]["org.example.team"], "edge");
  EXPECT_EQ(proc["WorkingDir"], "/app");
  // Every blob's name is the sha256 of its content, and the diff_id is the uncompressed layer's.
  for (const auto& e : fs::directory_iterator(a.layout + "/blobs/sha256"))
    EXPECT_EQ(sha256_digest(read_file(e.path().string())),
              "sha256:" + e.path().filename().string());
  EXPECT_EQ(img.config["rootfs"]["diff_ids"][0],
            sha256_digest(build_tar_layer({d.path(), "app", {".strata", ".git"}})));
}

}  // namespace
}  // namespace strata::app

namespace strata::app {
namespace {

TEST(OciBuildTest, ABaseImageFromALayoutOnDiskIsLaidUnderTheAppAndLendsItsProcess) {
  // The base: an image of its own (a "runtime" folder with an entrypoint), built the same way.
  TempDir base("oci-base");
  write(base, "bin/run.sh", "#!/bin/sh\nexec \"$@\"\n", 0755);
  write(base, "cloudstation.hcl",
        "app \"runtime\" {\n  build {\n    use = \"oci\"\n    workdir = \"/opt/runtime\"\n"
        "    entrypoint = [\"/opt/runtime/bin/run.sh\"]\n    env = { RUNTIME = \"1\" }\n    tag = "
        "\"base\"\n  }\n"
        "  deploy { use = \"noop\" }\n}\n");
  LoadedProject bp = load_project(base.path(), {});
  Artifact base_image = Lifecycle(bp, bp.config.apps[0], nullptr).build();

  TempDir d("oci-on-base");
  write(d, "server.py", "print('hi')\n");
  write(d, "cloudstation.hcl",
        "app \"web\" {\n  build {\n    use = \"oci\"\n    base = \"" + base_image.layout +
            "\"\n"
            "    cmd = [\"python3\", \"server.py\"]\n    env = { MODE = \"prod\" }\n  }\n  deploy "
            "{ use = \"noop\" }\n}\n");
  LoadedProject p = load_project(d.path(), {});
  Artifact a = Lifecycle(p, p.config.apps[0], nullptr).build();
  LayoutImage img = read_layout_image(a.layout, "latest");
  LayoutImage base_img = read_layout_image(base_image.layout, "base");
  ASSERT_EQ(img.manifest["layers"].size(), 2u);
  EXPECT_EQ(img.manifest["layers"][0], base_img.manifest["layers"][0]);
  EXPECT_EQ(img.config["rootfs"]["diff_ids"][0], base_img.config["rootfs"]["diff_ids"][0]);
  EXPECT_EQ(img.config["rootfs"]["diff_ids"].size(), 2u);
  // The base's entrypoint and env stay; ours add to them.
  EXPECT_EQ(a.entrypoint, std::vector<std::string>{"/opt/runtime/bin/run.sh"});
  EXPECT_EQ(a.cmd, (std::vector<std::string>{"python3", "server.py"}));
  EXPECT_EQ(img.config["config"]["Env"], nlohmann::json::array({"MODE=prod", "RUNTIME=1"}));
  // The base's layer blob was copied in: the layout stands alone.
  EXPECT_TRUE(fs::exists(blob_path(a.layout, base_img.manifest["layers"][0]["digest"])));
}

TEST(OciBuildTest, AnUnchangedFolderIsNotCompressedAgainUnlessItsBlobIsGone) {
  TempDir d("oci-cache");
  make_app(d, 1000000000);
  write(d, "cloudstation.hcl", kOciApp);
  LoadedProject p = load_project(d.path(), {});
  std::vector<std::string> lines;
  Lifecycle l(p, p.config.apps[0], [&](const std::string& line) { lines.push_back(line); });
  Artifact first = l.build();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find(", unchanged)"), std::string::npos) << lines[0];
  Artifact second = l.build();
  EXPECT_EQ(second.digest, first.digest);
  EXPECT_NE(lines.back().find(", unchanged)"), std::string::npos) << lines.back();
  // The blob deleted: compressed again, to the same bytes.
  std::string layer = read_layout_image(first.layout, "latest").manifest["layers"][0]["digest"];
  fs::remove(blob_path(first.layout, layer));
  Artifact third = l.build();
  EXPECT_EQ(third.digest, first.digest);
  EXPECT_EQ(lines.back().find(", unchanged)"), std::string::npos) << lines.back();
  EXPECT_TRUE(fs::exists(blob_path(first.layout, layer)));
}

TEST(OciBuildTest, AMissingBaseLayoutFailsTheBuildSayingWhatItNeeds) {
  TempDir d("oci-no-base");
  write(d, "cloudstation.hcl",
        "app \"web\" {\n  build {\n    use = \"oci\"\n    base = \"./base-image\"\n  }\n  deploy { "
        "use = \"noop\" }\n}\n");
  LoadedProject p = load_project(d.path(), {});
  try {
    Lifecycle(p, p.config.apps[0], nullptr).build();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(), "build phase failed (oci): " + d.path() +
                              "/base-image is not an OCI image layout (it has no index.json)\n"
                              "  hint: point at a folder holding oci-layout, index.json and "
                              "blobs/, or use base = \"scratch\"");
  }
}

}  // namespace
}  // namespace strata::app
