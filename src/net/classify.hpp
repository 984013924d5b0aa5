#pragma once

// The product's core contract in one pure function: what a libcurl transfer
// of a mail leg saw (its CURLcode, the OS errno, whether TCP and implicit TLS
// came up, how far the dialogue got and the server's last words) becomes the
// (stage, result, reply code, text) every output format reports. No handle,
// no socket: the callers collect TransferFacts, tests feed them as a table.

#include <curl/curl.h>

#include <optional>
#include <string>

#include "core/failure.hpp"

namespace mailprobe::net {

enum class Leg { smtp, imap };

struct TransferFacts {
  Leg leg = Leg::smtp;
  CURLcode code = CURLE_OK;
  long os_errno = 0;            // CURLINFO_OS_ERRNO
  bool tcp_connected = false;   // "Connected to" logged, or CONNECT_TIME_T set
  bool tls_done = false;        // APPCONNECT_TIME_T set (the implicit handshake finished)
  bool implicit_tls = false;    // the leg's TLS mode is tls (not starttls/none)
  bool stopped = false;         // the stop flag (SIGTERM) aborted the transfer
  bool greeted = false;         // a server greeting line arrived
  Stage dialogue_stage = Stage::none;  // the stage the dialogue reached (from the lines seen)
  std::optional<int> last_code; // SMTP: code of the last complete reply (none: no reply yet)
  std::string last_text;        // SMTP: its text; IMAP: the text of the last tagged response
  bool awaiting_reply = false;  // SMTP: the last command sent has no reply yet
  bool no_auth_offered = false; // SMTP: aborted because credentials met an EHLO without AUTH
};

/// The stage a failed transfer is charged to: the dialogue's once greeted,
/// before that connect / tls / greeting from how far TCP and TLS got.
Stage current_stage(const TransferFacts& f);

/// The failure a transfer that did not complete stands for. Never returns
/// Result::success: callers call it only for a transfer that failed.
Failure classify(const TransferFacts& f);

}  // namespace mailprobe::net
