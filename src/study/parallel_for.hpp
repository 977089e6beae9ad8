#pragma once
// A loop over indices on a few threads, shared by what runs many scenarios (sweeps, calibration fits).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace shardsim::study {

// Runs body(i) for i in [0, n) on up to `jobs` threads, taking indices in increasing order. After a failure no new
// index is started; the error of the lowest failing index is rethrown, which is the one a single thread would
// have met first (every lower index had been started, and finishes).
inline void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& body) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&] {
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        errors[i] = std::current_exception();
        stop.store(true);
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(jobs, 1u), n);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace shardsim::study
