#include "smtp/envelope.hpp"

namespace mailprobe::smtp {

namespace {
bool ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

void end_with_crlf(std::string& out) {
  if (out.empty() || (out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0)) return;
  if (out.back() == '\r') out.push_back('\n');
  else out += "\r\n";
}
}  // namespace

EnvelopePlan plan_envelope(const EhloCaps& caps, const std::string& from, const std::string& to,
                           std::string_view message) {
  EnvelopePlan plan;
  plan.chunked = caps.chunking;
  plan.content = plan.chunked ? bdat_content(message) : data_content(message);
  std::string mail = "MAIL FROM:<" + from + ">";
  if (caps.size_advertised) mail += " SIZE=" + std::to_string(plan.chunked ? plan.content.size() : message.size());
  if (caps.smtputf8 && (!ascii(from) || !ascii(to))) mail += " SMTPUTF8";
  std::vector<std::string> cmds{mail, "RCPT TO:<" + to + ">",
                                plan.chunked ? "BDAT " + std::to_string(plan.content.size()) + " LAST" : "DATA"};
  if (caps.pipelining) {
    plan.flights.push_back(std::move(cmds));
  } else {
    for (auto& c : cmds) plan.flights.push_back({std::move(c)});
  }
  return plan;
}

bool not_taken(bool accepted, int replies, int last_code, bool connection_ended, bool used_before) {
  if (accepted) return false;
  if (replies == 0) return connection_ended && used_before;
  return replies == 1 && last_code == 421;
}

std::string data_content(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  end_with_crlf(out);
  out += ".\r\n";
  return out;
}

std::string bdat_content(std::string_view message) {
  std::string out(message);
  end_with_crlf(out);
  return out;
}

}  // namespace mailprobe::smtp
