#include "secrets/sops.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "base/atomic_file.h"
#include "base/environment.h"
#include "base/executable_search.h"
#include "base/subprocess.h"
#include "base/yaml_guard.h"
#include "model/error.h"
#include "secrets/crypto.h"
#include "secrets/shamir.h"
#include "secrets/ssh_key.h"

namespace strata::secrets {
namespace {

// A document tree in file order (the MAC depends on the order; Value maps are sorted).
struct Node {
  enum class Kind { kNull, kScalar, kMap, kList };
  enum class Type { kString, kInt, kFloat, kBool, kNull };
  Kind kind = Kind::kNull;
  Type type = Type::kString;  // scalars only: how an unencrypted scalar reads
  std::string text;
  struct Entry;
  std::vector<Entry> entries;
  std::vector<Node> items;
  int line = 0, column = 0;

  const Node* find(const std::string& key) const;
};

struct Node::Entry {
  Entry(std::string k, Node v) : key(std::move(k)), value(std::move(v)) {}
  std::string key;
  Node value;
};

const Node* Node::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

Node scalar(std::string text, Node::Type type, int line = 0, int column = 0) {
  Node n;
  n.kind = Node::Kind::kScalar;
  n.type = type;
  n.text = std::move(text);
  n.line = line;
  n.column = column;
  return n;
}

std::string read_file_or_throw(const std::string& path) {
  std::string text;
  if (!try_read_file(path, text))
    throw Error("cannot read SOPS file: " + path, Origin(path),
                "check that the file exists and is readable");
  return text;
}

// ---- YAML ----
Node::Type plain_yaml_type(const std::string& t) {
  if (!t.empty() && !std::isdigit(static_cast<unsigned char>(t[0])) && t[0] != '-' &&
      t[0] != '+' && t[0] != '.' && t[0] != 't' && t[0] != 'T' && t[0] != 'f' && t[0] != 'F' &&
      t[0] != 'n' && t[0] != 'N' && t[0] != '~')
    return Node::Type::kString;
  static const std::regex kInt("^[-+]?(0|[1-9][0-9]*)$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (t == "true" || t == "True" || t == "TRUE" || t == "false" || t == "False" || t == "FALSE")
    return Node::Type::kBool;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return Node::Type::kNull;
  if (std::regex_match(t, kInt)) return Node::Type::kInt;
  if (std::regex_match(t, kFloat)) return Node::Type::kFloat;
  return Node::Type::kString;
}

Node from_yaml(const YAML::Node& y, const std::string& path, YamlGuard& guard) {
  Node n;
  n.line = y.Mark().line + 1;
  n.column = y.Mark().column + 1;
  if (std::string why = guard.enter(y); !why.empty())
    throw Error("invalid YAML: " + why, Origin(path, n.line, n.column),
                "check the anchors (&name) and aliases (*name) at this position");
  switch (y.Type()) {
    case YAML::NodeType::Map:
      n.kind = Node::Kind::kMap;
      for (const auto& kv : y) n.entries.emplace_back(kv.first.Scalar(), from_yaml(kv.second, path, guard));
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::kList;
      for (const auto& item : y) n.items.push_back(from_yaml(item, path, guard));
      break;
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::kScalar;
      n.text = y.Scalar();
      n.type = y.Tag() == "?" ? plain_yaml_type(n.text) : Node::Type::kString;
      break;
    default:
      break;
  }
  guard.leave();
  return n;
}

// yaml-cpp scans plain scalars one character at a time and dominates decryption time on
// large files, where nearly every byte is inside an ENC[...] value. So each ENC[...] span
// (which never contains whitespace or quotes) is swapped for a short placeholder before
// parsing and swapped back in every scalar afterwards. Skipped when the text already contains
// the placeholder marker, so the substitution is always exactly reversible.
constexpr std::string_view kEncMarker = "\x1fstrata-enc-";

bool is_enc_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' ||
         c == ',' || c == ':' || c == '_';
}

std::string stash_enc_values(std::string_view text, std::vector<std::string>* stash) {
  std::string out;
  out.reserve(text.size() / 4);
  size_t pos = 0;
  while (true) {
    size_t at = text.find("ENC[AES256_GCM,", pos);
    if (at == std::string_view::npos) break;
    size_t end = at + 15;
    while (end < text.size() && is_enc_char(text[end])) ++end;
    if (end >= text.size() || text[end] != ']') {
      out.append(text.substr(pos, end - pos));
      pos = end;
      continue;
    }
    out.append(text.substr(pos, at - pos));
    out += kEncMarker;
    out += std::to_string(stash->size());
    out += '.';
    stash->emplace_back(text.substr(at, end + 1 - at));
    pos = end + 1;
  }
  out.append(text.substr(pos));
  return out;
}

void unstash(std::string* s, const std::vector<std::string>& stash) {
  size_t at = s->find(kEncMarker);
  while (at != std::string::npos) {
    size_t num = at + kEncMarker.size();
    size_t dot = s->find('.', num);
    size_t idx = std::strtoul(s->c_str() + num, nullptr, 10);
    if (dot == std::string::npos || idx >= stash.size()) return;
    s->replace(at, dot + 1 - at, stash[idx]);
    at = s->find(kEncMarker, at + stash[idx].size());
  }
}

void unstash_tree(Node* n, const std::vector<std::string>& stash) {
  if (n->kind == Node::Kind::kScalar) {
    unstash(&n->text, stash);
    if (n->text.rfind("ENC[", 0) == 0) n->type = Node::Type::kString;
  }
  for (auto& [k, v] : n->entries) {
    unstash(&k, stash);
    unstash_tree(&v, stash);
  }
  for (auto& item : n->items) unstash_tree(&item, stash);
}

Node parse_yaml(std::string_view text, const std::string& path) {
  try {
    if (text.find(kEncMarker) == std::string_view::npos) {
      std::vector<std::string> stash;
      std::string stashed = stash_enc_values(text, &stash);
      YamlGuard guard;
      Node root = from_yaml(YAML::Load(stashed), path, guard);
      unstash_tree(&root, stash);
      return root;
    }
    YAML::Node root = YAML::Load(std::string(text));
    YamlGuard guard;
    return from_yaml(root, path, guard);
  } catch (const YAML::Exception& e) {
    throw Error("invalid YAML in SOPS file: " + yaml_error_text(e), Origin(path, e.mark.line + 1, e.mark.column + 1),
                "fix the YAML syntax or re-encrypt the file with sops");
  }
}

// ---- JSON ----
Node from_json(const nlohmann::ordered_json& j) {
  Node n;
  if (j.is_object()) {
    n.kind = Node::Kind::kMap;
    for (auto it = j.begin(); it != j.end(); ++it) n.entries.emplace_back(it.key(), from_json(*it));
  } else if (j.is_array()) {
    n.kind = Node::Kind::kList;
    for (const auto& item : j) n.items.push_back(from_json(item));
  } else if (j.is_string()) {
    n = scalar(j.get<std::string>(), Node::Type::kString);
  } else if (j.is_boolean()) {
    n = scalar(j.get<bool>() ? "true" : "false", Node::Type::kBool);
  } else if (j.is_number_integer()) {
    n = scalar(j.dump(), Node::Type::kInt);
  } else if (j.is_number()) {
    n = scalar(j.dump(), Node::Type::kFloat);
  }
  return n;
}

Node parse_json(std::string_view text, const std::string& path) {
  try {
    return from_json(nlohmann::ordered_json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("invalid JSON in SOPS file: ") + e.what(), Origin(path),
                "fix the JSON syntax or re-encrypt the file with sops");
  }
}

// ---- dotenv and INI: flat formats whose metadata is flattened into sops_* keys ----
std::string unescape_newlines(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

// Sets a flattened metadata key such as "age__list_0__map_enc" inside `meta`.
void unflatten_into(Node* meta, const std::string& key, std::string value, int line) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t sep = key.find("__", start);
    parts.push_back(key.substr(start, sep == std::string::npos ? key.npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 2;
  }
  Node* cur = meta;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string part = parts[i];
    bool last = i + 1 == parts.size();
    if (part.rfind("list_", 0) == 0 && cur->kind != Node::Kind::kMap) {
      size_t idx = std::strtoul(part.c_str() + 5, nullptr, 10);
      cur->kind = Node::Kind::kList;
      if (idx > 1000) return;
      if (cur->items.size() <= idx) cur->items.resize(idx + 1);
      cur = &cur->items[idx];
    } else {
      if (part.rfind("map_", 0) == 0) part = part.substr(4);
      cur->kind = Node::Kind::kMap;
      Node* child = nullptr;
      for (auto& [k, v] : cur->entries)
        if (k == part) child = &v;
      if (!child) {
        cur->entries.emplace_back(part, Node{});
        child = &cur->entries.back().value;
      }
      cur = child;
    }
    if (last) *cur = scalar(value, Node::Type::kString, line, 1);
  }
}

Node parse_dotenv(std::string_view text) {
  Node root;
  root.kind = Node::Kind::kMap;
  Node meta;
  meta.kind = Node::Kind::kMap;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key.rfind("sops_", 0) == 0) {
      unflatten_into(&meta, key.substr(5), unescape_newlines(value), line_no);
    } else {
      root.entries.emplace_back(key, scalar(value, Node::Type::kString, line_no, int(eq) + 2));
    }
  }
  root.entries.emplace_back("sops", std::move(meta));
  return root;
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

Node parse_ini(std::string_view text, const std::string& path) {
  Node root;
  root.kind = Node::Kind::kMap;
  Node meta;
  meta.kind = Node::Kind::kMap;
  Node* section = nullptr;
  bool in_sops = false;
  std::vector<std::string> lines;
  {
    std::string t(text);
    std::istringstream in(t);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    int line_no = int(i) + 1;
    std::string line = trim(lines[i]);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line[0] == '[') {
      if (line.back() != ']')
        throw Error("invalid INI section header in SOPS file", Origin(path, line_no, 1),
                    "section headers look like [name]");
      std::string name = line.substr(1, line.size() - 2);
      in_sops = name == "sops";
      if (!in_sops) {
        root.entries.emplace_back(name, Node{});
        section = &root.entries.back().value;
        section->kind = Node::Kind::kMap;
      }
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw Error("invalid INI line in SOPS file (expected key = value)", Origin(path, line_no, 1),
                  "fix the line or re-encrypt the file with sops");
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (value.rfind("\"\"\"", 0) == 0) {  // go-ini multi-line value
      std::string acc = value.substr(3);
      size_t j = i;
      while (acc.size() < 3 || acc.compare(acc.size() - 3, 3, "\"\"\"") != 0) {
        if (++j >= lines.size())
          throw Error("unterminated \"\"\" value in INI file", Origin(path, line_no, 1));
        std::string next = lines[j];
        if (!next.empty() && next.back() == '\r') next.pop_back();
        acc += "\n" + next;
      }
      i = j;
      value = acc.substr(0, acc.size() - 3);
    }
    if (in_sops) {
      unflatten_into(&meta, key, unescape_newlines(value), line_no);
    } else if (section) {
      // The section/key/value order: lines inside a section are stored in the section.
      section->entries.emplace_back(key, scalar(value, Node::Type::kString, line_no, 1));
    }
  }
  root.entries.emplace_back("sops", std::move(meta));
  return root;
}

// ---- metadata ----
struct Metadata {
  struct AgeKey {
    std::string recipient, enc;
  };
  struct PgpKey {
    std::string fp, enc;
  };
  struct KeyGroup {
    std::vector<AgeKey> age;
    std::vector<PgpKey> pgp;
    std::vector<std::string> other_types;  // recipient types with entries we cannot open
  };
  // One group holds the data key itself; several hold Shamir shares of it, `threshold` of
  // which rebuild it.
  std::vector<KeyGroup> groups;
  size_t threshold = 1;
  std::string lastmodified;
  std::optional<std::string> mac;
  std::optional<std::string> unencrypted_suffix, encrypted_suffix, unencrypted_regex,
      encrypted_regex;
  bool mac_only_encrypted = false;
  std::string version;
};

std::string scalar_text(const Node* n) { return n && n->kind == Node::Kind::kScalar ? n->text : ""; }

Metadata::KeyGroup collect_keys(const Node& group) {
  Metadata::KeyGroup g;
  if (const Node* a = group.find("age"); a && a->kind == Node::Kind::kList)
    for (const Node& e : a->items)
      g.age.push_back({scalar_text(e.find("recipient")), scalar_text(e.find("enc"))});
  if (const Node* p = group.find("pgp"); p && p->kind == Node::Kind::kList)
    for (const Node& e : p->items)
      g.pgp.push_back({scalar_text(e.find("fp")), scalar_text(e.find("enc"))});
  for (const char* t : {"kms", "gcp_kms", "azure_kv", "hc_vault", "huaweicloud_kms"})
    if (const Node* o = group.find(t); o && o->kind == Node::Kind::kList && !o->items.empty())
      g.other_types.push_back(t);
  return g;
}

Metadata read_metadata(const Node& sops, const std::string& path) {
  if (sops.kind != Node::Kind::kMap)
    throw Error("not a SOPS file: the `sops` metadata is missing", Origin(path),
                "encrypt the file with sops first, or reference a plain file instead");
  Metadata m;
  if (const Node* g = sops.find("key_groups"); g && g->kind == Node::Kind::kList && !g->items.empty()) {
    for (const Node& group : g->items) m.groups.push_back(collect_keys(group));
    // As sops: with several groups the threshold defaults to all of them.
    m.threshold = m.groups.size();
    if (const Node* t = sops.find("shamir_threshold"); t && !scalar_text(t).empty()) {
      const std::string text = scalar_text(t);
      size_t used = 0;
      long value = -1;
      try {
        value = std::stol(text, &used);
      } catch (const std::exception&) {
      }
      if (used != text.size() || value < 0 || value > static_cast<long>(m.groups.size()))
        throw Error("shamir_threshold " + text + " is not a number of key groups between 1 and " +
                        std::to_string(m.groups.size()),
                    Origin(path, t->line, t->column), "the file may be damaged; re-encrypt it with sops");
      if (value > 0) m.threshold = static_cast<size_t>(value);
    }
  } else {
    m.groups.push_back(collect_keys(sops));
  }
  m.lastmodified = scalar_text(sops.find("lastmodified"));
  if (const Node* mac = sops.find("mac"); mac && mac->kind == Node::Kind::kScalar && !mac->text.empty())
    m.mac = mac->text;
  auto opt = [&](const char* key) -> std::optional<std::string> {
    const Node* n = sops.find(key);
    if (n && n->kind == Node::Kind::kScalar && !n->text.empty()) return n->text;
    return std::nullopt;
  };
  m.unencrypted_suffix = opt("unencrypted_suffix");
  m.encrypted_suffix = opt("encrypted_suffix");
  m.unencrypted_regex = opt("unencrypted_regex");
  m.encrypted_regex = opt("encrypted_regex");
  std::string moe = scalar_text(sops.find("mac_only_encrypted"));
  m.mac_only_encrypted = moe == "true" || moe == "True";
  m.version = scalar_text(sops.find("version"));
  if (!m.version.empty() && m.version.rfind("3.", 0) != 0 && m.version.rfind("2.", 0) != 0) {
    const Node* v = sops.find("version");
    throw Error("unsupported SOPS file version " + m.version, Origin(path, v->line, v->column),
                "strata reads files written by sops 2.x and 3.x; re-encrypt the file with a "
                "current sops");
  }
  if (!m.unencrypted_suffix && !m.encrypted_suffix && !m.unencrypted_regex && !m.encrypted_regex)
    m.unencrypted_suffix = "_unencrypted";
  return m;
}

// ---- the data key ----

// The environment of the secrets' child processes and key lookups: options.environment, else
// the process's (read once here, and only when no environment was given).
std::map<std::string, std::string> environment_of(const SopsOptions& options) {
  if (options.environment) return *options.environment;
  return process_environment();
}

void set_child_environment(SubprocessOptions& so, const SopsOptions& options) {
  if (!options.environment) return;  // inherited
  so.env = *options.environment;
  so.inherit_env = false;
}

std::string run_gpg(const std::string& enc, const SopsOptions& options, std::string* why) {
  SubprocessOptions so;
  so.argv = {options.gpg_program, "--batch", "--quiet", "--no-tty", "--decrypt"};
  set_child_environment(so, options);
  if (!options.gnupg_home.empty()) so.env["GNUPGHOME"] = options.gnupg_home;
  so.stdin_data = enc;
  so.capture_stdout = true;
  so.capture_stderr = true;
  so.timeout = std::chrono::seconds(60);
  try {
    Subprocess proc(std::move(so));
    SubprocessResult r = proc.run();
    if (r.success()) return r.stdout_text;
    std::string err = r.stderr_text.substr(0, 300);
    *why = "gpg " + r.describe() + (err.empty() ? "" : ": " + trim(err));
  } catch (const Error& e) {
    *why = "cannot run gpg: " + e.message();
  }
  return "";
}

// The data key is behind recipients only the sops binary can open (cloud KMS, Vault).
class NeedsSopsBinary : public Error {
 public:
  using Error::Error;
};

// The first key of `group` that opens: the data key, or with Shamir groups this group's share.
std::optional<std::string> open_group(const Metadata::KeyGroup& group, const SopsOptions& options,
                                      const std::string& path, std::vector<std::string>* tried) {
  if (!group.age.empty()) {
    std::vector<std::string> skipped;
    std::vector<age::Identity> ids = options.age_identities ? *options.age_identities
                                                            : age_identities_from_environment(environment_of(options), &skipped);
    for (const auto& k : group.age) {
      try {
        return age::decrypt(k.enc, ids, Origin(path));
      } catch (const age::AgeError& e) {
        tried->push_back("age " + k.recipient + ": " + e.message());
      }
    }
    tried->insert(tried->end(), skipped.begin(), skipped.end());
  }
  for (const auto& k : group.pgp) {
    std::string why;
    std::string key = run_gpg(k.enc, options, &why);
    if (!key.empty()) return key;
    tried->push_back("pgp " + k.fp + ": " + (why.empty() ? "gpg returned no data key" : why));
  }
  for (const auto& t : group.other_types)
    tried->push_back(t + ": this recipient type (a cloud KMS or Vault) cannot be opened by strata");
  return std::nullopt;
}

std::string data_key(const Metadata& m, const SopsOptions& options, const std::string& path) {
  std::vector<std::string> tried;
  std::string key;
  if (m.groups.size() == 1) {
    if (std::optional<std::string> k = open_group(m.groups[0], options, path, &tried)) key = *k;
  } else {
    std::vector<std::string> shares;
    for (size_t g = 0; g < m.groups.size() && shares.size() < m.threshold; ++g) {
      std::vector<std::string> group_tried;
      if (std::optional<std::string> share = open_group(m.groups[g], options, path, &group_tried)) {
        shares.push_back(*share);
      } else {
        for (const auto& t : group_tried) tried.push_back("key group " + std::to_string(g + 1) + ": " + t);
        if (group_tried.empty()) tried.push_back("key group " + std::to_string(g + 1) + ": it lists no recipients");
      }
    }
    if (shares.size() >= m.threshold) {
      try {
        key = shamir_combine(shares);
      } catch (const Error& e) {
        throw Error("cannot rebuild the data key from the SOPS file's key groups: " + e.message(), Origin(path),
                    "the file's key groups or shamir_threshold look damaged; re-encrypt it with sops");
      }
    } else {
      tried.insert(tried.begin(), "the data key is split across " + std::to_string(m.groups.size()) +
                                      " key groups and " + std::to_string(m.threshold) + " are needed; " +
                                      std::to_string(shares.size()) + " could be opened");
    }
  }
  if (key.size() == 32) return key;
  if (!key.empty()) tried.push_back("the data key opened is " + std::to_string(key.size()) + " bytes, not 32");
  bool external = key.empty() && std::any_of(m.groups.begin(), m.groups.end(),
                                             [](const Metadata::KeyGroup& g) { return !g.other_types.empty(); });
  std::string msg = "cannot decrypt the data key of the SOPS file";
  if (tried.empty()) msg += ": it lists no recipients";
  for (const auto& t : tried) msg += "\n  - " + t;
  const std::string hint =
      "provide a matching age identity (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, "
      "~/.config/sops/age/keys.txt, or an SSH key in SOPS_AGE_SSH_PRIVATE_KEY_FILE) or import the PGP key into gpg; files for a cloud KMS or "
      "Vault need the sops binary on PATH";
  if (external) throw NeedsSopsBinary(msg, Origin(path), hint);
  throw Error(msg, Origin(path), hint);
}

// Where `program` is: itself when it holds a '/', else the first match in PATH; "" if none.
std::string find_program(const std::string& program, const std::map<std::string, std::string>& env) {
  auto path = env.find("PATH");
  // PATH unset: nowhere to look (an empty list would mean the current directory).
  if (path == env.end() && program.find('/') == std::string::npos) return "";
  return find_executable(program, path == env.end() ? "" : path->second).value_or("");
}

void mark_all_sensitive(Value& v) {
  if (v.is_map()) {
    for (auto& [_, child] : v.as_map()) mark_all_sensitive(child);
  } else if (v.is_list()) {
    for (auto& child : v.as_list()) mark_all_sensitive(child);
  } else {
    v.set_sensitive();
  }
}

// `sops --decrypt` for a file strata cannot open itself. Its output holds secrets: captured,
// never logged, parsed straight into sensitive values.
Value decrypt_with_sops_binary(const std::string& program, const std::string& path,
                               const SopsOptions& options) {
  SubprocessOptions so;
  so.argv = {program, "--decrypt", "--output-type", "json", path};
  set_child_environment(so, options);
  so.capture_stdout = true;
  so.capture_stderr = true;
  so.timeout = std::chrono::seconds(120);
  Subprocess proc(std::move(so));
  SubprocessResult r = proc.run();
  if (!r.success()) {
    std::string err = trim(r.stderr_text.substr(0, 500));
    throw Error("sops could not decrypt the file: sops " + r.describe() + (err.empty() ? "" : ": " + err),
                Origin(path), "check the cloud credentials sops needs for this file's recipients");
  }
  Value tree;
  try {
    tree = parse_json_text(r.stdout_text, Origin(path));
  } catch (const Error&) {
    throw Error("sops --decrypt printed something that is not JSON", Origin(path),
                "check that `" + program + "` is Mozilla/getsops sops 3.x");
  }
  mark_all_sensitive(tree);
  return tree;
}

// ---- decryption walk ----
std::string join_path(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += p + ":";
  return s;
}

std::string dotted(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s.empty() ? "(top level)" : s;
}

class Walker {
 public:
  Walker(const Metadata& m, std::string key, const std::string& path)
      : meta_(m), key_(std::move(key)), file_(std::make_shared<const std::string>(path)) {
    if (m.encrypted_regex) enc_re_.emplace(*m.encrypted_regex);
    if (m.unencrypted_regex) unenc_re_.emplace(*m.unencrypted_regex);
  }

