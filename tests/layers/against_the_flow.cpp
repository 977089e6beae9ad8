// Compiled with the include folders of the util module alone (tests/layers/CMakeLists.txt): util may use nothing
// but the standard library, so including a plan header must not compile. If it does, every module sees the whole
// include/ tree again and a dependency against the data flow would build.
#include "shardsim/plan/strategy.hpp"
