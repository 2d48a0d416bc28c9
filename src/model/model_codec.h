// A compact binary form of the model (Value trees with their origins and sensitive marks, and
// whole Stacks), for caches that must give back exactly what a front-end produced. Not a file
// format for users: it changes with strata, so whoever stores it also stores strata's identity.
// Decoding never trusts its input: anything truncated or malformed gives nullopt, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/project.h"
#include "model/value.h"

namespace strata {

// Appends primitives; origins' file names are written once each and then referred to by number.
class BinaryWriter {
 public:
  void u64(uint64_t v);  // LEB128
  void str(std::string_view s);
  void origin(const Origin& o);
  void value(const Value& v);
  void stack(const Stack& s);

  const std::string& bytes() const { return out_; }
  // True once a value marked sensitive was written: such bytes must never reach a disk.
  bool wrote_sensitive() const { return wrote_sensitive_; }

 private:
  std::string out_;
  bool wrote_sensitive_ = false;
  std::vector<const std::string*> files_;  // by number, in order of first use
};

// Reads what BinaryWriter wrote. Every read checks bounds; after the first failure ok() is
// false and every further read returns an empty result.
class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}
  uint64_t u64();
  std::string str();
  Origin origin();
  Value value();
  std::optional<Stack> stack();

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  Value value_at_depth(int depth);
  bool fail() {
    ok_ = false;
    return false;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::vector<std::shared_ptr<const std::string>> files_;
};

}  // namespace strata