  Value walk(const Node& n, std::vector<std::string>& path, bool encrypted) {
    Value out;
    switch (n.kind) {
      case Node::Kind::kNull:
        break;
      case Node::Kind::kMap:
        out = Value::map();
        for (const auto& [k, child] : n.entries) {
          path.push_back(k);
          bool enc = encrypted && component_keeps_encryption(k);
          bool enc_on = !encrypted && component_turns_on(k);
          out.set(k, walk(child, path, enc || enc_on));
          path.pop_back();
        }
        break;
      case Node::Kind::kList:
        out = Value::list();
        for (const Node& item : n.items) out.push(walk(item, path, encrypted));
        break;
      case Node::Kind::kScalar:
        out = leaf(n, path, encrypted);
        break;
    }
    out.set_origin(Origin(file_, n.line, n.column));
    return out;
  }

  // The starting state at the root: with an "encrypt only matching" rule nothing is encrypted
  // until a component matches; with an "exclude matching" rule everything is.
  bool root_encrypted() const { return !(meta_.encrypted_suffix || meta_.encrypted_regex); }
  std::string mac_hex() const { return hex_encode(sha512(mac_input_), true); }

 private:
  bool component_keeps_encryption(const std::string& k) const {
    if (meta_.unencrypted_suffix && k.size() >= meta_.unencrypted_suffix->size() &&
        k.compare(k.size() - meta_.unencrypted_suffix->size(), meta_.unencrypted_suffix->size(),
                  *meta_.unencrypted_suffix) == 0)
      return false;
    if (unenc_re_ && std::regex_search(k, *unenc_re_)) return false;
    return true;
  }
  bool component_turns_on(const std::string& k) const {
    if (meta_.encrypted_suffix && k.size() >= meta_.encrypted_suffix->size() &&
        k.compare(k.size() - meta_.encrypted_suffix->size(), meta_.encrypted_suffix->size(),
                  *meta_.encrypted_suffix) == 0)
      return true;
    if (enc_re_ && std::regex_search(k, *enc_re_)) return true;
    return false;
  }

