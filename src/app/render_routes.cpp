#include "app/render_routes.hpp"

#include <vector>

#include "check/check_fields.hpp"
#include "check/legacy_influx.hpp"
#include "core/exit_code.hpp"
#include "report/nagios.hpp"
#include "report/nagios_range.hpp"
#include "report/prometheus.hpp"
#include "report/text_table.hpp"
#include "report/textfile.hpp"

namespace mailprobe::app {

using report::OutputFormat;

Rendered render_routes(const check::CheckConfig& cfg, std::span<const check::CheckReport> reports) {
  Rendered out;
  std::vector<report::Record> recs;
  recs.reserve(reports.size());
  bool all_ok = true, internal = false;
  for (const auto& r : reports) {
    recs.push_back(check::to_record(r));
    all_ok = all_ok && r.success;
    internal = internal || r.failure.result == Result::internal_error;
  }
  out.exit_code = to_int(internal ? ExitCode::internal : all_ok ? ExitCode::ok : ExitCode::check_failed);
  switch (cfg.format) {
    case OutputFormat::json:
      out.out = render_records(recs, cfg.format);
      break;
    case OutputFormat::influx:
      if (cfg.schema == check::Schema::legacy) {
        for (const auto& r : reports) out.out += check::legacy_influx(r);
      } else {
        out.out = render_records(recs, cfg.format);
      }
      break;
    case OutputFormat::text:
      out.out = report::to_text_table(recs, "route", "delivery_seconds", "total_seconds");
      break;
    case OutputFormat::prometheus: {
      std::string body = report::to_prometheus(std::span<const report::Record>(recs));
      if (cfg.textfile.empty()) {
        out.out = body;
      } else if (auto st = report::write_textfile(cfg.textfile, body); !st) {
        out.error = "cannot write --textfile: " + st.error().reply_text;
        out.exit_code = to_int(ExitCode::internal);
      }
      break;
    }
    case OutputFormat::nagios: {
      std::optional<report::Range> warn, crit;
      if (!cfg.warning.empty()) warn = report::parse_range(cfg.warning).value();
      if (!cfg.critical.empty()) crit = report::parse_range(cfg.critical).value();
      auto n = report::to_nagios(std::span<const report::Record>(recs), "MAIL", warn, crit, "delivery_seconds", "route");
      out.out = n.text;
      out.exit_code = n.exit_code;
      break;
    }
  }
  return out;
}

}  // namespace mailprobe::app
