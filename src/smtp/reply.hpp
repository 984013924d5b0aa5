#pragma once

// SMTP reply parsing (RFC 5321 §4.2). Pure functions over lines that have
// already been split; no sockets. Shared by the sender (check) and the
// service-health probe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::smtp {

/// One reply line: "250-SIZE 1000" → {250, false, "SIZE 1000"}.
/// RFC 5321 §4.2: "code-" continues, "code SP" ends; a bare "code" (no text)
/// also ends the reply — some servers send it and curl accepts it too.
struct ReplyLine {
  int code = 0;
  bool last = true;
  std::string text;
};

/// Parses one line without its CRLF (a trailing CR/LF is tolerated).
/// nullopt if it does not start with three digits followed by '-', ' ' or end.
std::optional<ReplyLine> parse_reply_line(std::string_view line);

/// A complete (possibly multi-line) reply.
struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text of each line, without the code

  /// All lines joined with "; " — one line, suitable for a record field.
  std::string joined() const;
  /// The RFC 3463 enhanced status code at the start of the first line, e.g.
  /// "2.0.0", or "" if absent.
  std::string enhanced_code() const;
};

/// Collects reply lines until the last one. Lines whose code differs from
/// the first line's are a protocol violation: the reply still completes, with
/// the first code, and violation() turns true.
class ReplyAssembler {
 public:
  /// Feeds one raw line; returns the reply when it is complete.
  /// nullopt with violation() == true if the line is not a reply line at all.
  std::optional<Reply> feed(std::string_view line);
  bool violation() const { return violation_; }

 private:
  Reply partial_;
  bool started_ = false;
  bool violation_ = false;
};

/// The queue id from the text of a final DATA reply (without the code), in the
/// wording of each common MTA: Postfix "Ok: queued as 4Xb1Q2", Exim
/// "OK id=1r2s3t-000ABC-1x", Sendmail/OpenSMTPD "2.0.0 0dca316d Message
/// accepted for delivery", Exchange/M365 "<id@host>", Gmail "<token> - gsmtp",
/// Haraka "Message Queued (<uuid>)", Stalwart "Message queued with id <hex>".
/// "" if none is recognisable (never a word of the text, such as "Ok").
std::string queue_id_from(std::string_view text);

/// The extensions an EHLO reply advertises (RFC 5321 §4.1.1.1: the first line
/// is the greeting, each further line one keyword with parameters).
struct EhloCaps {
  bool starttls = false;
  bool pipelining = false;
  bool eightbitmime = false;
  bool smtputf8 = false;
  bool chunking = false;
  bool dsn = false;
  bool requiretls = false;
  bool enhancedstatuscodes = false;
  bool size_advertised = false;
  long long size = 0;                    // SIZE parameter; 0 = no limit given
  std::vector<std::string> auth;         // mechanisms, upper-case
  std::vector<std::string> keywords;     // every keyword line, as sent
};

EhloCaps parse_ehlo(const Reply& reply);

}  // namespace mailprobe::smtp