  Value leaf(const Node& n, const std::vector<std::string>& path, bool encrypted) {
    Origin where(file_, n.line, n.column);
    bool is_enc = n.type == Node::Type::kString && n.text.rfind("ENC[", 0) == 0;
    if (!encrypted || !is_enc) {
      // sops leaves nulls and empty strings as they are, even where it encrypts.
      if (encrypted && n.type != Node::Type::kNull && !n.text.empty())
        throw Error("value at key path " + dotted(path) +
                        " is not encrypted, but the file's rules say it must be",
                    where, "the file was edited after encryption; re-encrypt it with sops");
      if (!meta_.mac_only_encrypted) {
        if (n.type == Node::Type::kBool)
          mac_input_ += (n.text == "true" || n.text == "True" || n.text == "TRUE") ? "True" : "False";
        else if (n.type != Node::Type::kNull)
          mac_input_ += n.text;
      }
      switch (n.type) {
        case Node::Type::kNull: return Value();
        case Node::Type::kBool: return Value(n.text == "true" || n.text == "True" || n.text == "TRUE");
        case Node::Type::kInt:
        case Node::Type::kFloat: return Value(Number(n.text));
        case Node::Type::kString: return Value(n.text);
      }
    }
    auto enc = parse_enc(n.text);
    if (!enc)
      throw Error("malformed ENC[] value at key path " + dotted(path), where,
                  "the value must look like ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]; "
                  "restore it from version control or re-encrypt the file");
    auto pt = aes256gcm_open(key_, enc->iv, join_path(path), enc->data, enc->tag);
    if (!pt)
      throw Error("cannot decrypt the value at key path " + dotted(path) +
                      " (authentication failed: wrong key or tampered ciphertext)",
                  where, "restore the file from version control or re-encrypt it with sops");
    mac_input_ += *pt;
    Value v;
    if (enc->type == "str" || enc->type == "bytes" || enc->type == "time") {
      v = Value(*pt);
    } else if (enc->type == "int" || enc->type == "float") {
      v = Value(Number(*pt));
    } else if (enc->type == "bool") {
      v = Value(*pt == "True" || *pt == "true");
    } else {
      throw Error("unknown ENC[] type '" + enc->type + "' at key path " + dotted(path), where,
                  "supported types are str, int, float, bool, bytes and comment");
    }
    v.set_sensitive();
    return v;
  }

