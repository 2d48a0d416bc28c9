// `strata man` (hidden): the manual page, as roff, generated from the same command table and
// help text as --help (footers included), so the two cannot drift. The build writes it into
// strata.1 for installation; `man -l strata.1` shows it.
#include <iostream>

#include "cli/commands.h"

namespace strata::cli {

namespace {

// Text as roff shows it literally: backslashes escaped, no line read as a request. The help
// text's ellipsis (U+2026) becomes "...": groff has no glyph for it in an ASCII locale.
std::string roff_text(const std::string& input) {
  std::string text;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input.compare(i, 3, "\xE2\x80\xA6") == 0) {
      text += "...";
      i += 2;
    } else {
      text += input[i];
    }
  }
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string help_of(const CLI::App* app, const std::string& path) {
  return app->get_formatter()->make_help(app, path, CLI::AppFormatMode::Normal);
}

bool listed(const CLI::App* app) { return !app->get_group().empty(); }

void add_commands(const CLI::App* app, const std::string& path, std::string& out) {
  for (const auto* sub : app->get_subcommands(listed)) {
    std::string sub_path = path + " " + sub->get_name();
    out += ".SS " + roff_text(sub_path) + "\n.nf\n" + roff_text(help_of(sub, sub_path)) + ".fi\n";
    add_commands(sub, sub_path, out);
  }
}

std::string man_page(const CLI::App& app) {
  std::string out =
      ".TH STRATA 1 \"\" \"strata " + roff_text(version_line().substr(7)) + "\" \"User Commands\"\n"
      ".SH NAME\nstrata \\- run OpenTofu/Terraform across many stacks and components\n"
      ".SH SYNOPSIS\n.B strata\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR...]\n"
      ".SH DESCRIPTION\n.nf\n" + roff_text(help_of(&app, "strata")) + ".fi\n"
      ".SH COMMANDS\n";
  add_commands(&app, "strata", out);
  out += ".SH SEE ALSO\n\\fBtofu\\fR(1), \\fBterraform\\fR(1); \\fBstrata help\\fR \\fICOMMAND\\fR\n";
  return out;
}

}  // namespace

void add_man_command(CLI::App& app, Globals&, Action& action) {
  auto* cmd = app.add_subcommand("man", "Print the manual page (roff)");
  cmd->group("");  // hidden: the build installs its output as strata.1
  cmd->callback([&app, &action] {
    action = [&app] {
      std::cout << man_page(app);
      return 0;
    };
  });
}

}  // namespace strata::cli
