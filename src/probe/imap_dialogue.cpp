#include "probe/imap_dialogue.hpp"

#include <string_view>

#include "core/ascii.hpp"

namespace mailprobe::probe {

namespace {

std::string_view trim_eol(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

/// The list inside "[CAPABILITY ...]" at the start of a response text, if any.
std::optional<std::string_view> capability_code(std::string_view text) {
  if (text.empty() || text.front() != '[') return std::nullopt;
  auto close = text.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view inner = text.substr(1, close - 1);
  if (ascii_upper(inner.substr(0, 11)) != "CAPABILITY ") return std::nullopt;
  return inner.substr(11);
}

}  // namespace

bool ImapCaps::has(std::string_view cap) const {
  std::string u = ascii_upper(cap);
  for (const auto& c : all)
    if (c == u) return true;
  return false;
}

bool ImapCaps::login_possible() const { return !auth.empty() || !has("LOGINDISABLED"); }

ImapCaps parse_imap_caps(std::string_view list) {
  ImapCaps caps;
  std::size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && list[pos] == ' ') ++pos;
    auto end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (end > pos) {
      std::string cap = ascii_upper(list.substr(pos, end - pos));
      if (cap.rfind("AUTH=", 0) == 0) caps.auth.push_back(cap.substr(5));
      caps.all.push_back(std::move(cap));
    }
    pos = end;
  }
  return caps;
}

ImapDialogue analyze_imap(const Transcript& transcript, SteadyClock::time_point greeting_from) {
  ImapDialogue d;
  d.greeting.sent = true;
  Step* pending = nullptr;
  std::string pending_tag;
  SteadyClock::time_point sent_at{};
  bool starttls_ok = false;
  SteadyClock::time_point starttls_reply_at{}, tls_up_at{};

  auto set_caps = [&](std::string_view list) {
    // Once LOGIN/AUTHENTICATE is under way, a capability list (untagged, or
    // the code of its tagged OK) describes the logged-in state: keep it apart.
    // Capabilities learned after a successful STARTTLS replace the old ones.
    if (pending == &d.login) d.caps_login = parse_imap_caps(list);
    else if (d.login.answered && d.login.status == "OK") d.caps_login = parse_imap_caps(list);
    else if (starttls_ok) d.caps_tls = parse_imap_caps(list);
    else d.caps = parse_imap_caps(list);
  };

  for (const auto& ev : transcript) {
    if (ev.dir == Dir::tls_up) {
      if (tls_up_at == SteadyClock::time_point{}) tls_up_at = ev.at;
      continue;
    }
    if (ev.dir == Dir::out) {
      std::string_view cmd = ev.line;
      auto sp = cmd.find(' ');
      if (sp == std::string_view::npos) continue;  // continuation data, redacted
      std::string verb(cmd.substr(sp + 1));
      Step* step = nullptr;
      if (verb == "CAPABILITY") step = starttls_ok ? &d.capability_tls : &d.capability;
      else if (verb == "STARTTLS") step = &d.starttls;
      else if (verb == "LOGIN" || verb == "AUTHENTICATE") step = &d.login;
      else if (verb == "NOOP") step = &d.noop;
      else if (verb == "LOGOUT") step = &d.logout;
      if (step == &d.capability_tls && tls_up_at == SteadyClock::time_point{}) tls_up_at = ev.at;
      if (step != nullptr) step->sent = true;
      pending = step;
      pending_tag = std::string(cmd.substr(0, sp));
      sent_at = ev.at;
      continue;
    }
    std::string_view line = trim_eol(ev.line);
    if (line.rfind("* ", 0) == 0) {
      std::string_view rest = line.substr(2);
      auto sp = rest.find(' ');
      std::string kind = ascii_upper(rest.substr(0, sp));
      std::string_view text = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
      if (!d.greeting.answered && (kind == "OK" || kind == "PREAUTH" || kind == "BYE")) {
        // RFC 3501 §7.1: the greeting is untagged OK, PREAUTH or BYE.
        d.greeting.answered = true;
        d.greeting.status = kind;
        d.greeting.lines = {std::string(text)};
        d.greeting.micros = micros(greeting_from, ev.at);
        if (auto list = capability_code(text)) set_caps(*list);
      } else if (kind == "CAPABILITY") {
        set_caps(text);
      } else if (kind == "BYE" && pending != nullptr) {
        pending->lines.emplace_back(text);
      }
      continue;
    }
    if (line.rfind("+", 0) == 0) continue;  // continuation request (SASL)
    auto sp = line.find(' ');
    if (sp == std::string_view::npos || pending == nullptr || line.substr(0, sp) != pending_tag) {
      if (!d.greeting.answered || pending == nullptr) d.violation = true;
      continue;
    }
    std::string_view rest = line.substr(sp + 1);
    auto sp2 = rest.find(' ');
    std::string status = ascii_upper(rest.substr(0, sp2));
    std::string_view text = sp2 == std::string_view::npos ? "" : rest.substr(sp2 + 1);
    pending->answered = true;
    pending->status = status;
    pending->lines.emplace_back(text);
    pending->micros = micros(sent_at, ev.at);
    if (status == "OK") {
      if (auto list = capability_code(text)) set_caps(*list);
      if (pending == &d.starttls) {
        starttls_ok = true;
        starttls_reply_at = ev.at;
      }
    }
    pending = nullptr;
  }
  if (starttls_ok) d.tls_handshake_us = micros(starttls_reply_at, tls_up_at);
  return d;
}

}  // namespace mailprobe::probe
