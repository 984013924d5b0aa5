#include "serve/faults.hpp"

#include "core/slice.hpp"

#include "serve/users.hpp"

namespace mailprobe::serve {

namespace {

const std::set<std::string>& smtp_commands() {
  static const std::set<std::string> k = {"GREETING", "EHLO", "HELO", "STARTTLS", "AUTH",
                                          "MAIL",     "RCPT", "DATA", "BDAT",     "DOT",      "RSET",
                                          "NOOP",     "VRFY", "QUIT", "HELP"};
  return k;
}

Failure bad(std::string what) { return Failure(Stage::config, Result::internal_error, std::move(what)); }

bool split_spec(std::string_view spec, std::string& cmd, std::string& code, std::string& text) {
  auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  cmd = ascii_upper(slice(spec, 0, eq));
  std::string_view rest = slice(spec, eq + 1);
  auto sp = rest.find(' ');
  code = std::string(slice(rest, 0, sp));
  text = sp == std::string_view::npos ? std::string() : std::string(slice(rest, sp + 1));
  return !code.empty();
}

}  // namespace

Status Faults::add_smtp_reply(std::string_view spec) {
  std::string cmd, code, text;
  if (!split_spec(spec, cmd, code, text))
    return bad("--smtp-reply expects CMD=CODE text, got '" + std::string(spec) + "'");
  if (!smtp_commands().count(cmd)) return bad("--smtp-reply: unknown SMTP command '" + cmd + "'");
  if (code.size() != 3 || code[0] < '2' || code[0] > '5' || code[1] < '0' || code[1] > '9' ||
      code[2] < '0' || code[2] > '9')
    return bad("--smtp-reply: reply code must be 3 digits 2xx-5xx, got '" + code + "'");
  smtp_reply[cmd] = {code, text};
  return ok();
}

Status Faults::add_imap_reply(std::string_view spec) {
  std::string cmd, code, text;
  if (!split_spec(spec, cmd, code, text))
    return bad("--imap-reply expects CMD=NO text, got '" + std::string(spec) + "'");
  code = ascii_upper(code);
  if (code != "NO" && code != "BAD" && code != "OK")
    return bad("--imap-reply: status must be NO, BAD or OK, got '" + code + "'");
  imap_reply[cmd] = {code, text.empty() ? std::string("injected failure") : text};
  return ok();
}

Status Faults::add_smtp_drop(std::string_view cmd) {
  std::string c = ascii_upper(cmd);
  if (!smtp_commands().count(c)) return bad("--smtp-drop: unknown SMTP command '" + c + "'");
  smtp_drop.insert(c);
  return ok();
}

Status Faults::add_imap_drop(std::string_view cmd) {
  if (cmd.empty()) return bad("--imap-drop needs a command name");
  imap_drop.insert(ascii_upper(cmd));
  return ok();
}

const CannedReply* Faults::smtp_override(std::string_view cmd) const {
  auto it = smtp_reply.find(std::string(cmd));
  return it == smtp_reply.end() ? nullptr : &it->second;
}

bool Faults::smtp_drops(std::string_view cmd) const { return smtp_drop.count(std::string(cmd)) > 0; }

const CannedReply* Faults::imap_override(std::string_view cmd, bool uid) const {
  if (uid) {
    auto it = imap_reply.find("UID " + std::string(cmd));
    if (it != imap_reply.end()) return &it->second;
  }
  auto it = imap_reply.find(std::string(cmd));
  return it == imap_reply.end() ? nullptr : &it->second;
}

bool Faults::imap_drops(std::string_view cmd, bool uid) const {
  if (uid && imap_drop.count("UID " + std::string(cmd))) return true;
  return imap_drop.count(std::string(cmd)) > 0;
}

bool Faults::is_junk(std::string_view message) const {
  if (junk_match.empty()) return false;
  auto end = message.find("\r\n\r\n");
  std::string_view header = end == std::string_view::npos ? message : slice(message, 0, end + 2);
  for (const auto& m : junk_match)
    if (!m.empty() && header.find(m) != std::string_view::npos) return true;
  return false;
}

}  // namespace mailprobe::serve
