#pragma once
// How the model is run: `batch` sequences at a time. Either one decode step with `context` tokens in the KV cache
// (the new one included), or a whole generation: the prefill of `prompt_tokens` per sequence (which yields the
// first generated token) and then a decode step for each of the other `generated_tokens - 1` tokens, the KV cache
// growing by one token per step; then `context` is that of the last step, prompt + generated - 1.

#include <cstdint>
#include <optional>

#include "shardsim/workload/training_cost.hpp"

namespace shardsim::workload {

// A training step instead of inference ([train]): `batch` sequences of `seq_len` tokens per step, over all
// data-parallel replicas.
struct TrainingRun {
  std::int64_t seq_len = 2048;
  OptimizerSpec optimizer;
  bool recompute = false;  // full activation recomputation, one checkpoint per layer
};

struct RunOptions {
  std::int64_t batch = 1;
  std::int64_t context = 1024;  // tokens in the KV cache at the decode step simulated in detail (transformers)
  std::int64_t prompt_tokens = 0;     // 0: no generation, only the decode step at `context`
  std::int64_t generated_tokens = 0;  // >= 2 when prompt_tokens > 0
  std::optional<TrainingRun> training;  // set: the run is one training step of `batch` sequences

  bool generates() const { return prompt_tokens > 0; }
};

}  // namespace shardsim::workload
