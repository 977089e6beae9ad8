#include "shardsim/app/progress_bar.hpp"

#include <cstdio>
#include <string>

namespace shardsim::app {

std::string clock_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

void ProgressBar::update(std::size_t done, std::size_t total, Clock::time_point now) {
  if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = total ? done * kWidth / total : kWidth;
  std::string line = "\r[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
                     std::to_string(done) + "/" + std::to_string(total) + " points  ";
  if (done == total) {
    line += "in " + clock_duration(elapsed) + "\n";
  } else if (done > 0) {
    line += clock_duration(elapsed / static_cast<double>(done) * static_cast<double>(total - done)) + " left  ";
  }
  *out_ << line << std::flush;
}

void ProgressLines::update(std::size_t done, std::size_t total, Clock::time_point now) {
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = std::to_string(done) + "/" + std::to_string(total) + " points";
  if (done == total) {
    line += " in " + clock_duration(elapsed);
  } else if (now - last_ >= every_ && done > 0) {
    line += ", " + clock_duration(elapsed / static_cast<double>(done) * static_cast<double>(total - done)) + " left";
  } else {
    return;
  }
  last_ = now;
  *out_ << line << "\n" << std::flush;
}

}  // namespace shardsim::app
