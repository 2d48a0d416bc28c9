#include "control/lock_text.h"

#include <nlohmann/json.hpp>

namespace strata::control {

std::string lock_sentence(const std::string& who, const std::string& operation, const std::string& since,
                          const std::string& id) {
  return (who.empty() ? std::string("an unnamed holder") : who) + " (" + (operation.empty() ? "?" : operation) +
         " since " + (since.empty() ? "?" : since) + ", lock " + id + ")";
}

std::string lock_sentence(const store::StateLock& lock) {
  nlohmann::json info = nlohmann::json::parse(lock.info_json, nullptr, false);
  auto field = [&info](const char* name) {
    auto it = info.is_object() ? info.find(name) : info.end();
    return info.is_object() && it != info.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return lock_sentence(field("Who"), field("Operation"), field("Created"), lock.lock_id);
}

}  // namespace strata::control
