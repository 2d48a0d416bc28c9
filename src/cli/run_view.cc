#include "cli/run_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "base/utf8.h"
#include "cli/globals.h"
#include "cli/terminal_style.h"

namespace strata::cli {

namespace {

using namespace style;

std::string node_name(const RunEvent& e) { return e.node ? e.node->str() : "?"; }

std::string seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string changes_text(const ChangeSummary& c) {
  return "+" + std::to_string(c.add) + " ~" + std::to_string(c.change) + " -" + std::to_string(c.destroy);
}

struct TerminalSize {
  size_t columns = 80;
  size_t rows = 24;
};

// The terminal's size now; 80 x 24 when `out` is not a terminal or does not say.
TerminalSize terminal_size(std::FILE* out) {
  TerminalSize size;
  winsize ws{};
  if (::ioctl(fileno(out), TIOCGWINSZ, &ws) == 0) {
    if (ws.ws_col > 0) size.columns = ws.ws_col;
    if (ws.ws_row > 0) size.rows = ws.ws_row;
  }
  return size;
}

}  // namespace

std::string cut_to_columns(const std::string& text, size_t columns) {
  // A character is one column (UTF-8 sequences counted whole); a cut line ends with "…".
  size_t used = 0, i = 0;
  std::vector<size_t> starts;
  while (i < text.size()) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) n = 1;
    starts.push_back(i);
    i += n;
    ++used;
  }
  if (used <= columns) return text;
  if (columns == 0) return "";
  return text.substr(0, starts[columns - 1]) + "…";
}

namespace {

const char* result_color(NodeResult r) {
  switch (r) {
    case NodeResult::kSucceeded: return kGreen;
    case NodeResult::kFailed: return kRed;
    default: return kYellow;
  }
}

// "dev/app: succeeded (+1 ~0 -0) in 0.5s"; without the name where a prefix names the node.
std::string finished_line(const RunEvent& e, bool color, bool with_name = true) {
  const NodeOutcome& o = *e.outcome;
  std::string line = with_name ? node_name(e) + ": " : "";
  if (color) line += result_color(o.result);
  line += node_result_name(o.result);
  if (color) line += kReset;
  if (o.result == NodeResult::kSucceeded && o.changes.reported) line += " (" + changes_text(o.changes) + ")";
  bool ran = o.result != NodeResult::kSkipped && o.result != NodeResult::kNotStarted;
  if (e.duration && ran) line += " in " + seconds(*e.duration);
  if (!o.message.empty()) line += ": " + o.message;
  return line;
}

class PlainView : public EventSink {
 public:
  PlainView(std::FILE* out, bool color, int verbose, const Redactor* redactor)
      : out_(out), color_(color), verbose_(verbose), redactor_(redactor) {}

  void on_event(const RunEvent& e) override {
    if (verbose_ < 0) return;  // --quiet: the summary names what failed
    switch (e.type) {
      case RunEvent::Type::kNodeStarted: print("[" + node_name(e) + "] started"); break;
      case RunEvent::Type::kNodePhase: print("[" + node_name(e) + "] " + e.text); break;
      case RunEvent::Type::kNodeLog:
        if (verbose_ > 0) print("[" + node_name(e) + "]   " + e.text);
        break;
      case RunEvent::Type::kNodeFinished: print("[" + node_name(e) + "] " + finished_line(e, color_, false)); break;
      default: break;
    }
  }

 private:
  void print(const std::string& line) {
    std::string text = redactor_ ? redactor_->redact(line) : line;
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
  }
  std::FILE* out_;
  bool color_;
  int verbose_;
  const Redactor* redactor_;
};

class JsonView : public EventSink {
 public:
  JsonView(std::FILE* out, const Redactor* redactor) : out_(out), redactor_(redactor) {}
  void on_event(const RunEvent& e) override {
    std::string line = to_json(e).dump();
    if (redactor_) line = redactor_->redact(line);
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  const Redactor* redactor_;
};

// The live board: running nodes at the bottom, redrawn in place every 200 ms and on events.
class BoardView : public EventSink {
 public:
  BoardView(std::FILE* out, bool color, const Redactor* redactor)
      : out_(out), color_(color), redactor_(redactor), ticker_([this] { tick(); }) {}
  ~BoardView() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      clear_board();
    }
    wake_.notify_all();
    ticker_.join();
  }

  void on_event(const RunEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    clear_board();
    std::string key = node_name(e);
    switch (e.type) {
      case RunEvent::Type::kNodeStarted: running_[key] = {std::chrono::steady_clock::now(), "starting", ""}; break;
      case RunEvent::Type::kNodePhase: running_[key].phase = e.text; break;
      case RunEvent::Type::kNodeLog: running_[key].message = e.text; break;
      case RunEvent::Type::kNodeFinished:
        running_.erase(key);
        std::fprintf(out_, "%s\n", redact(finished_line(e, color_)).c_str());
        break;
      default: break;
    }
    draw_board();
  }

