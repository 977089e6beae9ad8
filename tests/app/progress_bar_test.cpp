// ProgressBar: the line a sweep redraws on a terminal, and the clock durations in it.

#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/app/progress_bar.hpp"

using namespace shardsim::app;
using namespace std::chrono_literals;

TEST_CASE("progress bar: clock durations round to the second, hours from 3600 s on") {
  CHECK(clock_duration(0) == "0:00");
  CHECK(clock_duration(42.4) == "0:42");
  CHECK(clock_duration(42.5) == "0:43");
  CHECK(clock_duration(83) == "1:23");
  CHECK(clock_duration(3599.4) == "59:59");
  CHECK(clock_duration(3600) == "1:00:00");
  CHECK(clock_duration(36000 + 61) == "10:01:01");
}

TEST_CASE("progress bar: 30 marks filled in proportion, the time left, redrawn in place, a line feed when done") {
  std::ostringstream out;
  const ProgressBar::Clock::time_point start{1h};
  ProgressBar bar(out, start);
  // 1 of 3 points after 10 s fills 30 / 3 = 10 marks; 2 points to go at 10 s each leave 0:20.
  bar.update(1, 3, start + 10s);
  std::string expected = "\r[##########....................] 1/3 points  0:20 left  ";
  CHECK(out.str() == expected);
  // Within 100 ms of the last draw nothing is drawn...
  bar.update(2, 3, start + 10s + 50ms);
  CHECK(out.str() == expected);
  // ... later it is: 2 of 3 after 20 s fill 20 marks and leave 0:10.
  bar.update(2, 3, start + 20s);
  expected += "\r[####################..........] 2/3 points  0:10 left  ";
  CHECK(out.str() == expected);
  // The last point is always drawn, with the time it all took and a line feed.
  bar.update(3, 3, start + 20s + 1ms);
  expected += "\r[##############################] 3/3 points  in 0:20\n";
  CHECK(out.str() == expected);
}

TEST_CASE("progress lines: off a terminal a whole line at most every 5 s, and one at the end") {
  std::ostringstream out;
  const ProgressLines::Clock::time_point start{1h};
  ProgressLines lines(out, start);
  lines.update(1, 10, start + 1s);  // before 5 s: nothing
  CHECK(out.str().empty());
  // 2 of 10 after 6 s: 3 s a point, 8 to go leave 24 s.
  lines.update(2, 10, start + 6s);
  CHECK(out.str() == "2/10 points, 0:24 left\n");
  lines.update(3, 10, start + 10s);  // 4 s after the last line: nothing
  CHECK(out.str() == "2/10 points, 0:24 left\n");
  lines.update(4, 10, start + 11s);  // 5 s after it: 11 / 4 * 6 = 16.5 s left, rounded to 17
  CHECK(out.str() == "2/10 points, 0:24 left\n4/10 points, 0:17 left\n");
  lines.update(10, 10, start + 12s);  // the end is always written
  CHECK(out.str() == "2/10 points, 0:24 left\n4/10 points, 0:17 left\n10/10 points in 0:12\n");
}
