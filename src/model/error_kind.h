// ErrorKind: what kind of failure an Error reports, and the one table that turns a kind into
// the CLI's exit code and the HTTP status a server answers. The CLI and the server both ask
// this table, so the same failure is never a 1 in a script and a 500 in a browser by accident.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace strata {

enum class ErrorKind {
  kUserInput,     // the project, a flag or a request is wrong; fixing it is the user's move
  kNotFound,      // a stack, component or revision the command names does not exist (a name
                  // inside the project that leads nowhere is the project's mistake: user input)
  kConflict,      // something else holds it now (a locked workdir); retrying later may work
  kEngineFailed,  // tofu/terraform ran and failed (init, output, a crash)
  kEnvironment,   // the machine: a missing binary, permissions, a full disk, a read-only fs
  kInternal,      // a bug in strata
};

struct ErrorKindInfo {
  ErrorKind kind;
  std::string_view name;  // stable, for JSON and logs
  int exit_code;
  int http_status;
  std::string_view why;  // why these numbers
};

// Every kind, in enum order. Exit codes: every failure is 1, as before kinds existed; 2 is only plan
// --detailed-exitcode's "changes present" and 64 the flag parser's usage error (EX_USAGE), so no
// kind may take either, and scripts that test for 1 keep working (cli/help_footer.h).
inline constexpr std::array<ErrorKindInfo, 6> kErrorKinds{{
    {ErrorKind::kUserInput, "user input", 1, 422,
     "the request was well formed (the handler answers 400 itself for one that is not) but what "
     "it names is wrong: a stack file, a template, a value; resending it unchanged fails again"},
    {ErrorKind::kNotFound, "not found", 1, 404, "the named stack, component or file does not exist"},
    {ErrorKind::kConflict, "conflict", 1, 409,
     "another run holds the workdir lock; the same request can succeed once it finishes"},
    {ErrorKind::kEngineFailed, "engine failed", 1, 502,
     "strata did its part and the engine it calls failed, as an upstream server would; not 422, "
     "because the request itself was valid and may succeed when the cloud or the state answers"},
    {ErrorKind::kEnvironment, "environment", 1, 503,
     "the machine cannot serve this now (missing binary, permissions, full or read-only disk); "
     "an operator's fix, not the client's, makes the same request succeed"},
    {ErrorKind::kInternal, "internal", 1, 500, "a bug in strata"},
}};

// One row per kind, at the kind's index: a new kind without a row does not compile.
static_assert(kErrorKinds.size() == static_cast<size_t>(ErrorKind::kInternal) + 1);
static_assert([] {
  for (size_t i = 0; i < kErrorKinds.size(); ++i)
    if (static_cast<size_t>(kErrorKinds[i].kind) != i) return false;
  return true;
}());

constexpr const ErrorKindInfo& error_kind_info(ErrorKind kind) {
  return kErrorKinds[static_cast<size_t>(kind)];
}
constexpr int exit_code(ErrorKind kind) { return error_kind_info(kind).exit_code; }
constexpr int http_status(ErrorKind kind) { return error_kind_info(kind).http_status; }

}  // namespace strata
