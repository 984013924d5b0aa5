#include "check/send_leg.hpp"


namespace mailprobe::check {

SendLeg::~SendLeg() {
  {
    // After the decision the thread is only saying goodbye: let it (the
    // abort flag would cut the QUIT short).
    std::lock_guard<std::mutex> lock(mu_);
    if (!gate_) gate_ = false;
    if (!decided_) abort_ = true;
    cv_.notify_all();
  }
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
    RouteOutcome o = send_over_route(std::move(req), cfg, dl);
    std::unique_ptr<smtp::Session> session = std::move(o.session);
    {
      std::lock_guard<std::mutex> lock(mu_);
      out_ = std::move(o);
      done_ = true;
      if (!decided_) decided_ = true;  // over without a 250 (accepted_ stays false)
      cv_.notify_all();
    }
    // The outcome is out; the goodbye delays nobody but the destructor.
    if (session) session->close();
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
  std::unique_lock<std::mutex> lock(mu_);
  // Bounded: the transaction ends by the request's deadline.
  cv_.wait(lock, [this] { return done_ || !thread_.joinable(); });
  return out_;
}

}  // namespace mailprobe::check
