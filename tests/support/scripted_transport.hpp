#pragma once

// A recording fake of imap::Transport: hands out scripted server bytes one
// chunk per recv() and records everything the client sends.

#include <deque>
#include <string>

#include "imap/transport.hpp"

namespace mailprobe::test {

class ScriptedTransport final : public imap::Transport {
 public:
  /// Queues bytes the "server" will return from the next recv().
  void serve(std::string bytes) { chunks_.push_back({std::string(), std::move(bytes)}); }
  /// Queues bytes that recv() hands out only once the client has sent
  /// `trigger` (until then recv() acts as if its deadline passed): a reply
  /// that must not be read before its command, such as IDLE's completion.
  void serve_after(std::string trigger, std::string bytes) {
    chunks_.push_back({std::move(trigger), std::move(bytes)});
  }
  /// Everything the client wrote, concatenated.
  const std::string& sent() const { return sent_; }
  bool closed_when_empty = false;  // recv on an empty script: close instead of timing out

  Status send(std::string_view data, const Deadline&, Stage) override {
    sent_.append(data);
    return ok();
  }
  Outcome<std::string> recv(const Deadline&, Stage stage) override {
    if (chunks_.empty()) {
      if (closed_when_empty) return Failure(stage, Result::connection_closed, "closed");
      return std::string();  // as if the deadline passed
    }
    if (!chunks_.front().trigger.empty() && sent_.find(chunks_.front().trigger) == std::string::npos)
      return std::string();
    std::string c = std::move(chunks_.front().bytes);
    chunks_.pop_front();
    return c;
  }

 private:
  struct Chunk {
    std::string trigger;  // "" = at once
    std::string bytes;
  };
  std::deque<Chunk> chunks_;
  std::string sent_;
};

}  // namespace mailprobe::test
