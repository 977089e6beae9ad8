#pragma once
// Test support: a transformer small enough to count by hand, trained in mixed precision: vocab 11, d_model 8,
// 2 layers, 2 heads of 4 values on 2 KV heads (so that a tensor degree of 2 splits the KV heads instead of
// replicating them), SwiGLU of 12, no biases, rotary positions, untied head; bf16 weights and activations.

#include "shardsim/workload/training_cost.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::testing {

inline workload::TransformerSpec tiny_transformer() {
  workload::TransformerSpec s;
  s.vocab = 11;
  s.d_model = 8;
  s.layers = 2;
  s.heads = 2;
  s.kv_heads = 2;
  s.head_dim = 4;
  s.d_ff = 12;
  s.max_context = 16;
  return workload::with_compute_format(s, workload::Precision::mixed);
}

}  // namespace shardsim::testing