  const Metadata& meta_;
  std::string key_;
  std::shared_ptr<const std::string> file_;
  std::optional<std::regex> enc_re_, unenc_re_;
  std::string mac_input_;
};

}  // namespace

SopsFormat sops_format_for_path(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".yaml" || ext == ".yml") return SopsFormat::kYaml;
  if (ext == ".json") return SopsFormat::kJson;
  if (ext == ".env") return SopsFormat::kDotenv;
  if (ext == ".ini") return SopsFormat::kIni;
  return SopsFormat::kBinary;
}

std::optional<EncValue> parse_enc(std::string_view text) {
  constexpr std::string_view kPrefix = "ENC[AES256_GCM,";
  if (text.substr(0, kPrefix.size()) != kPrefix || text.empty() || text.back() != ']')
    return std::nullopt;
  std::string_view body = text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1);
  EncValue v;
  std::string* fields[] = {&v.data, &v.iv, &v.tag, &v.type};
  const char* names[] = {"data:", "iv:", "tag:", "type:"};
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    std::string_view name = names[i];
    if (body.substr(pos, name.size()) != name) return std::nullopt;
    pos += name.size();
    size_t comma = body.find(',', pos);
    if ((comma == std::string_view::npos) != (i == 3)) return std::nullopt;
    std::string_view field = body.substr(pos, i == 3 ? body.npos : comma - pos);
    if (i < 3) {
      auto decoded = base64_decode_std(field);
      if (!decoded) return std::nullopt;
      *fields[i] = std::move(*decoded);
    } else {
      *fields[i] = std::string(field);
    }
    pos = i == 3 ? body.size() : comma + 1;
  }
  if (v.iv.empty() || v.tag.size() != 16 || v.type.empty()) return std::nullopt;
  return v;
}

