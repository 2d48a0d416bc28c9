// .env files as Comet reads them (godotenv syntax): KEY=value lines, optional `export `,
// # comments, single quotes (literal), double quotes (\n \t \" \\ escapes), and ${VAR} / $VAR
// expansion in unquoted and double-quoted values.
#pragma once

#include <map>
#include <string>

namespace strata::config {

// Parses .env text. `lookup` holds the variables visible to ${VAR} expansion (earlier lines of
// the file win over it). `display` names the file in errors. Throws strata::Error.
std::map<std::string, std::string> parse_dotenv(const std::string& text, const std::string& display,
                                                const std::map<std::string, std::string>& lookup);

}  // namespace strata::config
