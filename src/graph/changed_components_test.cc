#include "graph/changed_components.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "graph/git_changes.h"
#include "graph/graph.h"
#include "graph/selection.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// A real git repository in a temporary folder, driven through the git CLI.
class GitRepo {
 public:
  GitRepo() {
    std::string tmpl = (fs::temp_directory_path() / "strata-changed-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    git("init -q");
  }
  ~GitRepo() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path) << text;
  }
  void git(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() +
                      "' && git -c user.name=strata -c user.email=strata@example.com "
                      "-c init.defaultBranch=main -c commit.gpgsign=false " +
                      args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void commit_all(const std::string& message) {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }

 private:
  fs::path dir_;
};

Component component(const std::string& stack, const std::string& name, const std::string& source) {
  Component c;
  c.stack = stack;
  c.name = name;
  c.source = source;
  return c;
}

// The project lives in infra/ inside the repository, as in many monorepos.
Project sample_project(const fs::path& repo) {
  Project p;
  p.root = (repo / "infra").string();
  Stack dev;
  dev.name = "dev";
  dev.source_file = "stacks/dev.js";
  dev.components = {component("dev", "vpc", "modules/vpc"), component("dev", "app", "modules/app"),
                    component("dev", "eks", "modules/platform//eks"),
                    component("dev", "registry", "terraform-aws-modules/vpc/aws")};
  dev.components[1].depends_on.push_back({"dev", "vpc", {}});
  Stack prod;
  prod.name = "prod";
  prod.source_file = "stacks/prod.js";
  prod.components = {component("prod", "app", "modules/app")};
  Stack layered;
  layered.name = "env=dev/cluster=c1";
  layered.kind = "yaml";
  layered.source_file = "config/env=dev/cluster=c1";
  layered.components = {component(layered.name, "cluster", "modules/cluster")};
  Stack other_layer;
  other_layer.name = "env=prd/cluster=c1";
  other_layer.kind = "yaml";
  other_layer.source_file = "config/env=prd/cluster=c1";
  other_layer.components = {component(other_layer.name, "cluster", "modules/cluster")};
  for (Stack* s : {&dev, &prod, &layered, &other_layer}) p.stacks[s->name] = *s;
  return p;
}

void write_initial_tree(GitRepo& repo) {
  for (const char* module : {"vpc", "app", "cluster", "platform/eks"})
    repo.write(std::string("infra/modules/") + module + "/main.tf", "# module\n");
  repo.write("infra/modules/platform/shared.tf", "# shared\n");
  repo.write("infra/stacks/dev.js", "stack('dev')\n");
  repo.write("infra/stacks/prod.js", "stack('prod')\n");
  repo.write("infra/config/defaults.yaml", "region: eu-west-1\n");
  repo.write("infra/config/env=dev/env.yaml", "env: dev\n");
  repo.write("infra/config/env=prd/env.yaml", "env: prd\n");
  repo.write("infra/config/env=dev/cluster=c1/cluster.yaml", "cluster: c1\n");
  repo.write("README.md", "docs\n");
  repo.commit_all("initial");
  repo.git("tag base");
}

std::map<std::string, std::vector<std::string>> by_name(const std::vector<ChangedComponent>& cs) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& c : cs) out[c.ref.str()] = c.reasons;
  return out;
}

TEST(ChangedComponentsTest, CommittedUncommittedAndUntrackedChangesAllCount) {
  GitRepo repo;
  write_initial_tree(repo);
  // Committed after the base: the prod stack file.
  repo.write("infra/stacks/prod.js", "stack('prod'); // bigger\n");
  repo.commit_all("prod");
  // Uncommitted: a module file; untracked: a new file in the copied base of base//sub.
  repo.write("infra/modules/vpc/main.tf", "# changed\n");
  repo.write("infra/modules/platform/new.tf", "# new\n");
  // Staged: a config layer above the dev cluster only.
  repo.write("infra/config/env=dev/env.yaml", "env: development\n");
  repo.git("add infra/config/env=dev/env.yaml");
  // Outside the project: must not matter.
  repo.write("README.md", "more docs\n");

  Project project = sample_project(repo.dir());
  auto changed = by_name(changed_components(project, repo.dir().string(), "base"));
  EXPECT_EQ(changed.size(), 4u);
  EXPECT_EQ(changed["dev/vpc"],
            std::vector<std::string>{"module files changed: modules/vpc/main.tf"});
  EXPECT_EQ(changed["dev/eks"],
            std::vector<std::string>{"module files changed: modules/platform/new.tf"});
  EXPECT_EQ(changed["prod/app"], std::vector<std::string>{"stack file changed: stacks/prod.js"});
  EXPECT_EQ(changed["env=dev/cluster=c1/cluster"],
            std::vector<std::string>{"config layers changed: config/env=dev/env.yaml"});
  EXPECT_FALSE(changed.count("dev/app")) << "its module did not change";
  EXPECT_FALSE(changed.count("env=prd/cluster=c1/cluster")) << "another branch of the layers";
}

