#include "check/smtp_leg.hpp"

#include "check/mx_route.hpp"

namespace mailprobe::check {

SmtpLeg::~SmtpLeg() {
  release(false);
  if (thread_.joinable()) thread_.join();
}

void SmtpLeg::start(const CheckConfig& cfg, smtp::SendRequest req, const std::atomic<bool>* stop) {
  run_stop_ = stop;
  deadline_ = req.deadline;
  server = req.server.authority();
  req.stop = &abort_;
  req.before_mail = [this] { return wait_gate(); };
  req.on_accepted = [this](Stamp at, std::optional<std::int64_t> rtt) {
    std::lock_guard<std::mutex> lock(mu_);
    accepted_ = Acceptance{at, rtt};
    cv_.notify_all();
  };
  thread_ = std::thread([this, &cfg, req = std::move(req)]() mutable {
    smtp::SendReport rep;
    if (cfg.mx_domain.empty()) {
      rep = smtp::send_message(req);
    } else {
      // RFC 5321 §5.1: try the MX hosts in order until one takes the message;
      // only failures to reach or greet a host move on to the next.
      auto candidates = mx_candidates(cfg.mx_domain, cfg.smtp.port, cfg.dns_server, req.deadline);
      if (!candidates) {
        std::lock_guard<std::mutex> lock(mu_);
        mx_failure = candidates.error();
      } else {
        std::int64_t tried = 0;
        for (const auto& cand : candidates.value()) {
          req.server.host = cand.host;
          req.connect_to = cand.address;
          {
            std::lock_guard<std::mutex> lock(mu_);
            server = req.server.authority();
          }
          ++tried;
          rep = smtp::send_message(req);
          bool unreachable = rep.failure && (rep.failure->stage == Stage::smtp_connect ||
                                             rep.failure->stage == Stage::smtp_greeting);
          if (!unreachable || req.deadline.expired()) break;
        }
        std::lock_guard<std::mutex> lock(mu_);
        mx_tried = tried;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    report_ = std::move(rep);
    done_ = true;
    cv_.notify_all();
  });
}

void SmtpLeg::release(bool go) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!gate_) gate_ = go;
  if (!go) abort_ = true;
  cv_.notify_all();
}

bool SmtpLeg::wait_gate() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!gate_) {
    if (deadline_.expired()) return false;
    // Short slices: the run's stop flag is not a condition we are told about.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (run_stop_ && run_stop_->load()) return false;
  }
  return *gate_;
}

std::optional<Acceptance> SmtpLeg::wait_accepted() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!accepted_ && !done_) {
    cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (run_stop_ && run_stop_->load()) abort_ = true;  // the sender notices within ~1 s
  }
  return accepted_;
}

const smtp::SendReport& SmtpLeg::join() {
  if (thread_.joinable()) thread_.join();
  return report_;
}

}  // namespace mailprobe::check
