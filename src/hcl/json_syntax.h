// HCL's JSON syntax (json/spec.md): a .tf.json / .hcl.json file read into the same File, Body,
// Block and Attribute tree the native parser produces, so everything downstream (evaluator,
// module inspector) works on either. JSON cannot tell a block from an attribute by itself, so
// the caller passes a BodySchema: properties it names as block types are unpacked into blocks
// (one nested object level per label, arrays for repeated blocks); every other property is an
// attribute, and "//" properties in bodies are comments. Values become expressions: strings
// are HCL templates ("${var.x}" is a reference), numbers keep their exact text, objects and
// arrays become object and tuple expressions. Every node keeps its range in the JSON file,
// also inside templates (escapes are mapped back to their source position).
//
// Simplifications against HCL's Go implementation, which decodes a body lazily each time a
// schema is applied: the schema is applied once, at parse time; names outside it become
// attributes instead of "Extraneous JSON object property" errors (the caller's schema need not
// be complete: a resource's nested blocks depend on its provider, so they stay object-valued
// attributes whose references are still found); a body read as attributes only may also be an
// array of objects (HCL wants one object there); and duplicate object keys in expressions are
// detected only when the keys are plain strings, at parse time.
#pragma once

#include <string>

#include "hcl/ast.h"
#include "hcl/body_schema.h"

namespace strata::hcl {

// Parses a whole JSON configuration file against schema. Never throws for bad input; see
// File::diagnostics.
File parse_json_config(std::string source, const std::string& filename,
                       const BodySchema& schema = {});

}  // namespace strata::hcl
