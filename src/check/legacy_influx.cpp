#include "check/legacy_influx.hpp"

#include "report/influx.hpp"

namespace mailprobe::check {

std::string legacy_influx(const CheckReport& r) {
  using report::escape_tag;
  auto us = [](const Stamp& a, const Stamp& b) { return std::to_string(micros_between(a, b)); };
  return "mail-e2e,email-from=" + escape_tag(r.email_from) + ",email-to=" + escape_tag(r.email_to) +
         ",smtp=" + escape_tag(r.smtp_server) + ",imap=" + escape_tag(r.imap_server) +
         " success=" + (r.success ? "1" : "0") + ",total_dur=" + us(r.start, r.end) +
         ",smtp_dur=" + us(r.start_smtp, r.start_imap) + ",imap_dur=" + us(r.start_imap_search, r.end) + "\n";
}

}  // namespace mailprobe::check
