#include "app/render.hpp"

#include "check/check_fields.hpp"
#include "check/legacy_influx.hpp"
#include "core/exit_code.hpp"
#include "report/influx.hpp"
#include "report/json.hpp"
#include "report/nagios.hpp"
#include "report/nagios_range.hpp"
#include "report/prometheus.hpp"
#include "report/text.hpp"
#include "report/textfile.hpp"

namespace mailprobe::app {

using report::OutputFormat;

std::string render_record(const report::Record& rec, OutputFormat f) {
  switch (f) {
    case OutputFormat::json: {
      std::string out = report::to_json(rec);
      if (out.empty() || out.back() != '\n') out += '\n';
      return out;
    }
    case OutputFormat::influx: return report::to_influx(rec);
    case OutputFormat::text: return report::to_text(rec);
    case OutputFormat::prometheus: return report::to_prometheus(rec);
    case OutputFormat::nagios: return {};
  }
  return {};
}

std::string render_records(std::span<const report::Record> recs, OutputFormat f) {
  if (f == OutputFormat::prometheus) return report::to_prometheus(recs);
  std::string out;
  for (const auto& rec : recs) out += render_record(rec, f);
  return out;
}

Rendered render(const check::CheckConfig& cfg, const check::CheckReport& r) {
  Rendered out;
  out.exit_code = to_int(r.success ? ExitCode::ok : ExitCode::check_failed);
  if (r.failure.result == Result::internal_error) out.exit_code = to_int(ExitCode::internal);
  report::Record rec = check::to_record(r);
  switch (cfg.format) {
    case OutputFormat::json:
    case OutputFormat::text:
      out.out = render_record(rec, cfg.format);
      break;
    case OutputFormat::influx:
      out.out = cfg.schema == check::Schema::legacy ? check::legacy_influx(r) : report::to_influx(rec);
      break;
    case OutputFormat::prometheus: {
      std::string body = report::to_prometheus(rec);
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
      auto n = report::to_nagios(rec, "MAIL", warn, crit, "delivery_seconds");
      out.out = n.text;
      out.exit_code = n.exit_code;
      break;
    }
  }
  return out;
}

}  // namespace mailprobe::app
