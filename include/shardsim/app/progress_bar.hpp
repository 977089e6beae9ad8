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

// The same progress when standard error is not a terminal (a log file, a batch job): a whole line
// "37/100 points, 0:42 left" at most every `every` (5 s by default; none before the first point is done), and
// "100/100 points in 1:23" at the end, so that a log shows a long sweep is alive without filling with redraws.
class ProgressLines {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressLines(std::ostream& out, Clock::time_point start = Clock::now(),
                         Clock::duration every = std::chrono::seconds(5))
      : out_(&out), start_(start), last_(start), every_(every) {}

  void operator()(std::size_t done, std::size_t total) { update(done, total, Clock::now()); }
  void update(std::size_t done, std::size_t total, Clock::time_point now);

 private:
  std::ostream* out_;
  Clock::time_point start_;
  Clock::time_point last_;  // the last line written (the start, before any)
  Clock::duration every_;
};

// Seconds as "m:ss", or "h:mm:ss" from an hour on, rounded to the second.
std::string clock_duration(double seconds);

}  // namespace shardsim::app
