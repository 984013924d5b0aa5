#include "check/route.hpp"

#include "check/mx_route.hpp"

namespace mailprobe::check {

namespace {

/// One transaction on a fresh session, which stays open in `out.session`
/// (an earlier attempt's session is closed first).
void attempt(const smtp::SendRequest& req, RouteOutcome& out) {
  if (out.session) out.session->close();
  out.session = std::make_unique<smtp::Session>(req);
  out.sent = out.session->send(req);
}

}  // namespace

RouteOutcome send_over_route(smtp::SendRequest req, const CheckConfig& cfg, const Deadline& dl) {
  RouteOutcome out;
  out.server = req.server.authority();
  if (cfg.mx_domain.empty()) {
    attempt(req, out);
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
    attempt(req, out);
    bool unreachable = out.sent.failure && (out.sent.failure->stage == Stage::smtp_connect ||
                                            out.sent.failure->stage == Stage::smtp_greeting);
    if (!unreachable || dl.expired()) break;
  }
  out.tried = tried;
  return out;
}

}  // namespace mailprobe::check
