#pragma once

// What a run leaves behind once its report is final: goodbyes still under
// way. RFC 5321 §4.1.1.10: after QUIT the client SHOULD wait for the 221,
// and a server may hold it (Exim ~200 ms, Dovecot submission in front of
// Exim too). The report does not depend on it, so the caller prints first
// and destroys this after: the record is never late for a goodbye, and
// the goodbye still happens (each QUIT waits at most 2 s).
//
// Holds any object whose destructor is a goodbye (an SMTP leg that joins
// its QUITting thread, a thread closing a pool of sessions). Not
// thread-safe: one owner at a time; movable, so a report can carry its own.

#include <memory>
#include <vector>

namespace mailprobe::check {

class Goodbyes {
 public:
  Goodbyes() = default;
  Goodbyes(Goodbyes&&) noexcept = default;
  /// Waits for what this held, then takes over other's.
  Goodbyes& operator=(Goodbyes&& other) noexcept {
    if (this != &other) {
      wait();
      held_ = std::move(other.held_);
      other.held_.clear();
    }
    return *this;
  }
  Goodbyes(const Goodbyes&) = delete;
  Goodbyes& operator=(const Goodbyes&) = delete;
  /// Waits for every goodbye held, newest first.
  ~Goodbyes() { wait(); }

  /// Keeps `p` until wait(): destroying it is the goodbye.
  template <typename T>
  void adopt(std::unique_ptr<T> p) {
    if (p) held_.push_back(std::shared_ptr<void>(std::move(p)));
  }
  /// Takes over everything `other` holds.
  void adopt(Goodbyes&& other) {
    for (auto& h : other.held_) held_.push_back(std::move(h));
    other.held_.clear();
  }

  /// Destroys what is held (each destructor waits for its goodbye), newest first.
  void wait() {
    while (!held_.empty()) held_.pop_back();
  }
  bool empty() const { return held_.empty(); }

 private:
  std::vector<std::shared_ptr<void>> held_;
};

}  // namespace mailprobe::check