TEST(ChangedComponentsTest, DependentsOfChangedComponentsJoinThroughTheSelection) {
  GitRepo repo;
  write_initial_tree(repo);
  repo.write("infra/modules/vpc/variables.tf", "# new\n");
  Project project = sample_project(repo.dir());
  Graph g = Graph::build(project);
  SelectionSpec spec;
  for (const auto& c : changed_components(project, repo.dir().string(), "base"))
    spec.components.push_back(c.ref);
  spec.dependents = true;
  Selection s = select(g, spec);
  std::vector<std::string> names;
  for (NodeId id : s.ids()) names.push_back(g.node(id).str());
  EXPECT_EQ(names, (std::vector<std::string>{"dev/vpc", "dev/app"}));
}

TEST(ChangedComponentsTest, NothingChangedMeansNothingSelected) {
  GitRepo repo;
  write_initial_tree(repo);
  EXPECT_TRUE(changed_components(sample_project(repo.dir()), repo.dir().string(), "HEAD").empty());
}

TEST(ChangedComponentsTest, DeletedFilesCount) {
  GitRepo repo;
  write_initial_tree(repo);
  fs::remove(repo.dir() / "infra/modules/app/main.tf");
  auto files = changed_files(repo.dir().string(), "base");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], fs::weakly_canonical(repo.dir() / "infra/modules/app/main.tf").string());
  auto changed =
      by_name(changed_components(sample_project(repo.dir()), repo.dir().string(), "base"));
  EXPECT_TRUE(changed.count("dev/app"));
  EXPECT_TRUE(changed.count("prod/app"));
}

TEST(ChangedComponentsTest, TheWorkDirIsNeverLookedInto) {
  GitRepo repo;
  write_initial_tree(repo);
  // strata's work dir, not in .gitignore: its generated files are untracked.
  fs::create_directories(repo.dir() / "infra/.strata/dev/app");
  std::ofstream(repo.dir() / "infra/.strata/dev/app/main.tf") << "generated\n";
  std::ofstream(repo.dir() / "infra/modules/app/extra.tf") << "# new\n";
  const std::string work_dir = (repo.dir() / "infra/.strata").string();
  auto files = changed_files(repo.dir().string(), "HEAD", {work_dir});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], fs::weakly_canonical(repo.dir() / "infra/modules/app/extra.tf").string());
  // Without it, git's walk finds the generated file.
  EXPECT_EQ(changed_files(repo.dir().string(), "HEAD").size(), 2u);
  // Nothing was written to the repository's ignore files.
  EXPECT_FALSE(fs::exists(repo.dir() / ".gitignore"));
}

TEST(ChangedComponentsTest, UnknownRevisionSaysWhatToCheck) {
  GitRepo repo;
  write_initial_tree(repo);
  try {
    changed_files(repo.dir().string(), "origin/mian");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unknown git revision \"origin/mian\""), std::string::npos);
    EXPECT_NE(e.hint().find("--base"), std::string::npos);
  }
}

TEST(ChangedComponentsTest, OutsideARepositoryIsAClearError) {
  auto dir = fs::temp_directory_path() / ("strata-norepo-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // GIT_CEILING_DIRECTORIES keeps libgit2 from finding a repository above the temp folder.
  setenv("GIT_CEILING_DIRECTORIES", fs::temp_directory_path().c_str(), 1);
  EXPECT_THROW(changed_files(dir.string(), "HEAD"), Error);
  unsetenv("GIT_CEILING_DIRECTORIES");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata
