#include <catch2/catch.hpp>

#include "printing.hpp"

#include "shardsim/hw/roofline.hpp"

using namespace shardsim;

namespace {
hw::NodeSpec node() {
  hw::NodeSpec n;
  n.flop_rate = FlopRate{1e9};          // 1 FLOP per ns
  n.memory_bandwidth = ByteRate{2e9};   // 2 bytes per ns
  n.op_overhead = Time::from_ns(1000);  // 1 us
  return n;
}
}  // namespace

TEST_CASE("roofline: an op with few bytes per FLOP is bound by arithmetic") {
  // 4000 FLOP at 1 FLOP/ns = 4000 ns; (1000 + 1000) bytes at 2 B/ns = 1000 ns; plus 1000 ns overhead.
  const hw::ComputeCost c = hw::roofline(node(), {Flop{4000}, Bytes{1000}, Bytes{1000}});
  CHECK(c.flop_time == Time::from_ns(4000));
  CHECK(c.memory_time == Time::from_ns(1000));
  CHECK_FALSE(c.memory_bound());
  CHECK(c.total() == Time::from_ns(5000));
}

TEST_CASE("roofline: a matrix-vector product is bound by memory") {
  // y = x @ W with W 512 x 512 fp16, batch 1: 2 * 512 * 512 = 524288 FLOP -> 524288 ns;
  // reads 512*512*2 + 512*2 = 525312 B, writes 1024 B: 526336 B at 2 B/ns = 263168 ns. Compute-bound here
  // because this node is unusually slow at arithmetic; at 4 FLOP/ns (4e9) it becomes memory-bound:
  // 131072 ns of arithmetic < 263168 ns of memory.
  hw::NodeSpec n = node();
  n.flop_rate = FlopRate{4e9};
  const hw::ComputeCost c = hw::roofline(n, {Flop{524288}, Bytes{525312}, Bytes{1024}});
  CHECK(c.flop_time == Time::from_ns(131072));
  CHECK(c.memory_time == Time::from_ns(263168));
  CHECK(c.memory_bound());
  CHECK(c.total() == Time::from_ns(263168 + 1000));
}

TEST_CASE("roofline: a Pi 4 running the seed's first matmul shard") {
  // topologies/pi-nodes.toml pi4-4gb: 11.8 GFLOP/s, 3.3 GB/s, 5 us per op. The seed's expand shard on 4 nodes
  // with batch 6: 2 * 6 * 512 * 512 = 3145728 FLOP -> 3145728 / 11.8e9 s = 266587.118... ns -> 266587119 ps;
  // bytes (512*512 + 6*512) * 2 read + 6*512*2 written = 536576 + 6144 = 542720 B -> 164460.606 ns.
  hw::NodeSpec n;
  n.flop_rate = FlopRate{11.8e9};
  n.memory_bandwidth = ByteRate{3.3e9};
  n.op_overhead = Time::from_us(5);
  const hw::ComputeCost c = hw::roofline(n, {Flop{3145728}, Bytes{536576}, Bytes{6144}});
  CHECK(c.flop_time == Time::from_ps(266587119));
  CHECK(c.memory_time == Time::from_ps(164460606));
  CHECK(c.total() == Time::from_ps(266587119 + 5000000));
}
