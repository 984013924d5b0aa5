#pragma once

// A recording fake of imap::Transport that behaves like a server answering
// each command at once: every command line the client sends releases the
// next scripted answer, so pipelined commands get their answers only after
// they were sent (unlike ScriptedTransport, which ignores what was sent).
// recv with nothing released waits (briefly, up to the deadline) and
// returns "" as a real link would at its deadline.

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <thread>

#include "imap/transport.hpp"

namespace mailprobe::test {

class AnsweringTransport final : public imap::Transport {
 public:
  /// Queues the answer to the next command line the client will send.
  void answer(std::string bytes) { answers_.push_back(std::move(bytes)); }
  const std::string& sent() const { return sent_; }
  /// Command lines sent so far.
  int lines() const { return static_cast<int>(std::count(sent_.begin(), sent_.end(), '\n')); }

  Status send(std::string_view data, const Deadline&, Stage) override {
    sent_.append(data);
    for (char c : data)
      if (c == '\n' && !answers_.empty()) {
        released_ += answers_.front();
        answers_.pop_front();
      }
    return ok();
  }
  Outcome<std::string> recv(const Deadline& dl, Stage) override {
    if (released_.empty()) {
      auto cap = SteadyClock::now() + std::chrono::milliseconds(2);
      std::this_thread::sleep_until(std::min(cap, dl.at));
      return std::string();
    }
    std::string out;
    out.swap(released_);
    return out;
  }

 private:
  std::deque<std::string> answers_;
  std::string released_;
  std::string sent_;
};

}  // namespace mailprobe::test
