#include "sim_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "model/error.h"
#include "sim_ui.h"

namespace tofu_sim {

namespace fs = std::filesystem;

const StateResource* State::find(const std::string& address) const {
  for (const auto& r : resources) {
    if (r.address() == address) return &r;
  }
  return nullptr;
}

std::optional<State> read_state(const std::string& path, std::string* err) {
  State state;
  std::ifstream in(path, std::ios::binary);
  if (!in) return state;
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) return state;
  Value doc;
  try {
    doc = strata::parse_json_text(ss.str(), strata::Origin(path));
  } catch (const strata::Error& e) {
    *err = "Failed to load state: " + e.message();
    return std::nullopt;
  }
  const Value* version = doc.find("version");
  if (!version || !version->is_number() || version->as_number().text() != "4") {
    *err = "Failed to load state: " + path + " is not a version 4 state file";
    return std::nullopt;
  }
  state.exists = true;
  if (const Value* s = doc.find("serial"); s && s->is_number()) {
    state.serial = static_cast<int>(s->as_number().as_int().value_or(0));
  }
  if (const Value* l = doc.find("lineage"); l && l->is_string()) state.lineage = l->as_string();
  if (const Value* v = doc.find("terraform_version"); v && v->is_string()) {
    state.terraform_version = v->as_string();
  }
  if (const Value* outs = doc.find("outputs"); outs && outs->is_map()) {
    for (const auto& [name, o] : outs->as_map()) {
      StateOutput so;
      if (const Value* v = o.find("value")) so.value = *v;
      if (const Value* t = o.find("type")) so.type = *t;
      if (const Value* s = o.find("sensitive"); s && s->is_bool()) so.sensitive = s->as_bool();
      state.outputs.emplace(name, so);
    }
  }
  if (const Value* res = doc.find("resources"); res && res->is_list()) {
    for (const auto& r : res->as_list()) {
      const Value* mode = r.find("mode");
      if (mode && mode->is_string() && mode->as_string() != "managed") continue;
      StateResource sr;
      sr.type = r.find("type") ? r.find("type")->as_string() : "";
      sr.name = r.find("name") ? r.find("name")->as_string() : "";
      sr.provider = r.find("provider") ? r.find("provider")->as_string() : "";
      if (const Value* inst = r.find("instances"); inst && inst->is_list() && !inst->as_list().empty()) {
        const Value& i0 = inst->as_list()[0];
        if (const Value* a = i0.find("attributes")) sr.attributes = *a;
        if (const Value* sa = i0.find("sensitive_attributes"); sa && sa->is_list()) {
          for (const auto& path : sa->as_list()) {
            if (!path.is_list() || path.as_list().empty()) continue;
            const Value* step = path.as_list()[0].find("value");
            if (step && step->is_string()) sr.sensitive_attributes.push_back(step->as_string());
          }
        }
        if (const Value* deps = i0.find("dependencies"); deps && deps->is_list()) {
          for (const auto& d : deps->as_list()) {
            if (d.is_string()) sr.dependencies.push_back(d.as_string());
          }
        }
        if (const Value* st = i0.find("status"); st && st->is_string()) {
          sr.tainted = st->as_string() == "tainted";
        }
      }
      state.resources.push_back(std::move(sr));
    }
  }
  return state;
}

