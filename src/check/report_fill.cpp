#include "check/report_fill.hpp"

namespace mailprobe::check {

CheckReport start_report(const CheckConfig& cfg) {
  CheckReport r;
  r.start = Stamp::now();
  r.route = cfg.route;
  r.source = cfg.source;
  r.tags = cfg.tags;
  r.email_from = cfg.email_from;
  r.email_to = cfg.email_to;
  r.smtp_server = cfg.smtp.authority();
  r.imap_server = cfg.imap.authority();
  r.smtp_tls = std::string(net::to_string(cfg.smtp.tls));
  r.imap_tls = std::string(net::to_string(cfg.imap.tls));
  r.mailbox = cfg.mailbox;
  r.cleanup = "none";
  return r;
}

void fail(CheckReport& r, Failure f) {
  r.success = false;
  r.failure = std::move(f);
}

void finish_report(CheckReport& r) {
  r.finish = Stamp::now();
  if (!r.end.set()) r.end = r.finish;
  r.total_us = micros_between(r.start, r.end);
}

void copy_smtp(CheckReport& r, const smtp::SendReport& sent) {
  r.queue_id = sent.queue_id;
  r.smtp_reply_code = sent.final_code;
  r.smtp_reply = sent.final_text;
  r.smtp_ip = sent.ip;
  r.smtp_tls_version = sent.tls_version;
  r.smtp_tls_cipher = sent.tls_cipher;
  r.smtp_dns_us = sent.dns_us;
  r.smtp_connect_us = sent.connect_us;
  r.smtp_tls_us = sent.tls_us;
  r.smtp_greeting_us = sent.greeting_us;
  r.smtp_auth_us = sent.auth_us;
  r.smtp_transaction_us = sent.transaction_us;
  r.smtp_data_us = sent.data_us;
}

void copy_imap(CheckReport& r, const ImapLeg& leg) {
  r.imap_connect_us = leg.info.connect_us;
  r.imap_tls_us = leg.info.tls_us;
  r.imap_login_us = leg.info.login_us;
  r.imap_ip = leg.info.ip;
  r.imap_tls_version = leg.tls_version;
  r.imap_tls_cipher = leg.tls_cipher;
  r.imap_select_us = leg.select_us;
  r.imap_idle_supported = leg.caps.count("IDLE") > 0;
}

void found_verdict(CheckReport& r, const CheckConfig& cfg) {
  if (r.placement == "junk") {
    // Delivered, but filed as spam: its own result so users can alert on it.
    r.success = !cfg.junk_is_failure;
    r.failure = Failure(Stage::done, Result::junk, "delivered to " + r.junk_mailbox);
  } else {
    r.success = true;
    r.failure = Failure(Stage::done, Result::success);
  }
}

}  // namespace mailprobe::check
