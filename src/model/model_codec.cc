#include "model/model_codec.h"

#include <algorithm>

namespace strata {

namespace {

// A Stack or Component that gains a field must gain it here too, or caches would silently drop
// it: these sizes make such a change fail to compile until the codec is updated.
static_assert(sizeof(void*) != 8 || sizeof(Component) == 768,
              "Component changed: update BinaryWriter::stack and BinaryReader::stack");
static_assert(sizeof(void*) != 8 || sizeof(Stack) == 776,
              "Stack changed: update BinaryWriter::stack and BinaryReader::stack");

constexpr int kMaxDepth = 512;  // deeper than any front-end produces
constexpr uint64_t kNoFile = 0;

}  // namespace

void BinaryWriter::u64(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void BinaryWriter::str(std::string_view s) {
  u64(s.size());
  out_.append(s);
}

void BinaryWriter::origin(const Origin& o) {
  if (!o.file) {
    u64(kNoFile);
  } else {
    auto it = std::find(files_.begin(), files_.end(), o.file.get());
    if (it != files_.end()) {
      u64(static_cast<uint64_t>(it - files_.begin()) + 2);  // a file seen before
    } else {
      u64(1);  // a new file, its name follows
      str(*o.file);
      files_.push_back(o.file.get());
    }
  }
  u64(static_cast<uint64_t>(std::max(o.line, 0)));
  u64(static_cast<uint64_t>(std::max(o.column, 0)));
}

void BinaryWriter::value(const Value& v) {
  wrote_sensitive_ = wrote_sensitive_ || v.sensitive();
  u64(static_cast<uint64_t>(v.kind()) * 2 + (v.sensitive() ? 1 : 0));
  origin(v.origin());
  switch (v.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kBool:
      u64(v.as_bool() ? 1 : 0);
      break;
    case Value::Kind::kNumber:
      str(v.as_number().text());
      break;
    case Value::Kind::kString:
      str(v.as_string());
      break;
    case Value::Kind::kList:
      u64(v.as_list().size());
      for (const Value& item : v.as_list()) value(item);
      break;
    case Value::Kind::kMap:
      u64(v.as_map().size());
      for (const auto& [key, item] : v.as_map()) {
        str(key);
        value(item);
      }
      break;
  }
}

namespace {

void write_strings(BinaryWriter& w, const std::vector<std::string>& list) {
  w.u64(list.size());
  for (const auto& s : list) w.str(s);
}

void write_backend(BinaryWriter& w, const Backend& b) {
  w.str(b.type);
  w.value(b.config);
  w.origin(b.origin);
}

void write_ref(BinaryWriter& w, const ComponentRef& r) {
  w.str(r.stack);
  w.str(r.component);
  w.origin(r.origin);
}

}  // namespace

void BinaryWriter::stack(const Stack& s) {
  str(s.name);
  str(s.source_file);
  str(s.kind);
  value(s.options);
  write_backend(*this, s.backend);
  u64(s.env.size());
  for (const auto& [k, v] : s.env) {
    str(k);
    str(v);
  }
  value(s.metadata);
  write_strings(*this, s.provider_appends);
  value(s.kubeconfig);
  str(s.version);
  write_strings(*this, s.policies);
  for (const auto* hooks : {&s.hooks.pre_plan, &s.hooks.post_plan, &s.hooks.pre_apply, &s.hooks.post_apply})
    write_strings(*this, *hooks);
  origin(s.origin);
  u64(s.components.size());
  for (const Component& c : s.components) {
    str(c.name);
    str(c.stack);
    str(c.source);
    value(c.inputs);
    value(c.providers);
    u64(c.backend ? 1 : 0);
    if (c.backend) write_backend(*this, *c.backend);
    u64(c.depends_on.size());
    for (const auto& d : c.depends_on) write_ref(*this, d);
    value(c.mock_outputs);
    value(c.provider_json);
    value(c.versioned_data);
    str(c.versioned_extension);
    origin(c.origin);
  }
}

uint64_t BinaryReader::u64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (!ok_ || pos_ >= in_.size()) return fail(), 0;
    auto byte = static_cast<unsigned char>(in_[pos_++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
  return fail(), 0;
}

std::string BinaryReader::str() {
  uint64_t n = u64();
  if (!ok_ || n > in_.size() - pos_) return fail(), std::string();
  std::string s(in_.substr(pos_, n));
  pos_ += n;
  return s;
}

Origin BinaryReader::origin() {
  uint64_t file = u64();
  std::shared_ptr<const std::string> name;
  if (file == 1) {
    name = std::make_shared<const std::string>(str());
    files_.push_back(name);
  } else if (file >= 2) {
    if (file - 2 >= files_.size()) return fail(), Origin();
    name = files_[file - 2];
  }
  uint64_t line = u64(), column = u64();
  if (line > INT32_MAX || column > INT32_MAX) return fail(), Origin();
  return Origin(std::move(name), static_cast<int>(line), static_cast<int>(column));
}

Value BinaryReader::value() { return value_at_depth(0); }

Value BinaryReader::value_at_depth(int depth) {
  if (depth > kMaxDepth) return fail(), Value();
  uint64_t tag = u64();
  if (tag / 2 > static_cast<uint64_t>(Value::Kind::kMap)) return fail(), Value();
  Origin where = origin();
  if (!ok_) return Value();
  Value v;
  switch (static_cast<Value::Kind>(tag / 2)) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kBool:
      v = Value(u64() != 0);
      break;
    case Value::Kind::kNumber:
      v = Value(Number(str()));
      break;
    case Value::Kind::kString:
      v = Value(str());
      break;
    case Value::Kind::kList: {
      uint64_t n = u64();
      if (n > in_.size() - pos_) return fail(), Value();  // each item takes at least one byte
      v = Value::list();
      for (uint64_t i = 0; i < n && ok_; ++i) v.push(value_at_depth(depth + 1));
      break;
    }
    case Value::Kind::kMap: {
      uint64_t n = u64();
      if (n > in_.size() - pos_) return fail(), Value();
      v = Value::map();
      for (uint64_t i = 0; i < n && ok_; ++i) {
        std::string key = str();
        v.set(key, value_at_depth(depth + 1));
      }
      break;
    }
    default:
      return fail(), Value();
  }
  v.set_sensitive(tag % 2 == 1);
  v.set_origin(std::move(where));
  return ok_ ? v : Value();
}

namespace {

std::vector<std::string> read_strings(BinaryReader& r) {
  std::vector<std::string> out;
  uint64_t n = r.u64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) out.push_back(r.str());
  return out;
}

Backend read_backend(BinaryReader& r) {
  Backend b;
  b.type = r.str();
  b.config = r.value();
  b.origin = r.origin();
  return b;
}

}  // namespace

std::optional<Stack> BinaryReader::stack() {
  Stack s;
  s.name = str();
  s.source_file = str();
  s.kind = str();
  s.options = value();
  s.backend = read_backend(*this);
  uint64_t envs = u64();
  for (uint64_t i = 0; i < envs && ok_; ++i) {
    std::string k = str();
    s.env[k] = str();
  }
  s.metadata = value();
  s.provider_appends = read_strings(*this);
  s.kubeconfig = value();
  s.version = str();
  s.policies = read_strings(*this);
  for (auto* hooks : {&s.hooks.pre_plan, &s.hooks.post_plan, &s.hooks.pre_apply, &s.hooks.post_apply})
    *hooks = read_strings(*this);
  s.origin = origin();
  uint64_t components = u64();
  for (uint64_t i = 0; i < components && ok_; ++i) {
    Component c;
    c.name = str();
    c.stack = str();
    c.source = str();
    c.inputs = value();
    c.providers = value();
    if (u64() == 1) c.backend = read_backend(*this);
    uint64_t deps = u64();
    for (uint64_t d = 0; d < deps && ok_; ++d) {
      ComponentRef ref;
      ref.stack = str();
      ref.component = str();
      ref.origin = origin();
      c.depends_on.push_back(std::move(ref));
    }
    c.mock_outputs = value();
    c.provider_json = value();
    c.versioned_data = value();
    c.versioned_extension = str();
    c.origin = origin();
    s.components.push_back(std::move(c));
  }
  if (!ok_) return std::nullopt;
  return s;
}

}  // namespace strata
