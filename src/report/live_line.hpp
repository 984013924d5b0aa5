#pragma once

// One status line on a terminal while a run is going, from the first
// connect on: which step, how long the run has taken, and (while waiting)
// how many mailbox checks were made. It redraws itself in place every
// 200 ms and is erased when the run ends, so it never mixes with the report.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace mailprobe::report {

class LiveLine final {
 public:
  /// Starts drawing on `to` (a terminal); `color` dims the line and allows
  /// escape sequences (without it, only \r and blanks are written).
  LiveLine(std::FILE* to, bool color);
  LiveLine(const LiveLine&) = delete;
  LiveLine& operator=(const LiveLine&) = delete;
  /// Stops drawing and erases the line.
  ~LiveLine();

  /// The step that just started; thread-safe.
  void phase(const std::string& what);
  /// Extra words after the elapsed time ("12 checks (idle)"); thread-safe.
  void detail(const std::string& what);

 private:
  void run();
  std::FILE* to_;
  bool color_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string phase_, detail_;
  bool done_ = false;
  std::size_t drawn_ = 0;  // length of the line on screen
  std::thread thread_;
};

/// The line as drawn (without the leading "\r\033[K"): "  <phase>  1.2 s  <detail>".
std::string live_text(const std::string& phase, double elapsed_s, const std::string& detail);

}  // namespace mailprobe::report
