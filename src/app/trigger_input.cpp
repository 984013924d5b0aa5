#include "app/trigger_input.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace mailprobe::app {

namespace {
constexpr std::size_t kMaxLine = 4096;  // a longer trigger line is cut (route names are short)
}

Input TriggerInput::drain() {
  char buf[512];
  Input seen = Input::nothing;
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return seen;
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n == 0) return Input::closed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Input::closed;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        seen = Input::trigger;
        lines_.push_back(std::move(partial_));
        partial_.clear();
      } else if (partial_.size() < kMaxLine) {
        partial_.push_back(buf[i]);
      }
    }
  }
}

Input TriggerInput::wait(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return Input::closed;
    if (ready <= 0) continue;
    Input in = drain();
    if (in != Input::nothing) return in;
  }
  return Input::stopped;
}

std::vector<std::string> TriggerInput::take_lines() {
  std::vector<std::string> out;
  out.swap(lines_);
  return out;
}

}  // namespace mailprobe::app
