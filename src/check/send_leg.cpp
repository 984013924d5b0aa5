#include "check/send_leg.hpp"


namespace mailprobe::check {

SendLeg::~SendLeg() {
  release(false);
  if (thread_.joinable()) thread_.join();
}

void SendLeg::start(const CheckConfig& cfg, smtp::SendRequest req, bool gated,
                    const std::atomic<bool>* run_stop) {
  run_stop_ = run_stop ? run_stop : req.stop;
  deadline_ = req.deadline;
  req.stop = &abort_;
  if (gated) req.before_mail = [this] { return wait_gate(); };
  req.on_accepted = [this](Stamp at, std::optional<std::int64_t> rtt) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      accepted_at_ = at;
      rtt_us_ = rtt;
    }
    signal(true);
  };
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

void SendLeg::release(bool go) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!gate_) gate_ = go;
  if (!go) abort_ = true;
  cv_.notify_all();
}

bool SendLeg::wait_gate() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!gate_) {
    if (deadline_.expired() || (run_stop_ && run_stop_->load())) return false;
    // Short slices: nobody notifies us of the run's stop flag.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return *gate_;
}

bool SendLeg::wait_accepted() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!decided_) {
    cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (run_stop_ && run_stop_->load()) abort_ = true;  // the sender's progress callback notices
  }
  return accepted_;
}

RouteOutcome& SendLeg::finish() {
  if (thread_.joinable()) thread_.join();
  return out_;
}

}  // namespace mailprobe::check
