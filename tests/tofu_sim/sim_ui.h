// How tofu-sim talks: machine-readable UI lines (`-json`, same keys and order as Terraform's) or
// short human text, plus the JSON helpers the state and plan documents share.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/value.h"

namespace tofu_sim {

using ojson = nlohmann::ordered_json;

ojson to_ojson(const strata::Value& v);
strata::Value from_ojson(const ojson& j);

// "2026-11-23T06:58:17.425006Z"
std::string timestamp_now();
// A random UUID-shaped id, as terraform_data uses.
std::string random_uuid();

struct ResourceRef {
  std::string address, type, name, implied_provider;
};

struct Counts {
  int add = 0, change = 0, import = 0, remove = 0;
};

class Ui {
 public:
  // flavor: "terraform" (terraform.ui, "terraform" version key) or "tofu".
  Ui(bool json, std::string flavor, std::string version);

  bool json() const { return json_; }
  void version_line();
  void log(const std::string& message);
  // Diagnostics go to stdout as JSON lines with -json, else to stderr as Terraform prints them.
  void diagnostic(const std::string& severity, const std::string& summary,
                  const std::string& detail, const std::string& filename = {}, int line = 0,
                  int column = 0, const std::string& address = {});
  void planned_change(const ResourceRef& r, const std::string& action,
                      const std::string& reason = {});
  void change_summary(const Counts& c, const std::string& operation);
  void refresh_start(const ResourceRef& r, const std::string& id);
  void refresh_complete(const ResourceRef& r, const std::string& id);
  void apply_start(const ResourceRef& r, const std::string& action, const std::string& id);
  void apply_complete(const ResourceRef& r, const std::string& action, const std::string& id,
                      int elapsed);
  void apply_errored(const ResourceRef& r, const std::string& action, int elapsed);
  void provision(const ResourceRef& r, const std::string& type, const std::string& what,
                 const std::string& output = {});
  // Plan form: name -> {sensitive, action}; apply form: name -> {sensitive, type, value}.
  void outputs(const ojson& outputs, size_t count);
  void init_output(const std::string& message, const std::string& code);
  // Human text only (ignored with -json).
  void text(const std::string& line);

 private:
  void emit(const std::string& level, const std::string& message, const std::string& type,
            std::vector<std::pair<std::string, ojson>> fields);
  ojson resource_json(const ResourceRef& r) const;

  bool json_;
  std::string flavor_;
  std::string version_;
};

}  // namespace tofu_sim
