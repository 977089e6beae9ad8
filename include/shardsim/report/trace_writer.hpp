#pragma once
// Writes a Trace (exec/trace.hpp) in the Chrome trace event format (JSON), which Perfetto (ui.perfetto.dev) and
// chrome://tracing open. Processes group the tracks: "compute" (one thread per node), "links" (one per link
// direction that carried bytes), "collectives" (one per collective op), and "critical path" (the ops and
// messages of each block's critical path, in order). Timestamps are microseconds with picosecond decimals.

#include <ostream>

#include "shardsim/exec/trace.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::report {

void write_chrome_trace(std::ostream& out, const exec::Trace& trace, const topo::Topology& topology);

}  // namespace shardsim::report
