// StateSource: where state() references get a component's outputs. The executor implements it
// (outputs produced earlier in the run, else `output -json` of the dependency's workdir, else
// mock outputs when only planning); tests use a map.
#pragma once

#include "model/project.h"

namespace strata {

class StateSource {
 public:
  virtual ~StateSource() = default;
  // The outputs map (name -> value) of `ref`. Throws strata::Error naming `where`, the
  // component and what to run when the outputs are not available.
  virtual Value outputs(const ComponentRef& ref, const Origin& where) = 0;
};

}  // namespace strata