std::string state_json(const State& state, const std::string& version) {
  ojson doc = ojson::object();
  doc["version"] = 4;
  doc["terraform_version"] = version;
  doc["serial"] = state.serial;
  doc["lineage"] = state.lineage;
  ojson outputs = ojson::object();
  for (const auto& [name, o] : state.outputs) {
    ojson out = ojson::object();
    out["value"] = to_ojson(o.value);
    out["type"] = to_ojson(o.type);
    if (o.sensitive) out["sensitive"] = true;
    outputs[name] = out;
  }
  doc["outputs"] = outputs;
  ojson resources = ojson::array();
  // Terraform keeps resources sorted by address.
  std::vector<const StateResource*> sorted;
  for (const auto& r : state.resources) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return a->address() < b->address(); });
  for (const StateResource* rp : sorted) {
    const StateResource& r = *rp;
    ojson res = ojson::object();
    res["mode"] = "managed";
    res["type"] = r.type;
    res["name"] = r.name;
    res["provider"] = r.provider;
    ojson inst = ojson::object();
    if (r.tainted) inst["status"] = "tainted";
    inst["schema_version"] = 0;
    inst["attributes"] = to_ojson(r.attributes);
    ojson sensitive = ojson::array();
    for (const auto& name : r.sensitive_attributes) {
      sensitive.push_back(ojson::array({{{"type", "get_attr"}, {"value", name}}}));
    }
    inst["sensitive_attributes"] = sensitive;
    if (!r.dependencies.empty()) inst["dependencies"] = r.dependencies;
    res["instances"] = ojson::array({inst});
    resources.push_back(res);
  }
  doc["resources"] = resources;
  doc["check_results"] = nullptr;
  return doc.dump(2);
}

bool write_state(const std::string& path, State& state, const std::string& version,
                 std::string* err) {
  if (state.lineage.empty()) state.lineage = random_uuid();
  ++state.serial;
  std::string text = state_json(state, version);
  std::error_code ec;
  if (fs::exists(path, ec)) fs::copy_file(path, path + ".backup", fs::copy_options::overwrite_existing, ec);
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  std::string tmp = path + ".tofu-sim-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      *err = "Failed to persist state: cannot write " + tmp;
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    *err = "Failed to persist state: " + ec.message();
    return false;
  }
  state.exists = true;
  return true;
}

bool StateLock::acquire(const std::string& state_path, const std::string& operation,
                        const std::string& version, int timeout_ms, std::string* err) {
  fs::path sp(state_path);
  fs::path dir = sp.has_parent_path() ? sp.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  path_ = (dir / ("." + sp.filename().string() + ".lock.info")).string();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      *err = "Error acquiring the state lock: cannot open " + path_;
      return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      // The file may have been removed by the previous holder between open and flock.
      struct stat by_fd{}, by_path{};
      if (::fstat(fd, &by_fd) == 0 && ::stat(path_.c_str(), &by_path) == 0 &&
          by_fd.st_ino == by_path.st_ino) {
        fd_ = fd;
        break;
      }
      ::close(fd);
      continue;
    }
    std::string holder;
    char buf[4096];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n > 0) holder.assign(buf, static_cast<size_t>(n));
    ::close(fd);
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string info = "Error message: resource temporarily unavailable\nLock Info:\n";
      try {
        Value h = strata::parse_json_text(holder);
        for (const char* k : {"ID", "Path", "Operation", "Who", "Version", "Created", "Info"}) {
          const Value* v = h.find(k);
          info += std::string("  ") + k + ": " + (v && v->is_string() ? v->as_string() : "") + "\n";
        }
      } catch (const strata::Error&) {
        info += "  (unreadable lock info)\n";
      }
      *err = info +
             "\nTerraform acquires a state lock to protect the state from being written\nby "
             "multiple users at the same time. Please resolve the issue above and try\nagain. For "
             "most commands, you can disable locking with the \"-lock=false\"\nflag, but this is "
             "not recommended.";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  ojson info = ojson::object();
  info["ID"] = random_uuid();
  info["Operation"] = operation;
  info["Info"] = "";
  info["Who"] = std::string(user ? user : "root") + "@" + host;
  info["Version"] = version;
  info["Created"] = timestamp_now();
  info["Path"] = state_path;
  std::string text = info.dump();
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) < 0) {
    *err = "Error acquiring the state lock: cannot write " + path_;
    release();
    return false;
  }
  return true;
}

void StateLock::release() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace tofu_sim
