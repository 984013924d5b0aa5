#include "probe/transcript.hpp"

#include <array>
#include <cctype>

#include "core/ascii.hpp"

namespace mailprobe::probe {

namespace {

constexpr std::array<std::string_view, 11> kSmtpVerbs = {
    "HELO", "STARTTLS", "NOOP", "QUIT", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "BDAT", "HELP"};
constexpr std::array<std::string_view, 12> kImapVerbs = {
    "CAPABILITY", "STARTTLS", "NOOP", "LOGOUT", "LOGIN", "AUTHENTICATE",
    "SELECT", "EXAMINE", "LIST", "UID", "SEARCH", "ID"};

bool is_imap_tag(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::string redact_command(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  auto sp = line.find(' ');
  std::string first = ascii_upper(line.substr(0, sp));
  // EHLO's argument is our own host name: keep it, the seed shows it.
  if (first == "EHLO") return std::string(line);
  for (auto v : kSmtpVerbs)
    if (first == v) return first;
  if (sp != std::string_view::npos && is_imap_tag(line.substr(0, sp))) {
    std::string_view rest = line.substr(sp + 1);
    std::string verb = ascii_upper(rest.substr(0, rest.find(' ')));
    for (auto v : kImapVerbs)
      if (verb == v) return std::string(line.substr(0, sp)) + " " + verb;
  }
  return "<redacted>";
}

SteadyClock::time_point greeting_anchor(const Transcript& t, SteadyClock::time_point from) {
  for (const auto& ev : t)
    if (ev.dir == Dir::in) return ev.at < from ? ev.at : from;
  return from;
}

std::int64_t micros(SteadyClock::time_point a, SteadyClock::time_point b) {
  if (a == SteadyClock::time_point{} || b == SteadyClock::time_point{} || b < a) return -1;
  return std::chrono::duration_cast<Micros>(b - a).count();
}

}  // namespace mailprobe::probe