std::string encrypt_enc(std::string_view plaintext, std::string_view key, std::string_view aad,
                        std::string_view type) {
  std::string iv = random_bytes(32);
  GcmSealed s = aes256gcm_seal(key, iv, aad, plaintext);
  return "ENC[AES256_GCM,data:" + base64_encode(s.ciphertext) + ",iv:" + base64_encode(iv) +
         ",tag:" + base64_encode(s.tag) + ",type:" + std::string(type) + "]";
}

std::string encrypt_sops_yaml(const std::vector<std::pair<std::string, std::string>>& values,
                              const std::string& age_recipient, std::string* data_key) {
  std::string key = random_bytes(32);
  if (data_key) *data_key = key;
  std::string out, mac_input;
  for (const auto& [k, v] : values) {
    out += k + ": " + encrypt_enc(v, key, k + ":", "str") + "\n";
    mac_input += v;
  }
  const std::string lastmodified = "2024-01-01T00:00:00Z";
  std::string enc = age::encrypt(key, {age_recipient}, true);
  out += "sops:\n  age:\n    - recipient: " + age_recipient + "\n      enc: |\n";
  size_t pos = 0;
  while (pos < enc.size()) {
    size_t nl = enc.find('\n', pos);
    out += "        " + enc.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  out += "  lastmodified: \"" + lastmodified + "\"\n";
  out += "  mac: " + encrypt_enc(hex_encode(sha512(mac_input), true), key, lastmodified, "str") +
         "\n";
  out += "  unencrypted_suffix: _unencrypted\n  version: 3.9.0\n";
  return out;
}

std::vector<age::Identity> age_identities_from_environment(std::vector<std::string>* skipped) {
  return age_identities_from_environment(environment_of(SopsOptions{}), skipped);
}

std::vector<age::Identity> age_identities_from_environment(const std::map<std::string, std::string>& env,
                                                           std::vector<std::string>* skipped) {
  // A set, non-empty variable, as getenv() && *value would test it.
  auto getenv = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  std::vector<age::Identity> ids;
  const char* home = getenv("HOME");
  if (const char* f = getenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE"); f && *f) {
    if (!std::filesystem::exists(f))
      throw Error(std::string("SOPS_AGE_SSH_PRIVATE_KEY_FILE points to a missing file: ") + f,
                  Origin(f), "fix SOPS_AGE_SSH_PRIVATE_KEY_FILE or unset it");
    ids.push_back(age::Identity::ssh(secrets::parse_ssh_private_key(read_file_or_throw(f), Origin(f))));
  }
  if (home && *home) {
    for (const char* name : {"/.ssh/id_ed25519", "/.ssh/id_rsa"}) {
      std::string file = std::string(home) + name;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) continue;
      try {
        ids.push_back(age::Identity::ssh(secrets::parse_ssh_private_key(read_file_or_throw(file), Origin(file))));
      } catch (const Error& e) {
        if (skipped) skipped->push_back("skipped the SSH key " + file + ": " + e.message());
      }
    }
  }
  if (const char* k = getenv("SOPS_AGE_KEY"); k && *k) {
    auto more = age::parse_identities(k, Origin("SOPS_AGE_KEY"));
    ids.insert(ids.end(), more.begin(), more.end());
  }
  std::string file;
  if (const char* f = getenv("SOPS_AGE_KEY_FILE"); f && *f) {
    file = f;
    if (!std::filesystem::exists(file))
      throw Error("SOPS_AGE_KEY_FILE points to a missing file: " + file, Origin(file),
                  "fix SOPS_AGE_KEY_FILE or unset it");
  } else {
    std::string base;
    if (const char* x = getenv("XDG_CONFIG_HOME"); x && *x) base = x;
    else if (const char* h = getenv("HOME"); h && *h) base = std::string(h) + "/.config";
    if (!base.empty()) file = base + "/sops/age/keys.txt";
  }
  if (!file.empty() && std::filesystem::exists(file)) {
    auto more = age::parse_identities(read_file_or_throw(file), Origin(file));
    ids.insert(ids.end(), more.begin(), more.end());
  }
  return ids;
}

