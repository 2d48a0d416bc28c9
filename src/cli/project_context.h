// What commands that work on a project share: loading it (every problem reported, the first
// error thrown) and choosing the engine (--engine, strata.yaml `engine:`, STRATA_ENGINE, then
// tofu and terraform on PATH; tofu-sim only when named, with a banner saying it is simulated).
#pragma once

#include <memory>

#include "cli/globals.h"
#include "config/project_loader.h"
#include "engine/engine.h"

namespace strata::cli {

config::LoadOptions load_options(const Globals& globals);

// Loads the project; warnings go to stderr; throws the first error (others in its hint).
config::LoadedProject load_project_or_throw(const Globals& globals);

// The engine for this project, or an Error saying how to install or name one.
std::unique_ptr<Engine> make_engine(const Globals& globals, const Project& project);

}  // namespace strata::cli
