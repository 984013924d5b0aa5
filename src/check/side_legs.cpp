#include "check/side_legs.hpp"

#include <chrono>

namespace mailprobe::check {

// GCC 12 at -Os reports std::stop_source's own state as maybe-uninitialized
// inside std::jthread's constructor (a false positive in <stop_token>).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

void SideLeg::start(const net::Endpoint& server, const net::TlsPolicy& tls, const net::Credentials& creds,
                    const Deadline& dl, const std::atomic<bool>* stop, net::DialogueLog* log,
                    const char* log_label) {
  opener = std::jthread([this, &server, &tls, &creds, dl, stop, log, log_label] {
    auto l = open_leg(server, tls, creds, dl, stop, log, log_label);
    if (l) leg = std::move(l.value());
    else error = l.error().reply_text;
  });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void SideLeg::select(const std::string& name, const Deadline& dl) {
  if (opener.joinable()) opener.join();
  if (!leg) return;
  if (!name.empty()) {
    if (auto st = select_mailbox(*leg, name, dl)) return;
    else error = st.error().reply_text;
  }
  logout(*leg, dl);
  leg.reset();
}

void SideLeg::finish(const Deadline& dl) {
  if (opener.joinable()) opener.join();
  if (leg) logout(*leg, dl);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
void SideWait::start(ImapLeg& leg, WaitPlan plan, std::atomic<bool>& found, std::function<bool()> stop) {
  thread = std::jthread([this, &leg, plan = std::move(plan), &found, stop = std::move(stop)] {
    result = wait_for_probe(*leg.session, plan, {}, stop);
    if (result->has_value() && result->value().found) found = true;
  });
}

void SideWait::start_lazy(SideLeg& side, SideTarget target, LazyOpen when,
                          std::function<WaitPlan(const ImapLeg&)> plan_for, std::atomic<bool>& found,
                          std::function<bool()> stop) {
  thread = std::jthread([this, &side, target = std::move(target), when = std::move(when),
                         plan_for = std::move(plan_for), &found, stop = std::move(stop)] {
    const auto interrupted = [&] { return target.deadline.expired() || (target.stop && target.stop->load()); };
    while (!when.never() && !when.now() && !interrupted())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (when.never() || interrupted()) return;
    auto l = open_selected(*target.server, *target.tls, *target.creds, target.mailbox, target.deadline,
                           target.stop, target.log, target.log_label);
    if (!l) {
      side.error = l.error().reply_text;
      return;
    }
    if (when.never()) {  // found elsewhere while this folder was opened
      logout(*l.value(), target.deadline);
      return;
    }
    side.leg = std::move(l.value());
    result = wait_for_probe(*side.leg->session, plan_for(*side.leg), {}, stop);
    if (result->has_value() && result->value().found) found = true;
  });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void SideWait::join() {
  if (thread.joinable()) thread.join();
}

const WaitOutcome* SideWait::found() const {
  return result && result->has_value() && result->value().found ? &result->value() : nullptr;
}

}  // namespace mailprobe::check
