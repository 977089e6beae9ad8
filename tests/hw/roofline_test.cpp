#include <catch2/catch.hpp>

#include "printing.hpp"

#include "shardsim/hw/roofline.hpp"
#include "shardsim/util/error.hpp"

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
  const hw::ComputeCost c = hw::roofline(node(), {Flop{4000}, Bytes{1000}, Bytes{1000}, Bytes{0}});
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
  const hw::ComputeCost c = hw::roofline(n, {Flop{524288}, Bytes{525312}, Bytes{1024}, Bytes{524288}});
  CHECK(c.flop_time == Time::from_ns(131072));
  CHECK(c.memory_time == Time::from_ns(263168));
  CHECK(c.memory_bound());
  CHECK(c.total() == Time::from_ns(263168 + 1000));
}

TEST_CASE("roofline: a Pi 4 running the seed's first matmul shard") {
  // A Pi 4 as topologies/pi-nodes.toml once preset it: 11.8 GFLOP/s, 3.3 GB/s, 5 us per op. The seed's expand shard on 4 nodes
  // with batch 6: 2 * 6 * 512 * 512 = 3145728 FLOP -> 3145728 / 11.8e9 s = 266587.118... ns -> 266587119 ps;
  // bytes (512*512 + 6*512) * 2 read + 6*512*2 written = 536576 + 6144 = 542720 B -> 164460.606 ns.
  hw::NodeSpec n;
  n.flop_rate = FlopRate{11.8e9};
  n.memory_bandwidth = ByteRate{3.3e9};
  n.op_overhead = Time::from_us(5);
  const hw::ComputeCost c = hw::roofline(n, {Flop{3145728}, Bytes{536576}, Bytes{6144}, Bytes{524288}});
  CHECK(c.flop_time == Time::from_ps(266587119));
  CHECK(c.memory_time == Time::from_ps(164460606));
  CHECK(c.total() == Time::from_ps(266587119 + 5000000));
}

TEST_CASE("roofline: weights that do not fit are read from storage") {
  // 1 MB of weights + 1 kB of input read, 1 kB written, 1 GB/s RAM, 100 MB/s storage, a quarter streamed:
  //   from storage 250000 B at 100 B/us = 2500 us; from RAM 750000 + 1000 + 1000 B at 1000 B/us = 752 us;
  //   memory time 3252 us, far above the 1 us of arithmetic.
  hw::NodeSpec n;
  n.flop_rate = FlopRate{1e9};
  n.memory_bandwidth = ByteRate{1e9};
  n.storage_bandwidth = ByteRate{1e8};
  const hw::ComputeWork w{Flop{1000}, Bytes{1'001'000}, Bytes{1000}, Bytes{1'000'000}};
  const hw::ComputeCost c = hw::roofline(n, w, {0.25});
  CHECK(c.from_storage == Bytes{250'000});
  CHECK(c.memory_time == Time::from_us(2500 + 752));
  CHECK(c.memory_bound());
  // Nothing streamed: 1002000 B from RAM = 1002 us.
  CHECK(hw::roofline(n, w).memory_time == Time::from_us(1002));
  // A node without storage cannot stream: a broken invariant, not a user error.
  n.storage_bandwidth.reset();
  CHECK_THROWS_AS(hw::roofline(n, w, {0.25}), InternalError);
}

TEST_CASE("roofline: a KV cache that does not fit is read from storage, apart from the weights") {
  // An attention op reading 40000 B of cache and 1000 B of queries, writing 1000 B; no weights. Half the cache
  // beyond RAM: 20000 B from storage at 100 B/us = 200 us; 20000 + 1000 + 1000 B from RAM at 1000 B/us = 22 us.
  hw::NodeSpec n;
  n.flop_rate = FlopRate{1e9};
  n.memory_bandwidth = ByteRate{1e9};
  n.storage_bandwidth = ByteRate{1e8};
  hw::ComputeWork w{Flop{1000}, Bytes{41'000}, Bytes{1000}, Bytes{0}};
  w.kv_cache_bytes = Bytes{40'000};
  const hw::ComputeCost c = hw::roofline(n, w, {1.0, 0.5});  // every weight streamed: there are none
  CHECK(c.from_storage == Bytes{20'000});
  CHECK(c.memory_time == Time::from_us(200 + 22));
  CHECK(hw::roofline(n, w, {0.0, 0.0}).memory_time == Time::from_us(42));
}
