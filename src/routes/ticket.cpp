#include "routes/ticket.hpp"

#include <algorithm>

namespace mailprobe::routes {

Ticket::Ticket(std::string token, int watchers, bool cleanup)
    : token_(std::move(token)), cleanup_(cleanup), holders_(watchers) {}

void Ticket::arm(SteadyClock::time_point wait_until, Micros junk_after) {
  std::lock_guard lk(mu_);
  wait_until_ = wait_until;
  armed_at_ = SteadyClock::now();
  junk_after_ = junk_after;
}

Micros Ticket::junk_after() const {
  std::lock_guard lk(mu_);
  return junk_after_;
}

std::optional<SteadyClock::time_point> Ticket::armed_at() const {
  std::lock_guard lk(mu_);
  return armed_at_;
}

SteadyClock::time_point Ticket::wait_until() const {
  std::lock_guard lk(mu_);
  return wait_until_;
}

bool Ticket::settled() const {
  std::lock_guard lk(mu_);
  return claimed_ || cancelled_ || holders_ <= 0;
}

bool Ticket::claim() {
  std::lock_guard lk(mu_);
  if (claimed_ || cancelled_) return false;
  claimed_ = true;
  return true;
}

void Ticket::complete(Sighting s) {
  {
    std::lock_guard lk(mu_);
    found_ = std::move(s);
  }
  cv_.notify_all();
}

void Ticket::release(std::optional<Failure> failure) {
  {
    std::lock_guard lk(mu_);
    --holders_;
    if (failure && !failure_) failure_ = std::move(failure);
  }
  cv_.notify_all();
}

void Ticket::cancel() {
  {
    std::lock_guard lk(mu_);
    cancelled_ = true;
  }
  cv_.notify_all();
}

void Ticket::count_check(int n) {
  std::lock_guard lk(mu_);
  tries_ += n;
}

Ticket::Outcome Ticket::wait() {
  std::unique_lock lk(mu_);
  // A claimed ticket is waited for until complete(): its watcher is deleting it.
  cv_.wait(lk, [&] { return found_ || cancelled_ || (!claimed_ && holders_ <= 0); });
  Outcome out;
  out.found = found_;
  if (!found_) out.failure = failure_;
  out.tries = tries_ + 1;  // + the scan that found it, or the first look
  return out;
}

}  // namespace mailprobe::routes