Value decrypt_sops(std::string_view text, SopsFormat format, const std::string& path,
                   const SopsOptions& options) {
  Node root;
  switch (format) {
    case SopsFormat::kYaml: root = parse_yaml(text, path); break;
    case SopsFormat::kJson:
    case SopsFormat::kBinary: root = parse_json(text, path); break;
    case SopsFormat::kDotenv: root = parse_dotenv(text); break;
    case SopsFormat::kIni: root = parse_ini(text, path); break;
  }
  const Node* sops = root.kind == Node::Kind::kMap ? root.find("sops") : nullptr;
  if (!sops)
    throw Error("not a SOPS file: the `sops` metadata is missing", Origin(path),
                "encrypt the file with sops first, or reference a plain file instead");
  Metadata meta = read_metadata(*sops, path);
  std::string key = data_key(meta, options, path);
  std::erase_if(root.entries, [](const auto& kv) { return kv.key == "sops"; });
  Walker walker(meta, key, path);
  std::vector<std::string> key_path;
  Value out = walker.walk(root, key_path, walker.root_encrypted());
  if (!meta.mac) {
    if (!options.ignore_mac)
      throw Error("the SOPS file has no MAC, so its integrity cannot be verified", Origin(path),
                  "re-encrypt the file with sops, or pass the ignore-MAC override if you trust it");
  } else {
    auto enc = parse_enc(*meta.mac);
    std::optional<std::string> stored;
    if (enc) stored = aes256gcm_open(key, enc->iv, meta.lastmodified, enc->data, enc->tag);
    if (!stored && !options.ignore_mac)
      throw Error("cannot decrypt the MAC of the SOPS file (sops.mac or sops.lastmodified was "
                  "modified)",
                  Origin(path), "restore the file from version control or re-encrypt it");
    if (stored && *stored != walker.mac_hex() && !options.ignore_mac)
      throw Error("MAC mismatch: the SOPS file was modified after it was encrypted", Origin(path),
                  "restore the file from version control or re-encrypt it with sops; the "
                  "ignore-MAC override accepts it anyway");
  }
  return out;
}

