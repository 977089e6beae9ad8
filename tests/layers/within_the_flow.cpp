// The control of against_the_flow.cpp: the same compilation with util's own header compiles.
#include "shardsim/util/units.hpp"
