#include "policy/expect_run.hpp"

namespace mailprobe::policy {

net::SmtpDialogueRequest dialogue_request(const Expectation& e, const ExpectConfig& c) {
  net::SmtpDialogueRequest r;
  r.host = c.host;
  r.port = c.port;
  // tls_required talks plaintext on purpose; the others use the probe's mode.
  r.tls = e.kind == ExpectKind::tls_required ? net::TlsMode::none : c.tls;
  r.ca_file = c.ca_file;
  r.insecure = c.insecure;
  r.timeout = c.timeout;
  r.ehlo_name = c.ehlo_name;
  r.redact = c.redact;
  if (e.kind == ExpectKind::auth_refused) {
    r.username = c.username;
    r.password = c.password;
  } else {
    r.mail_from = c.mail_from;
    r.rcpt = e.address;
  }
  return r;
}

ExpectOutcome judge_run(const Expectation& e, const net::SmtpDialogueResult& run) {
  auto dialogue = pair_replies(run.lines);
  if (dialogue.empty() && !run.completed) return {false, 0, "no dialogue: " + run.error};
  if (run.data_reached && (dialogue.empty() || dialogue.back().verb != "DATA")) {
    // The 354 came through the header callback but was not logged as a line.
    dialogue.push_back({"DATA", 354, ""});
  }
  auto out = judge_dialogue(e.kind, dialogue);
  if (!out.met && out.reply_code == 0 && !run.completed) out.detail += " (" + run.error + ")";
  return out;
}

ExpectOutcome run_expectation(const Expectation& e, const ExpectConfig& c) {
  return judge_run(e, net::run_smtp_dialogue(dialogue_request(e, c)));
}

}  // namespace mailprobe::policy
