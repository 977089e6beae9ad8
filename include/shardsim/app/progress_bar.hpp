#pragma once
// The progress of a long command (a sweep) on a terminal: "[#########.....................] 37/100 points  0:42
// left", redrawn in place (a carriage return, no line feed) at most ten times a second, and "in 1:23" with a line
// feed once every point is done. The time left assumes the points still to run take as long as those done.

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace shardsim::app {

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressBar(std::ostream& out, Clock::time_point start = Clock::now()) : out_(&out), start_(start) {}

  // Called with (points done, points in all) after each point, as study::SweepProgress.
  void operator()(std::size_t done, std::size_t total) { update(done, total, Clock::now()); }
  // The same at time `now` (tests pass their own times).
  void update(std::size_t done, std::size_t total, Clock::time_point now);

 private:
  std::ostream* out_;  // a pointer, so that the bar can be copied into a std::function
  Clock::time_point start_;
  Clock::time_point last_{};  // the last redraw; none yet
};

// Seconds as "m:ss", or "h:mm:ss" from an hour on, rounded to the second.
std::string clock_duration(double seconds);

}  // namespace shardsim::app
