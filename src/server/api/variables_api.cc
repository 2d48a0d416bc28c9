#include "server/api/variables_api.h"

#include <nlohmann/json.hpp>

#include "model/error.h"
#include "server/api/api.h"
#include "server/api/api_json.h"

namespace strata::server {

namespace {

constexpr size_t kMaxValueBytes = 64 * 1024;

// An environment variable's name, and not one the server sets for the engine itself.
std::optional<std::string> bad_variable_name(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return "it must start with a letter or '_'";
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == '_')) return "it may hold only letters, digits and '_'";
  if (name.rfind("TF_HTTP_", 0) == 0) return "TF_HTTP_* is how activities reach the server's state";
  return std::nullopt;
}

nlohmann::json variable_json(const store::Variable& v) {
  nlohmann::json j = {{"stack", text_or_null(v.stack)},
                      {"name", v.name},
                      {"sensitive", v.sensitive},
                      {"updated_at", time_json(v.updated_at)}};
  if (!v.sensitive) j["value"] = v.value;
  return j;
}

}  // namespace

void add_variable_routes(Router& router, control::ControlPlane& control) {
  using Body = std::function<Response(const Request&, const store::ApiToken&, const store::Repository&)>;
  auto route = [&router, &control](const char* method, const char* pattern, Body body) {
    router.add(method, pattern, [&control, body](const Request& request) -> Response {
      Response refused;
      std::optional<store::ApiToken> who = who_asks(control, request, &refused);
      if (!who) return refused;
      std::string name(request.param("repository"));
      std::optional<store::Repository> repo = control.store().repository(name);
      if (!repo)
        return error_response(Error(ErrorKind::kNotFound, "no repository " + name, {},
                                    "the registered ones: GET /api/v1/repositories (strata remote repos list)"));
      if (auto outside = refuse_outside(control, request, *who, repo->name)) return *outside;
      try {
        return body(request, *who, *repo);
      } catch (const Error& e) {
        return error_response(e);
      }
    });
  };

  route("GET", "/api/v1/repositories/{repository}/variables",
        [&control](const Request&, const store::ApiToken&, const store::Repository& repo) {
          nlohmann::json list = nlohmann::json::array();
          for (const store::Variable& v : control.store().variables(repo.id)) list.push_back(variable_json(v));
          return json_response(200, {{"repository", repo.name}, {"variables", list}});
        });
  route("PUT", "/api/v1/repositories/{repository}/variables/{name}",
        [&control](const Request& request, const store::ApiToken& who, const store::Repository& repo) {
          std::string name(request.param("name"));
          if (auto why = bad_variable_name(name))
            return bad_request(Error("\"" + name + "\" cannot be a variable: " + *why, {},
                                     "use an environment variable's name, such as AWS_REGION"));
          nlohmann::json body;
          try {
            body = parse_body(request.body);
            check_fields(body, {"value", "sensitive", "stack"}, "a variable");
          } catch (const Error& e) {
            return bad_request(e);
          }
          if (!body.contains("value") || !body["value"].is_string())
            return bad_request(Error("a variable needs \"value\", a string", {}, R"(send {"value": "…", "sensitive": true})"));
          if (body.contains("sensitive") && !body["sensitive"].is_boolean())
            return bad_request(Error("\"sensitive\" must be true or false"));
          if (body.contains("stack") && !body["stack"].is_string() && !body["stack"].is_null())
            return bad_request(Error("\"stack\" must be a stack's name"));
          store::Variable v;
          v.repository_id = repo.id;
          v.stack = body.contains("stack") && body["stack"].is_string() ? body["stack"].get<std::string>() : "";
          v.name = name;
          v.value = body["value"].get<std::string>();
          v.sensitive = body.value("sensitive", false);
          if (v.value.size() > kMaxValueBytes)
            return bad_request(Error("the value of " + name + " is " + std::to_string(v.value.size()) +
                                     " bytes; at most " + std::to_string(kMaxValueBytes) + " are kept"));
          v.updated_at = store::now_millis();
          control.store().set_variable(v);
          audit(control, request, who, "variable.set",
                repo.name + (v.stack.empty() ? "" : "/" + v.stack) + ":" + name, {{"sensitive", v.sensitive}});
          return json_response(200, variable_json(v));
        });
  route("DELETE", "/api/v1/repositories/{repository}/variables/{name}",
        [&control](const Request& request, const store::ApiToken& who, const store::Repository& repo) {
          std::string name(request.param("name"));
          std::string stack(request.query("stack"));
          if (!control.store().delete_variable(repo.id, stack, name))
            return error_response(404, "not_found",
                                  "no variable " + name + " in " + repo.name + (stack.empty() ? "" : " for stack " + stack));
          audit(control, request, who, "variable.delete",
                repo.name + (stack.empty() ? "" : "/" + stack) + ":" + name, nlohmann::json::object());
          return json_response(200, {{"repository", repo.name}, {"name", name}, {"removed", true}});
        });
}

}  // namespace strata::server
