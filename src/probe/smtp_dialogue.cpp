#include "probe/smtp_dialogue.hpp"

#include <string_view>

namespace mailprobe::probe {

SmtpDialogue analyze_smtp(const Transcript& transcript, SteadyClock::time_point greeting_from) {
  SmtpDialogue d;
  smtp::ReplyAssembler assembler;
  Step* pending = &d.greeting;
  SteadyClock::time_point sent_at = greeting_from;
  d.greeting.sent = true;
  bool starttls_accepted = false;
  SteadyClock::time_point starttls_reply_at{};
  SteadyClock::time_point tls_up_at{};

  for (const auto& ev : transcript) {
    if (ev.dir == Dir::tls_up) {
      if (tls_up_at == SteadyClock::time_point{}) tls_up_at = ev.at;
      continue;
    }
    if (ev.dir == Dir::out) {
      std::string_view cmd = ev.line;
      Step* step = nullptr;
      if (cmd.rfind("EHLO", 0) == 0) {
        // RFC 3207 §4.2: after a 220 to STARTTLS the client issues EHLO again.
        step = starttls_accepted ? &d.ehlo_tls : &d.ehlo;
        if (starttls_accepted && tls_up_at == SteadyClock::time_point{}) tls_up_at = ev.at;
      } else if (cmd == "HELO") {
        step = &d.helo;
      } else if (cmd == "STARTTLS") {
        step = &d.starttls;
      } else if (cmd == "NOOP") {
        step = &d.noop;
      } else if (cmd == "QUIT") {
        step = &d.quit;
      }
      if (step != nullptr) step->sent = true;
      pending = step;
      sent_at = ev.at;
      assembler = smtp::ReplyAssembler{};
      continue;
    }
    auto reply = assembler.feed(ev.line);
    if (assembler.violation()) d.violation = true;
    if (!reply) continue;
    if (pending == nullptr || pending->answered) continue;  // a reply we did not ask for
    pending->answered = true;
    pending->code = reply->code;
    pending->enhanced = reply->enhanced_code();
    pending->lines = reply->lines;
    pending->micros = micros(sent_at, ev.at);
    if (pending == &d.ehlo && reply->code == 250) d.caps = smtp::parse_ehlo(*reply);
    if (pending == &d.ehlo_tls && reply->code == 250) d.caps_tls = smtp::parse_ehlo(*reply);
    if (pending == &d.starttls && reply->code == 220) {
      starttls_accepted = true;
      starttls_reply_at = ev.at;
    }
    pending = nullptr;
  }
  if (starttls_accepted) d.tls_handshake_us = micros(starttls_reply_at, tls_up_at);
  return d;
}

}  // namespace mailprobe::probe
