#include "engine/output_json.h"

#include "engine/json_fields.h"
#include "model/error.h"

namespace strata {

namespace {

void mark_sensitive(Value& v) {
  v.set_sensitive(true);
  if (v.is_list()) {
    for (auto& e : v.as_list()) mark_sensitive(e);
  } else if (v.is_map()) {
    for (auto& [k, e] : v.as_map()) mark_sensitive(e);
  }
}

}  // namespace

std::map<std::string, EngineOutput> parse_output_json(const std::string& text,
                                                      const Origin& origin) {
  return outputs_from_json(parse_json_text(text, origin), origin);
}

std::map<std::string, EngineOutput> outputs_from_json(Value doc, const Origin& origin) {
  const std::string hint =
      "expected the document `output -json` prints: {\"name\": {\"sensitive\": ..., \"type\": "
      "..., \"value\": ...}}";
  if (!doc.is_map()) {
    throw Error(ErrorKind::kEngineFailed,
                std::string("engine output is a JSON ") + doc.kind_name() + ", not an object",
                origin, hint);
  }
  std::map<std::string, EngineOutput> out;
  for (auto& [name, entry] : doc.as_map()) {
    if (!entry.is_map() || !entry.find("value")) {
      throw Error(ErrorKind::kEngineFailed, "engine output \"" + name + "\" has no value", origin,
                  hint);
    }
    EngineOutput o;
    o.sensitive = engine_json::bool_field(&entry, "sensitive");
    o.value = std::move(*entry.find("value"));
    if (const Value* t = entry.find("type")) o.type = *t;
    // Every part of a sensitive output is secret: a list element read out of it must stay
    // redacted too.
    if (o.sensitive) mark_sensitive(o.value);
    out.emplace(name, std::move(o));
  }
  return out;
}

Value output_values(const std::map<std::string, EngineOutput>& outputs) {
  Value out = Value::map();
  for (const auto& [name, o] : outputs) out.set(name, o.value);
  return out;
}

}  // namespace strata
