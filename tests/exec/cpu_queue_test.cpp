// CpuQueue (src/exec/cpu_queue.hpp): one op at a time, the others in order of readiness.

#include <catch2/catch.hpp>

#include <optional>

#include "cpu_queue.hpp"
#include "printing.hpp"

using namespace shardsim;
using exec::CpuQueue;
using exec::Mark;
using exec::QueuedOp;

namespace {

QueuedOp ready(plan::OpId op, std::int64_t ps) { return QueuedOp{op, Mark{Time{ps}, {}, {}, exec::PathStepId::none}}; }

}  // namespace

TEST_CASE("a CPU runs one op at a time, the others first in, first out") {
  CpuQueue cpu;
  CHECK(cpu.push(ready(4, 0)));  // idle: the caller starts it
  std::optional<QueuedOp> running = cpu.next();
  REQUIRE(running);
  CHECK(running->op == 4);
  CHECK_FALSE(cpu.push(ready(2, 1)));  // busy: it waits
  CHECK_FALSE(cpu.push(ready(7, 1)));
  running = cpu.next();
  REQUIRE(running);
  CHECK(running->op == 2);
  CHECK(running->ready.time == Time{1});  // it keeps the mark it became ready with
  CHECK_FALSE(cpu.push(ready(1, 2)));
  CHECK(cpu.next()->op == 7);
  CHECK(cpu.next()->op == 1);
  CHECK_FALSE(cpu.next());      // nothing waits: the CPU idles
  CHECK(cpu.push(ready(3, 9)));  // and the next op starts at once
  CHECK(cpu.next()->op == 3);
}

TEST_CASE("the running op's completion mark is kept until it is done") {
  CpuQueue cpu;
  cpu.push(ready(0, 0));
  cpu.next();
  cpu.set_running(Mark{Time{25}, {}, {}, exec::PathStepId::none});
  CHECK(cpu.running().time == Time{25});
}
