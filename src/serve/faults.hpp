#pragma once

// Fault injection: deterministic misbehaviour for tests and rehearsals, so a
// client such as `mailprobe check` can be driven into every failure stage.
//
// Syntax (CLI flags, repeatable where it makes sense):
//   --smtp-reply CMD=CODE text   reply "CODE text" instead of handling CMD
//                                (CMD: GREETING EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT
//                                 DOT RSET NOOP VRFY QUIT; DOT = the reply after the data,
//                                 to its final dot or to BDAT LAST; BDAT = the reply to a
//                                 chunk, read whole first)
//   --smtp-drop CMD              close the connection, without a reply, when CMD arrives
//   --imap-reply CMD=NO text     tagged "NO text" (or BAD/OK) instead of handling CMD
//                                (CMD is the IMAP command name, e.g. LOGIN SELECT SEARCH
//                                 FETCH IDLE; for UID commands "UID FETCH" or "FETCH")
//   --imap-drop CMD              close the connection when CMD arrives (GREETING allowed)
//   --delay-delivery MS          accepted mail reaches the mailbox MS later
//   --junk-match STRING          mail whose header contains STRING goes to Junk
//   --slow-greeting MS           wait MS before the SMTP and IMAP greetings
//   --refuse-auth                every SMTP AUTH / IMAP LOGIN / AUTHENTICATE fails
//   --no-starttls                STARTTLS is neither offered nor accepted (SMTP and IMAP)
//   --no-idle                    IDLE is neither advertised nor accepted
//   --quit-delay MS              hold the closing SMTP reply (221 to QUIT, or a 421) MS,
//                                as Exim does with its 221 in plaintext
//   --no-uidplus-move            UIDPLUS and MOVE are not advertised; MOVE and UID EXPUNGE
//                                get BAD (a server with neither extension)
//   --session-messages N         after N accepted messages in one session, the next MAIL
//                                gets "421 4.7.0 Too many messages in this connection"
//                                and the connection closes (Exim's
//                                smtp_accept_max_per_connection)
//   --no-pipelining              PIPELINING is not advertised, and a client that sends a
//                                command before the previous one was answered gets 554 and
//                                is disconnected (a strict server, RFC 2920 §3.2 inverted)
//   --no-chunking                CHUNKING is not advertised and BDAT is refused (502): the
//                                client must fall back to DATA (RFC 3030 §2)

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::serve {

/// A canned reply: for SMTP the code and text; for IMAP the status (NO/BAD/OK) and text.
struct CannedReply {
  std::string code;  // "450" or "NO"
  std::string text;  // "4.2.0 try later"
  std::string line() const { return text.empty() ? code : code + " " + text; }
};

struct Faults {
  std::map<std::string, CannedReply> smtp_reply;  // key: upper-case command
  std::set<std::string> smtp_drop;
  std::map<std::string, CannedReply> imap_reply;
  std::set<std::string> imap_drop;
  std::chrono::milliseconds delay_delivery{0};
  std::vector<std::string> junk_match;
  std::chrono::milliseconds slow_greeting{0};
  bool refuse_auth = false;
  bool no_starttls = false;
  bool no_idle = false;
  std::chrono::milliseconds quit_delay{0};
  bool no_uidplus_move = false;
  bool no_pipelining = false;
  bool no_chunking = false;
  std::size_t session_messages = 0;  // 0: no limit

  /// Parses "CMD=CODE text" (SMTP: CODE is three digits) into smtp_reply. Fails with Stage::config.
  Status add_smtp_reply(std::string_view spec);
  /// Parses "CMD=NO text" (NO, BAD or OK) into imap_reply. Fails with Stage::config.
  Status add_imap_reply(std::string_view spec);
  /// Adds a command name to smtp_drop / imap_drop (upper-cased).
  Status add_smtp_drop(std::string_view cmd);
  Status add_imap_drop(std::string_view cmd);

  const CannedReply* smtp_override(std::string_view cmd) const;
  bool smtp_drops(std::string_view cmd) const;
  /// Looks up "UID FETCH" first, then "FETCH", for a UID command.
  const CannedReply* imap_override(std::string_view cmd, bool uid) const;
  bool imap_drops(std::string_view cmd, bool uid) const;
  /// True if the message header contains any junk_match string (case-sensitive substring).
  bool is_junk(std::string_view message) const;
};

}  // namespace mailprobe::serve
