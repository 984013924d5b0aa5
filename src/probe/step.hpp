#pragma once

// One command/reply exchange of a probe dialogue.

#include <cstdint>
#include <string>
#include <vector>

namespace mailprobe::probe {

struct Step {
  bool sent = false;         // the command went out (the greeting counts as sent)
  bool answered = false;     // a complete reply came back
  int code = 0;              // SMTP reply code; IMAP: 0
  std::string status;        // IMAP: OK / NO / BAD / BYE / PREAUTH; SMTP: ""
  std::string enhanced;      // RFC 3463 code of the first line, "" if none
  std::vector<std::string> lines;  // reply text, one entry per line, codes removed
  std::int64_t micros = -1;  // command sent -> last reply line; -1 = not measured

  /// The lines joined with "; ".
  std::string text() const;
  bool positive() const { return answered && code >= 200 && code < 300; }
};

}  // namespace mailprobe::probe
