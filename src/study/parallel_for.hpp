#pragma once
// A loop over indices on a few threads, shared by sweeps and searches: results go to slots indexed by i, so the
// output never depends on the number of threads.

#include <cstddef>
#include <functional>

namespace shardsim::study {

// Runs body(i) for i in [0, n) on up to `jobs` threads, taking indices in increasing order. After a failure no new
// index is started; the error of the lowest failing index is rethrown, which is the one a single thread would
// have met first (every lower index had been started, and finishes).
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& body);

}  // namespace shardsim::study