 private:
  struct Row {
    std::chrono::steady_clock::time_point start;
    std::string phase;
    std::string message;
  };
  std::string redact(const std::string& s) const { return redactor_ ? redactor_->redact(s) : s; }
  void clear_board() {
    for (size_t i = 0; i < drawn_; ++i) std::fputs("\033[1A\033[2K", out_);
    drawn_ = 0;
  }
  // Every line fits the terminal as it is now (asked at each redraw, so a resize is followed):
  // a line that wrapped would take two rows, and clear_board(), which moves up one row per line,
  // would leave the rest behind. So would more lines than the terminal has rows.
  void draw_board() {
    auto now = std::chrono::steady_clock::now();
    const TerminalSize size = terminal_size(out_);
    const size_t max_rows = size.rows > 3 ? size.rows - 2 : 1;
    size_t shown = 0;
    for (const auto& [name, row] : running_) {
      if (shown + 1 == max_rows && running_.size() > max_rows) {
        print_board_line("  … and " + std::to_string(running_.size() - shown) + " more running", size.columns);
        break;
      }
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - row.start);
      std::string line = "  " + name + "  " + row.phase + "  " + seconds(elapsed);
      if (!row.message.empty()) line += "  " + row.message;
      print_board_line(redact(line), size.columns);
      ++shown;
    }
    std::fflush(out_);
  }
  void print_board_line(const std::string& text, size_t columns) {
    // One column short of the width: a line exactly as wide as the terminal wraps on some.
    std::string line = cut_to_columns(text, columns > 1 ? columns - 1 : 1);
    if (color_) line = std::string(kDim) + line + kReset;
    std::fprintf(out_, "%s\n", line.c_str());
    ++drawn_;
  }
  void tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(200));
      if (stop_) break;
      clear_board();
      draw_board();
    }
  }

  std::FILE* out_;
  bool color_;
  const Redactor* redactor_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Row> running_;
  size_t drawn_ = 0;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace

ViewKind choose_view(bool json, std::FILE* stream) {
  if (json) return ViewKind::kJson;
  return (::isatty(fileno(stream)) && !dumb_terminal()) ? ViewKind::kBoard : ViewKind::kPlain;
}

std::unique_ptr<EventSink> make_run_view(ViewKind kind, std::FILE* stream, bool color, int verbose,
                                         const Redactor* redactor) {
  switch (kind) {
    case ViewKind::kJson: return std::make_unique<JsonView>(stream, redactor);
    case ViewKind::kBoard: return std::make_unique<BoardView>(stream, color, redactor);
    case ViewKind::kPlain: break;
  }
  return std::make_unique<PlainView>(stream, color, verbose, redactor);
}

std::string summary_table(const RunRecord& record, const std::string& record_path, bool color, bool quiet) {
  std::vector<std::vector<std::string>> rows = {{"COMPONENT", "RESULT", "CHANGES", "DURATION"}};
  std::vector<const NodeRecord*> shown;
  for (const auto& n : record.nodes) {
    if (quiet && n.result == NodeResult::kSucceeded) continue;
    shown.push_back(&n);
  }
  for (const NodeRecord* node : shown) {
    const NodeRecord& n = *node;
    rows.push_back({n.node.str(), node_result_name(n.result),
                    n.result == NodeResult::kSucceeded && n.changes.reported ? changes_text(n.changes) : "",
                    n.started_at ? seconds(n.duration) : ""});
  }
  std::vector<size_t> width(4, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (size_t ri = 0; ri < rows.size() && !shown.empty(); ++ri) {
    const auto& r = rows[ri];
    std::string line;
    for (size_t i = 0; i < 4; ++i) {
      std::string cell = r[i] + std::string(width[i] - r[i].size(), ' ');
      if (color && ri > 0 && i == 1) cell = std::string(result_color(shown[ri - 1]->result)) + cell + kReset;
      line += cell + (i < 3 ? "  " : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  // apply: which saved plans were applied, and why the others were planned afresh.
  std::string notes;
  for (const auto& n : record.nodes)
    if (!n.plan_note.empty() && !(quiet && n.result == NodeResult::kSucceeded))
      notes += "  " + n.node.str() + ": " + n.plan_note + "\n";
  if (!notes.empty()) out += "\nsaved plans:\n" + notes;
  for (const auto& n : record.nodes) {
    if (n.result == NodeResult::kFailed || n.result == NodeResult::kInterrupted) {
      out += "\n" + n.node.str() + " " + node_result_name(n.result) + ": " + n.message + "\n";
      if (!n.log_path.empty()) out += "  log: " + n.log_path + "\n";
    }
  }
  int failed = static_cast<int>(record.count(NodeResult::kFailed));
  int skipped = static_cast<int>(record.count(NodeResult::kSkipped));
  out += "\n" + std::to_string(record.count(NodeResult::kSucceeded)) + " succeeded, " + std::to_string(failed) +
         " failed, " + std::to_string(skipped) + " skipped";
  // After Ctrl-C: what was stopped, and what never began.
  if (size_t n = record.count(NodeResult::kInterrupted)) out += ", " + std::to_string(n) + " interrupted";
  if (size_t n = record.count(NodeResult::kNotStarted)) out += ", " + std::to_string(n) + " not started";
  if (record.interrupted) out += " (interrupted)";
  out += ". Run record: " + record_path + "\n";
  return out;
}

}  // namespace strata::cli
