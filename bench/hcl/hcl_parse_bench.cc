// Parse throughput of strata's HCL parser against HashiCorp's (oracle-hcl -n N) on the same file
// in the same run. Usage: hcl_parse_bench [FILE] [N] [ORACLE]
// Defaults: the largest real module file in the conformance data (terraform-aws-vpc/main.tf),
// N = 200, oracle at $STRATA_ORACLE_HCL or ~/.cache/strata-oracles/bin/oracle-hcl.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "hcl/parser.h"

namespace {

std::string default_oracle() {
  if (const char* p = std::getenv("STRATA_ORACLE_HCL")) return p;
  std::string cache = std::getenv("XDG_CACHE_HOME") ? std::getenv("XDG_CACHE_HOME")
                      : std::getenv("HOME")         ? std::string(std::getenv("HOME")) + "/.cache"
                                                    : ".";
  return cache + "/strata-oracles/bin/oracle-hcl";
}

// Runs the oracle and returns the MB/s it reports on stderr, or a negative number.
double oracle_mbps(const std::string& oracle, const std::string& file, int n) {
  std::string cmd = "'" + oracle + "' -n " + std::to_string(n) + " '" + file + "' 2>&1 >/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  pclose(p);
  size_t open = out.rfind('(');
  return open == std::string::npos ? -1 : std::atof(out.c_str() + open + 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string src_dir = STRATA_SOURCE_DIR_DEFAULT;
  std::string file =
      argc > 1 ? argv[1] : src_dir + "/../shared/conformance/hcl-spec/terraform-aws-vpc/main.tf";
  int n = argc > 2 ? std::atoi(argv[2]) : 200;
  std::string oracle = argc > 3 ? argv[3] : default_oracle();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << file << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();

  size_t blocks = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    strata::hcl::File f = strata::hcl::parse_config(text, file);
    blocks += f.body.blocks.size();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mine = text.size() * static_cast<double>(n) / secs / 1e6;
  std::printf("file: %s (%zu bytes, %d runs, %zu blocks)\n", file.c_str(), text.size(), n,
              blocks / static_cast<size_t>(n));
  std::printf("strata     : %8.1f MB/s (%.3f ms per parse)\n", mine, secs * 1e3 / n);
  if (!std::filesystem::exists(oracle)) {
    std::printf("oracle-hcl : not found at %s\n", oracle.c_str());
    return 0;
  }
  double theirs = oracle_mbps(oracle, file, n);
  std::printf("oracle-hcl : %8.1f MB/s\n", theirs);
  if (theirs > 0) std::printf("ratio      : %.2fx\n", mine / theirs);
  return 0;
}
