// The engine at scale (issue 17): whole scenarios of bench/scale/ run through the full pipeline (plan, execute,
// result), each in a process of its own so that its peak resident memory is its own. For each case it prints the
// wall time, the CPU time (user + system: on a shared machine it moves less than wall time), the engine events and
// point-to-point messages simulated, events and messages per second of wall time (the fair model hands the flows
// that end together to their receivers by one event, so messages/s is the figure that compares), the simulated
// token latency and the child's
// peak RSS (getrusage ru_maxrss). Cases:
//   seed_star_1024, seed_tree_1024           one layer of the seed's GPT-4 MLP on 1024 hosts (1,049,598 messages)
//   seed_fat_tree_4096_direct, _ring         the same layer on 4096 hosts of a k = 26 fat-tree (16.8 M messages)
//   tensor_step_llama3_70b_64                one decode step of Llama 3 70B under the tensor plan on 64 Pi 5
// each under the fair model, and the 1024-host layer under fifo too. Run from a Release build:
//   ./build/bench/shardsim_bench_scale            (every case)
//   ./build/bench/shardsim_bench_scale seed_tree_1024_fair ...   (the cases named)
//   ./build/bench/shardsim_bench_scale --here CASE                (in this process, for heaptrack or perf, which
//                                                                    do not follow a fork)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/pipeline.hpp"

namespace {

struct Case {
  const char* name;
  const char* file;  // under the source directory
  std::vector<std::string> overrides;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"seed_star_1024_fair", "bench/scale/seed-layer-star-1024.toml", {}},
      {"seed_tree_1024_fair", "bench/scale/seed-layer-tree-1024.toml", {}},
      {"seed_star_1024_fifo", "bench/scale/seed-layer-star-1024.toml", {"network.model=\"fifo\""}},
      {"seed_tree_1024_fifo", "bench/scale/seed-layer-tree-1024.toml", {"network.model=\"fifo\""}},
      {"seed_fat_tree_4096_direct_fair", "bench/scale/seed-layer-fat-tree-4096.toml", {}},
      {"seed_fat_tree_4096_ring_fair", "bench/scale/seed-layer-fat-tree-4096.toml", {"plan.collective=\"ring\""}},
      {"tensor_step_llama3_70b_64_fair",
       "bench/llama3-70b-pi5-16gb-64.toml",
       {"topology.star.0.node_type=\"pi5-16gb\"", "plan.nodes=64", "network.model=\"fair\""}},
  };
  return all;
}

// Runs one case in this (child) process and prints its line.
int run_case(const Case& c) {
  const auto t0 = std::chrono::steady_clock::now();
  const shardsim::scenario::Scenario s =
      shardsim::scenario::load(std::string(SHARDSIM_SOURCE_DIR "/") + c.file, c.overrides);
  const shardsim::report::Result r = shardsim::study::run_scenario(s);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  std::printf("%-32s %9.3f %9.3f %12llu %11llu %12.3g %12.3g %14.6f %10.1f\n", c.name, wall, cpu,
              static_cast<unsigned long long>(r.stats.events), static_cast<unsigned long long>(r.stats.transfers),
              static_cast<double>(r.stats.events) / wall, static_cast<double>(r.stats.transfers) / wall,
              r.stats.token_latency.seconds(),
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const Case*> chosen;
  bool here = false;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == std::string("--here")) {
      here = true;
      continue;
    }
    const Case* found = nullptr;
    for (const Case& c : cases()) {
      if (argv[i] == std::string(c.name)) found = &c;
    }
    if (found == nullptr) {
      std::fprintf(stderr, "shardsim_bench_scale: no case '%s'; the cases are:\n", argv[i]);
      for (const Case& c : cases()) std::fprintf(stderr, "  %s\n", c.name);
      return 2;
    }
    chosen.push_back(found);
  }
  if (chosen.empty()) {
    for (const Case& c : cases()) chosen.push_back(&c);
  }
  std::printf("%-32s %9s %9s %12s %11s %12s %12s %14s %10s\n", "case", "wall_s", "cpu_s", "events", "messages", "events/s",
              "messages/s",
              "simulated_s", "peak_MB");
  std::fflush(stdout);
  int status = 0;
  for (const Case* c : chosen) {
    if (here) {
      if (run_case(*c) != 0) status = 1;
      continue;
    }
    // A process per case: ru_maxrss is a process's peak, and an earlier case's would hide a smaller one's.
    const pid_t pid = fork();
    if (pid < 0) return 70;
    if (pid == 0) {
      try {
        _exit(run_case(*c));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", c->name, e.what());
        _exit(70);
      }
    }
    int child = 0;
    waitpid(pid, &child, 0);
    if (!WIFEXITED(child) || WEXITSTATUS(child) != 0) status = 1;
  }
  return status;
}
