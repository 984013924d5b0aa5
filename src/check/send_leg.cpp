#include "check/send_leg.hpp"


namespace mailprobe::check {

SendLeg::~SendLeg() {
  if (thread_.joinable()) thread_.join();
}

void SendLeg::start(const CheckConfig& cfg, smtp::SendRequest req) {
  req.on_accepted = [this] { signal(true); };
  thread_ = std::thread([this, &cfg, req = std::move(req)]() mutable {
    const Deadline dl = req.deadline;
    out_ = send_over_route(std::move(req), cfg, dl);
    signal(false);  // over: wakes a waiter if no 250 came
  });
}

void SendLeg::signal(bool accepted) {
  std::lock_guard<std::mutex> lock(mu_);
  if (decided_) return;
  decided_ = true;
  accepted_ = accepted;
  cv_.notify_all();
}

bool SendLeg::wait_accepted() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return decided_; });
  return accepted_;
}

RouteOutcome& SendLeg::finish() {
  if (thread_.joinable()) thread_.join();
  return out_;
}

}  // namespace mailprobe::check
