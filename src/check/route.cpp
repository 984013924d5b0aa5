#include "check/route.hpp"

#include "check/mx_route.hpp"

namespace mailprobe::check {

RouteOutcome send_over_route(smtp::SendRequest req, const CheckConfig& cfg, const Deadline& dl) {
  RouteOutcome out;
  out.server = req.server.authority();
  if (cfg.mx_domain.empty()) {
    out.sent = smtp::send_message(req);
    return out;
  }
  auto candidates = mx_candidates(cfg.mx_domain, cfg.smtp.port, cfg.dns_server, dl);
  if (!candidates) {
    out.lookup_failure = candidates.error();
    return out;
  }
  std::int64_t tried = 0;
  for (const auto& cand : candidates.value()) {
    req.server.host = cand.host;
    req.connect_to = cand.address;
    out.server = req.server.authority();
    ++tried;
    out.sent = smtp::send_message(req);
    bool unreachable = out.sent.failure && (out.sent.failure->stage == Stage::smtp_connect ||
                                            out.sent.failure->stage == Stage::smtp_greeting);
    if (!unreachable || dl.expired()) break;
  }
  out.tried = tried;
  return out;
}

}  // namespace mailprobe::check
