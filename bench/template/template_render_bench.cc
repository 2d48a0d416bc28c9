// Render throughput of strata's template engine against Go's text/template + Sprig
// (oracle-tpl -n N) on the same template and data, measured in the same run.
// Usage: template_render_bench [--benchmark_...] ; environment: STRATA_TPL_BENCH_TEMPLATE,
// STRATA_TPL_BENCH_DATA (defaults: bench/template/job.tpl and job.json), STRATA_ORACLE_DIR.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "model/value.h"
#include "template/parser.h"
#include "template/template.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string template_path() {
  const char* p = std::getenv("STRATA_TPL_BENCH_TEMPLATE");
  return p ? p : std::string(STRATA_BENCH_DIR) + "/job.tpl";
}

std::string data_path() {
  const char* p = std::getenv("STRATA_TPL_BENCH_DATA");
  return p ? p : std::string(STRATA_BENCH_DIR) + "/job.json";
}

strata::tpl::RenderOptions options() {
  strata::tpl::RenderOptions o;
  o.name = "job.tpl";
  o.missing_key = strata::tpl::MissingKey::kDefault;  // the oracle's default
  return o;
}

// Parse cached by text, as strata renders stack values.
void BM_RenderCached(benchmark::State& state) {
  std::string text = read_file(template_path());
  strata::tpl::Renderer renderer(strata::parse_json_text(read_file(data_path())), nullptr, options());
  size_t bytes = 0;
  for (auto _ : state) bytes += renderer.render(text).size();
  state.SetItemsProcessed(state.iterations());
  benchmark::DoNotOptimize(bytes);
}
BENCHMARK(BM_RenderCached);

// Parse and execute every time, as the oracle does.
void BM_ParseAndRender(benchmark::State& state) {
  std::string text = read_file(template_path());
  strata::tpl::Val data = strata::tpl::from_value(strata::parse_json_text(read_file(data_path())));
  size_t bytes = 0;
  for (auto _ : state) {
    strata::tpl::TemplateCache cache;
    strata::tpl::Renderer renderer(data, nullptr, options(), &cache);
    bytes += renderer.render(text).size();
  }
  state.SetItemsProcessed(state.iterations());
  benchmark::DoNotOptimize(bytes);
}
BENCHMARK(BM_ParseAndRender);

std::string oracle_path() {
  if (const char* d = std::getenv("STRATA_ORACLE_DIR")) return std::string(d) + "/oracle-tpl";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/strata-oracles/bin/oracle-tpl";
}

// Parses Go's duration text ("45.2µs", "1.3ms", "800ns") into seconds.
double go_duration_seconds(const std::string& s) {
  double v = std::atof(s.c_str());
  if (s.find("ns") != std::string::npos) return v * 1e-9;
  if (s.find("µs") != std::string::npos || s.find("us") != std::string::npos) return v * 1e-6;
  if (s.find("ms") != std::string::npos) return v * 1e-3;
  return v;
}

// The Go oracle's own in-process loop: mean parse+exec time per render.
void BM_GoOracle(benchmark::State& state) {
  std::string oracle = oracle_path();
  if (!std::filesystem::exists(oracle)) {
    state.SkipWithError(("oracle-tpl not found at " + oracle).c_str());
    return;
  }
  const int n = 20000;
  for (auto _ : state) {
    std::string cmd = "'" + oracle + "' -n " + std::to_string(n) + " '" + template_path() + "' '" + data_path() +
                      "' 2>&1 >/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    pclose(p);
    size_t colon = out.rfind(": ");
    double secs = colon == std::string::npos ? 0 : go_duration_seconds(out.substr(colon + 2));
    state.SetIterationTime(secs);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GoOracle)->UseManualTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