namespace {

Value key_tree(const Node& n) {
  if (n.kind == Node::Kind::kMap) {
    Value out = Value::map();
    for (const auto& [k, v] : n.entries) out.set(k, key_tree(v));
    return out;
  }
  if (n.kind == Node::Kind::kList) {
    Value out = Value::list();
    for (const auto& item : n.items) out.as_list().push_back(key_tree(item));
    return out;
  }
  return Value();
}

}  // namespace

Value sops_key_tree(std::string_view text, SopsFormat format, const std::string& path) {
  Node root;
  switch (format) {
    case SopsFormat::kYaml: root = parse_yaml(text, path); break;
    case SopsFormat::kJson:
    case SopsFormat::kBinary: root = parse_json(text, path); break;
    case SopsFormat::kDotenv: root = parse_dotenv(text); break;
    case SopsFormat::kIni: root = parse_ini(text, path); break;
  }
  if (root.kind != Node::Kind::kMap || !root.find("sops"))
    throw Error("not a SOPS file: the `sops` metadata is missing", Origin(path),
                "encrypt the file with sops first, or reference a plain file instead");
  std::erase_if(root.entries, [](const auto& kv) { return kv.key == "sops"; });
  return key_tree(root);
}

Value decrypt_sops_file(const std::string& path, const SopsOptions& options) {
  try {
    return decrypt_sops(read_file_or_throw(path), sops_format_for_path(path), path, options);
  } catch (const NeedsSopsBinary& e) {
    std::string program = options.sops_program.empty() ? "" : find_program(options.sops_program, environment_of(options));
    if (program.empty()) {
      throw Error(e.message() + "\n  - no sops binary found" +
                      (options.sops_program.empty() ? "" : " (looked for " + options.sops_program + ")"),
                  e.origin(), e.hint());
    }
    return decrypt_with_sops_binary(program, path, options);
  }
}

}  // namespace strata::secrets
