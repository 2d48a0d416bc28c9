// How a run looks: the event sinks the CLI gives the scheduler. Off a terminal, plain lines
// prefixed with the node; on a terminal, a live board (one line per running node: name, phase,
// elapsed time, latest message) with finished nodes scrolling above it; with --json, one JSON
// event per line. After the run, a summary table. Every line passes through redaction first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/log.h"
#include "run/run_event.h"
#include "run/run_record.h"

namespace strata::cli {

enum class ViewKind { kPlain, kBoard, kJson };

// Picks the view: --json, else a board on a terminal, else plain lines.
ViewKind choose_view(bool json, std::FILE* stream);

// `verbose` < 0 (--quiet): the plain view prints nothing while the run goes on.
std::unique_ptr<EventSink> make_run_view(ViewKind kind, std::FILE* stream, bool color, int verbose,
                                         const Redactor* redactor);

// The final table: node, result, +add ~change -destroy, duration; then the failed nodes with
// their messages and log files, and the run record's path. `quiet` (-q) leaves out the rows of
// nodes that succeeded.
std::string summary_table(const RunRecord& record, const std::string& record_path, bool color,
                          bool quiet = false);

// `text` cut to `columns` characters (a UTF-8 sequence is one), ending with "…" when cut: a line
// of the live board must never wrap.
std::string cut_to_columns(const std::string& text, size_t columns);

}  // namespace strata::cli
