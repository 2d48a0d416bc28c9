// `strata app init`: a commented cloudstation.hcl to start from, for the folder it is written in.
#pragma once

#include <string>

namespace strata::app {

// The starter file's text for a project named `project` whose app is `app`.
std::string starter_cloudstation_hcl(const std::string& project, const std::string& app);

// Writes it as DIR/cloudstation.hcl; throws strata::Error when DIR already has one (or a
// waypoint.hcl), which is never overwritten. Returns the path written.
std::string write_starter_file(const std::string& dir);

}  // namespace strata::app
