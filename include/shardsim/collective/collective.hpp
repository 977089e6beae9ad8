#pragma once
// Collectives: what a collective is and delivers (collective_spec.hpp), and its expansion by an algorithm into
// point-to-point steps with dependencies (schedule.hpp). Include the one you need; this header includes both.

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/collective/schedule.hpp"
