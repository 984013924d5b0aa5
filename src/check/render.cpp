#include "check/render.hpp"

#include "check/check_fields.hpp"
#include "report/influx.hpp"
#include "report/json.hpp"
#include "report/nagios.hpp"
#include "report/nagios_range.hpp"
#include "report/prometheus.hpp"
#include "report/text.hpp"
#include "report/textfile.hpp"

namespace mailprobe::check {

std::string legacy_influx(const CheckReport& r) {
  using report::escape_tag;
  auto us = [](const Stamp& a, const Stamp& b) { return std::to_string(micros_between(a, b)); };
  return "mail-e2e,email-from=" + escape_tag(r.email_from) + ",email-to=" + escape_tag(r.email_to) +
         ",smtp=" + escape_tag(r.smtp_server) + ",imap=" + escape_tag(r.imap_server) +
         " success=" + (r.success ? "1" : "0") + ",total_dur=" + us(r.start, r.end) +
         ",smtp_dur=" + us(r.start_smtp, r.start_imap) + ",imap_dur=" + us(r.start_imap_search, r.end) + "\n";
}

Rendered render(const CheckConfig& cfg, const CheckReport& r) {
  Rendered out;
  out.exit_code = to_int(r.success ? ExitCode::ok : ExitCode::check_failed);
  if (r.failure.result == Result::internal_error) out.exit_code = to_int(ExitCode::internal);
  report::Record rec = to_record(r);
  switch (cfg.format) {
    case OutputFormat::json:
      out.out = report::to_json(rec);
      if (out.out.empty() || out.out.back() != '\n') out.out += '\n';
      break;
    case OutputFormat::influx:
      out.out = cfg.schema == Schema::legacy ? legacy_influx(r) : report::to_influx(rec);
      break;
    case OutputFormat::text:
      out.out = cfg.verbose ? report::to_text(rec) : report::to_text_summary(rec, check_text_layout(), cfg.text_style);
      break;
    case OutputFormat::prometheus: {
      if (cfg.textfile.empty()) {
        out.out = report::to_prometheus(rec);
      } else if (auto st = report::write_prometheus_textfile(cfg.textfile, std::span<const report::Record>(&rec, 1));
                 !st) {
        out.error = "cannot write --textfile: " + st.error().reply_text;
        out.exit_code = to_int(ExitCode::internal);
      }
      break;
    }
    case OutputFormat::nagios: {
      std::optional<report::Range> warn, crit;
      if (!cfg.warning.empty()) warn = report::parse_range(cfg.warning).value();
      if (!cfg.critical.empty()) crit = report::parse_range(cfg.critical).value();
      auto n = report::to_nagios(rec, "MAIL", warn, crit, "delivery_seconds");
      out.out = n.text;
      out.exit_code = n.exit_code;
      break;
    }
  }
  return out;
}

}  // namespace mailprobe::check
