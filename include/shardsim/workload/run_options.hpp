#pragma once
// How the model is run: for now one decode step of `batch` sequences (each token's input is `batch` rows).

#include <cstdint>

namespace shardsim::workload {

struct RunOptions {
  std::int64_t batch = 1;
};

}  // namespace shardsim::workload
