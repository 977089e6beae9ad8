#pragma once
// How the model is run: for now one decode step of `batch` sequences (each token's input is `batch` rows).

#include <cstdint>

namespace shardsim::workload {

struct RunOptions {
  std::int64_t batch = 1;
  std::int64_t context = 1024;  // tokens in the KV cache at the decode step simulated (transformers)
};

}  // namespace shardsim::workload
