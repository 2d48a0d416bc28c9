#include "cli/help_footer.h"

#include <map>
#include <string_view>
#include <vector>

namespace strata::cli {

namespace {

// Who reads a variable: loading a project, finding and running the engine, drawing on the
// terminal, or opening SOPS files.
enum Reads : unsigned {
  kNothing = 0,
  kProject = 1,
  kEngine = 2,
  kTerminal = 4,
  kSops = 8,
  kRemote = 16,  // `strata remote …`: which server, with what token
  kServer = 32,  // `strata server`
  kWorker = 64,  // `strata worker`
};

struct EnvVarDoc {
  std::string_view name;
  unsigned reads;
  std::string_view what;
};

// Every variable strata itself reads (grep getenv and the loader's environment lookups).
constexpr EnvVarDoc kEnvVars[] = {
    {"STRATA_ENGINE", kEngine, "engine to run (name or path) unless --engine or strata.yaml name one"},
    {"PATH", kEngine, "where tofu, then terraform, are looked for"},
    {"XDG_CACHE_HOME", kEngine, "plugin cache in $XDG_CACHE_HOME/strata (default ~/.cache/strata)"},
    {"TF_DATA_DIR", kEngine, "honoured: init keeps the engine's data folder there"},
    {"TF_HTTP_PASSWORD", kEngine, "strata.yaml state_backend: the server's API token (else STRATA_TOKEN)"},
    {"STRATA_SERVER", kRemote, "the server's URL, over what `strata remote login` stored"},
    {"STRATA_TOKEN", kRemote | kEngine, "an API token, over what `strata remote login` stored"},
    {"STRATA_CA_CERT", kRemote | kEngine, "a PEM file to trust for the server's HTTPS (a self-signed one)"},
    {"XDG_CONFIG_HOME", kRemote | kEngine, "remote login's credentials in $XDG_CONFIG_HOME/strata (~/.config)"},
    {"STRATA_SERVER_ADMIN_TOKEN", kServer, "the first admin token on an empty store (else one is made)"},
    {"STRATA_SERVER_KEYRING", kServer, "the key ring's text (instead of --keyring or <data-dir>/keyring)"},
    {"STRATA_OAUTH_CLIENT_SECRET", kServer, "the sign-in provider's client secret (oauth = { … } in --config)"},
    {"STRATA_WORKER_TOKEN", kWorker, "the token the worker joins with (instead of --join-token)"},
    {"STRATA_JS_TIMEOUT", kProject, "seconds one stack file may run (default 30)"},
    {"STRATA_JS_MEMORY_LIMIT_MB", kProject, "memory one stack file may use (default 2048)"},
    {"STRATA_YAML_MAX_FILE_MB", kProject, "largest YAML file read, in MiB (default 16)"},
    {"STRATA_JS_CACHE", kProject, "0, off or false: run every stack file, reuse no results"},
    {"SOPS_AGE_KEY", kSops | kProject, "age identities for SOPS files and sops:// references"},
    {"SOPS_AGE_KEY_FILE", kSops | kProject, "age identities file (default ~/.config/sops/age/keys.txt)"},
    {"SOPS_AGE_SSH_PRIVATE_KEY_FILE", kSops | kProject, "an SSH key used as an age identity"},
    {"NO_COLOR", kTerminal, "set and not empty: no colour under --color auto"},
    {"TERM", kTerminal, "dumb: no colour and no live board"},
};

struct CommandDoc {
  unsigned reads;
  std::string_view exit_codes;  // besides 0, 1 and 64
};

constexpr unsigned kRunsEngine = kProject | kEngine | kTerminal;

// One row per command; a command without a row gets the shared exit codes and no variables.
const std::map<std::string, CommandDoc, std::less<>>& command_docs() {
  static const std::map<std::string, CommandDoc, std::less<>> docs = {
      {"", {kProject | kEngine | kTerminal | kSops, "  2   changes present (plan --detailed-exitcode only)\n"}},
      {"version", {kEngine, ""}},
      {"list", {kProject, ""}},
      {"describe", {kProject, ""}},
      {"validate", {kProject, ""}},
      {"generate", {kRunsEngine, ""}},
      {"init", {kRunsEngine, ""}},
      {"plan", {kRunsEngine, "  2   changes present (with --detailed-exitcode only)\n"}},
      {"apply", {kRunsEngine, ""}},
      {"destroy", {kRunsEngine, ""}},
      {"output", {kProject | kEngine, ""}},
      {"run", {kProject | kEngine, ""}},
      {"graph", {kProject, ""}},
      {"clean", {kProject, ""}},
      {"state", {kProject, ""}},
      {"state orphans", {kProject, ""}},
      {"state mv", {kProject, ""}},
      {"inspect", {kNothing, ""}},
      {"new", {kNothing, ""}},
      {"completion", {kNothing, ""}},
      {"__complete", {kProject, ""}},
      {"secrets", {kSops, ""}},
      {"secrets decrypt", {kSops, ""}},
      {"secrets get", {kSops, ""}},
      {"remote", {kRemote, ""}},
      {"remote runs start", {kRemote, "  2   changes present (with --wait --detailed-exitcode only)\n"}},
      {"server", {kEngine | kServer, ""}},
      {"server keyring", {kNothing, ""}},
      {"server keyring rotate", {kServer, ""}},
      {"worker", {kEngine | kWorker, ""}},
  };
  return docs;
}

std::string command_path(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* cur = app; cur->get_parent() != nullptr; cur = cur->get_parent()) names.insert(names.begin(), cur->get_name());
  std::string path;
  for (const auto& n : names) path += (path.empty() ? "" : " ") + n;
  return path;
}

void add_to_tree(CLI::App* app) {
  std::string own = app->get_footer();
  std::string footer = help_footer(command_path(app));
  app->footer(own.empty() ? footer : own + "\n\n" + footer);
  for (CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) add_to_tree(sub);
}

}  // namespace

std::string help_footer(const std::string& path) {
  CommandDoc doc{kNothing, ""};
  // A command's own row, else its nearest parent's (every `remote …` command reads what
  // `remote` does); the top level's row is for `strata --help` alone.
  for (std::string at = path;;) {
    if (auto it = command_docs().find(at); it != command_docs().end()) {
      doc = it->second;
      break;
    }
    size_t space = at.rfind(' ');
    if (space == std::string::npos) break;
    at.resize(space);
  }
  std::string out = "Exit status:\n  0   success\n";
  out += "  1   failure (a problem is printed)\n";
  out += doc.exit_codes;
  out += "  64  usage error: unknown command or flag, or a bad value\n";
  out += "  130 stopped by Ctrl-C\n";
  if (doc.reads != kNothing) {
    out += "\nEnvironment:\n";
    for (const auto& v : kEnvVars) {
      if (!(v.reads & doc.reads)) continue;
      out += "  " + std::string(v.name) + std::string(v.name.size() < 31 ? 31 - v.name.size() : 1, ' ') +
             std::string(v.what) + "\n";
    }
    if (doc.reads & kProject) {
      out += "  Every variable, with strata.yaml `env:` and .env files, reaches stack files (env()) and\n"
             "  templates; those that run the engine pass it on to the engine and hooks.\n";
    }
  }
  if (path.empty()) out += "\n'strata help COMMAND' or 'strata COMMAND --help' explains one command.\n";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void add_help_footers(CLI::App& app) { add_to_tree(&app); }

}  // namespace strata::cli
