// Activities leased and completed per second through the Store (#21's benchmark, the store's
// share of it): one run of N independent activities, T threads each leasing, starting and
// finishing as fast as the store lets them — what the in-process workers cost the control plane
// with an engine that takes no time. SQLite now; PostgreSQL joins with its store.
//   bench_store [--activities N] [--threads T] [--database URL]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "base/temp_dir.h"
#include "store/store.h"

int main(int argc, char** argv) {
  int activities = 5000;
  int threads = 4;
  std::string database;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--activities") activities = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--database") database = argv[i + 1];
  }
  strata::TempDir dir("strata-store-bench");
  auto store = strata::store::open_store(database.empty() ? dir.path() + "/bench.db" : database);
  store->migrate();
  strata::store::Repository repo;
  repo.id = strata::store::new_uuid();
  repo.name = "bench-" + repo.id.substr(0, 8);
  repo.url = "/dev/null";
  repo.default_branch = "main";
  store->add_repository(repo);
  strata::store::Run run;
  run.repository_id = repo.id;
  run.command = "plan";
  run.commit = std::string(40, '0');
  run.selection_json = "{}";
  std::vector<strata::store::Activity> list(activities);
  for (int n = 0; n < activities; ++n) {
    list[n].stack = "s";
    list[n].component = "c" + std::to_string(n);
    list[n].command = "plan";
    list[n].required_capabilities = {"terraform"};
  }
  auto t0 = std::chrono::steady_clock::now();
  strata::store::Run created = store->create_run(run, list);
  store->start_ready_runs(strata::store::now_millis());
  auto t1 = std::chrono::steady_clock::now();
  std::atomic<int> done{0};
  std::vector<double> latencies_ms;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      strata::store::LeaseRequest request;
      request.worker_id = "bench-" + std::to_string(t);
      request.capabilities = {"terraform"};
      strata::store::Finish f;
      f.status = "succeeded";
      for (;;) {
        request.now = strata::store::now_millis();
        auto a = store->lease(request);
        if (!a) return;
        auto now = strata::store::now_millis();
        store->start(a->id, a->fencing_token, now + 60000, now);
        store->finish(a->id, a->fencing_token, f, strata::store::now_millis());
        done.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  auto t2 = std::chrono::steady_clock::now();
  double create_s = std::chrono::duration<double>(t1 - t0).count();
  double run_s = std::chrono::duration<double>(t2 - t1).count();
  auto final_run = store->run(created.id);
  std::printf("store %s: %d activities written in %.3f s; leased+started+finished by %d threads in %.3f s = %.0f activities/s; run %s\n",
              database.empty() ? "sqlite" : database.c_str(), activities, create_s, threads, run_s,
              done.load() / run_s, final_run ? final_run->status.c_str() : "?");
  return done.load() == activities && final_run && final_run->status == "succeeded" ? 0 : 1;
}
