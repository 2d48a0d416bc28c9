// `strata secrets decrypt FILE [--extract PATH]` and `strata secrets get REF`: for debugging
// secret references. They print secrets on purpose, so only to a terminal, or with --force.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "secrets/sops.h"
#include "secrets/sops_resolver.h"
#include "workspace/workspace.h"

namespace strata::cli {

namespace {

struct SecretsFlags {
  std::string file, extract, ref;
  bool force = false;
  bool ignore_mac = false;
};

void require_terminal_or_force(const SecretsFlags& f) {
  if (f.force || ::isatty(STDOUT_FILENO)) return;
  throw Error("refusing to print decrypted secrets to a pipe or file", {},
              "pass --force if you really mean to write them there");
}

void print_value(const Value& v) {
  std::cout << (v.is_string() ? v.as_string() : to_json_text(v)) << "\n";
}

int run_decrypt(const SecretsFlags& f) {
  require_terminal_or_force(f);
  secrets::SopsOptions options;
  options.ignore_mac = f.ignore_mac;
  Value tree = secrets::decrypt_sops_file(f.file, options);
  if (f.extract.empty()) {
    print_value(tree);
    return 0;
  }
  const Value* v = secrets::find_key_path(tree, f.extract);
  if (!v) throw Error("\"" + f.extract + "\" is not in " + f.file, {}, "run without --extract to see the keys");
  print_value(*v);
  return 0;
}

int run_get(const SecretsFlags& f) {
  require_terminal_or_force(f);
  // sops:// paths are relative to the project root, as in stack files.
  std::error_code ec;
  auto resolver = workspace::secret_resolver_for_folder(std::filesystem::current_path(ec).string(),
                                                        process_environment());
  print_value(resolver->resolve(f.ref, Origin("command line")));
  return 0;
}

}  // namespace

void add_secrets_command(CLI::App& app, Globals&, Action& action) {
  auto flags = std::make_shared<SecretsFlags>();
  auto* cmd = app.add_subcommand("secrets", "Decrypt SOPS files and secret references (for debugging)");
  cmd->require_subcommand(1);
  cmd->footer(
      "Keys are looked up as sops does:\n"
      "  age:  SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, $XDG_CONFIG_HOME/sops/age/keys.txt\n"
      "        (default ~/.config/sops/age/keys.txt)\n"
      "  SSH:  SOPS_AGE_SSH_PRIVATE_KEY_FILE, ~/.ssh/id_ed25519, ~/.ssh/id_rsa (ed25519 and RSA;\n"
      "        passphrase-protected keys are skipped: strata never prompts)\n"
      "  PGP:  gpg --decrypt (your gpg keyring and agent)\n"
      "  cloud KMS, Vault: a sops binary on PATH, when installed\n"
      "Decrypted values are printed only to a terminal, or with --force.");
  auto* decrypt = cmd->add_subcommand("decrypt", "Decrypt a SOPS file (YAML, JSON, dotenv, INI, binary) and print it");
  decrypt->add_option("file", flags->file, "The SOPS file")->required()->check(CLI::ExistingFile);
  decrypt->add_option("--extract", flags->extract, "Only this key path (/a/b or a.b)");
  decrypt->add_flag("--force", flags->force, "Print even when standard output is not a terminal");
  decrypt->add_flag("--ignore-mac", flags->ignore_mac, "Accept a file whose MAC does not match (unsafe)");
  decrypt->callback([&action, flags] { action = [flags] { return run_decrypt(*flags); }; });
  auto* get = cmd->add_subcommand("get", "Resolve one reference, e.g. sops://secrets.enc.yaml#/db/password");
  get->add_option("ref", flags->ref, "The reference")->required();
  get->add_flag("--force", flags->force, "Print even when standard output is not a terminal");
  get->callback([&action, flags] { action = [flags] { return run_get(*flags); }; });
}

}  // namespace strata::cli
