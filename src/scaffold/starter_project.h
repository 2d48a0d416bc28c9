// The project `strata new DIR` writes: settings, one module of terraform_data (no provider to
// download, so it plans offline), two stacks where the second reads an output of the first, and
// a .gitignore for the work dir. It plans at once with `strata plan --all`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::scaffold {

// Which front-end the stacks are written for.
enum class StackFormat {
  kJs,  // stacks/*.js (Comet)
};

struct StarterFile {
  std::string path;  // relative to the project folder, '/'-separated
  std::string content;
};

// The files of a starter project, in the order they are written.
std::vector<StarterFile> starter_files(StackFormat format);

// Writes the starter project into `dir` (created when missing, with its parents). Refuses, with
// an Error and before writing anything, a `dir` that exists and is not an empty folder.
// Returns the files written.
std::vector<StarterFile> write_starter_project(const std::string& dir, StackFormat format);

}  // namespace strata::scaffold
