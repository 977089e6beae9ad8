#pragma once
// Which pass of a transformer a plan lays out: one decode step (one new token per sequence, attending to
// `context` positions, its own included) or the prefill of a `context`-token prompt per sequence (causal, from
// an empty cache). Either way `batch` sequences run together; the KV cache holds `context` tokens per sequence
// once the pass is done, which is what a plan's memory footprint counts.

#include <cstdint>

#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::workload {

enum class PassKind { decode, prefill };

struct PassShape {
  PassKind kind = PassKind::decode;
  std::int64_t batch = 1;
  std::int64_t context = 1;

  // Rows every matmul of a layer runs on: one per sequence when decoding, the whole prompt when prefilling.
  std::int64_t rows() const { return kind == PassKind::decode ? batch : batch * context; }
};

inline PassCost pass_cost(const TransformerSpec& spec, const PassShape& pass) {
  return pass.kind == PassKind::decode ? decode_step(spec, pass.context, pass.batch)
                                       : prefill(spec, pass.context, pass.batch);
}

}  // namespace shardsim::workload
