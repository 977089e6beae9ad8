#pragma once
// How many threads a command that runs many simulations (sweep, search) starts by default.

namespace shardsim::app {

// The cores this process may run on (its affinity mask, which taskset and Slurm's cpusets restrict), else all of
// the machine's; at least 1.
unsigned usable_cores();

}  // namespace shardsim::app
