// Generation of one workdir per (stack, component): the module mirrored in, .tf.versioned
// rendered, and the generated Terraform files written. Rules that protect users:
//  - state and engine files (.terraform/, .terraform.lock.hcl, terraform.tfstate*,
//    terraform.tfstate.d/, plan files) are never removed or overwritten;
//  - files a previous generation wrote that are no longer produced are removed (a manifest
//    records what strata wrote, so files it did not write are never touched);
//  - writes are atomic and unchanged files are not rewritten (their mtime stays);
//  - sensitive inputs never reach a file: they come back as TF_VAR_* environment entries.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "generate/component_files.h"

namespace strata {

struct GenerateResult {
  std::string workdir;      // absolute <work_root>/<stack>/<component>
  std::string run_dir;      // where the engine runs (workdir/sub for a "base//sub" source)
  std::string tfvars_file;  // file name inside run_dir ("" when there are no inputs)
  std::vector<std::string> written;    // created or changed, relative to workdir
  std::vector<std::string> unchanged;  // already up to date
  std::vector<std::string> removed;    // stale files from an earlier generation
  std::vector<std::string> kept;       // state and engine files found and left alone
  // Every file this generation produced (relative to workdir) and a hash of its content
  // (64-bit FNV-1a, as in the manifest): what a saved plan was made from.
  std::map<std::string, uint64_t> content_hashes;
  std::map<std::string, std::string> sensitive_env;  // TF_VAR_name -> value
  // Variables that hold a secret somewhere inside and cannot go through TF_VAR_ (a Kompos
  // `config` tree, whose variable is usually untyped, so Terraform would read a TF_VAR_ value as
  // a string): a variables file in HCL syntax, passed to the engine in memory, never written.
  std::string sensitive_var_file;
};

// Module files read once per run and shared by every component using the same module.
// Thread-safe: the executor generates several workdirs at once.
class ModuleCache {
 public:
  struct File {
    std::string path;  // relative to the module root
    std::string content;
    bool executable = false;
  };
  // Files under dir (absolute), skipping .terraform/, .git/ and anything under `skip_dir`.
  const std::vector<File>& files(const std::string& dir, const std::string& skip_dir);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<File>> by_dir_;  // node-stable: references stay valid
};

// True for paths generation must never delete or overwrite (state, engine and lock files).
bool is_protected_path(const std::string& relative_path);

// <work_root>/<stack>/<component>
std::string workdir_for(const ComponentFiles& files);

// A temporary file base/atomic_file writes before its rename (".main.tf.tmp.4242.0"): one a
// killed strata left behind, when found in a workdir whose lock is held.
bool is_leftover_temp_file(const std::string& name);

// `workdir_is_new`: the caller has just created the workdir (it holds nothing but the lock), so
// files are written without looking for earlier versions of them. `after_a_killed_holder`: the
// workdir's previous lock holder was killed (FileLock::previous_holder_released), so the
// temporary files it may have left are looked for and removed.
GenerateResult generate_workdir(const ComponentFiles& files, ModuleCache& cache, bool workdir_is_new = false,
                                bool after_a_killed_holder = true);

// The tfvars file name Comet uses: <stack>-<component>.tfvars.json (slashes in Kompos stack
// paths become '_').
std::string tfvars_file_name(const ComponentRef& ref);

}  // namespace strata
