#pragma once

// IMAP4rev1 server responses (RFC 3501 §7), parsed without touching a
// socket. ResponseReader accumulates bytes and yields complete responses,
// with literals (`{n}` CRLF then n octets, §4.3) gathered into the response
// they belong to.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::imap {

struct Response {
  enum class Kind { untagged, tagged, continuation };
  Kind kind = Kind::untagged;
  std::string tag;                    // tagged only
  std::string text;                   // the line after "* ", "<tag> " or "+ "; literals shown as {n}
  std::vector<std::string> literals;  // literal payloads, in order

  /// For tagged and untagged status responses: OK, NO, BAD, BYE, PREAUTH
  /// (upper-case), or "" if the response is not a status response.
  std::string status() const;
  /// The text after the status word (and after a [response-code], if any).
  std::string status_text() const;
};

/// Splits a byte stream into responses. Work is linear in the bytes fed:
/// each call resumes where the last one stopped, so a server that trickles an
/// endless chain of `{1}` literals costs no rescans (issue 17, D9). Memory is
/// bounded too: a line, a literal or a whole response over its limit sets
/// overflow(), after which next() yields nothing more.
class ResponseReader {
 public:
  /// Appends raw bytes; complete responses become available via next().
  void feed(std::string_view bytes);
  /// The next complete response, if any.
  std::optional<Response> next();
  /// A line longer than this (without literals) is a protocol error.
  static constexpr std::size_t kMaxLine = 1 << 20;
  /// One announced literal larger than this is a protocol error (a probe
  /// message is a few kB; --max-size style limits of servers are ~50 MiB).
  static constexpr std::size_t kMaxLiteral = 64u << 20;
  /// One response, all lines and literals together, larger than this is one.
  static constexpr std::size_t kMaxResponse = 96u << 20;
  bool overflow() const { return overflow_; }

 private:
  void reset_response();

  std::string buf_;
  std::size_t scan_ = 0;       // start of the unparsed part of the current response in buf_
  std::size_t lf_from_ = 0;    // where to resume looking for the line end (>= scan_)
  std::string line_;           // the current response's text so far
  std::vector<std::string> literals_;
  std::size_t literal_bytes_ = 0;       // total size of literals_
  std::optional<std::size_t> literal_;  // size of the literal now being received
  bool overflow_ = false;
};

// --- Interpreting untagged data (RFC 3501 §7.2-7.4) ---

/// "n EXISTS" → n.
std::optional<std::uint32_t> exists_count(const Response& r);
/// "n EXPUNGE" → n (RFC 3501 §7.4.1).
std::optional<std::uint32_t> expunge_number(const Response& r);
/// "SEARCH 3 7 9" → {3, 7, 9}; "SEARCH" → {}. nullopt if not a SEARCH response.
std::optional<std::vector<std::uint32_t>> search_result(const Response& r);
/// "CAPABILITY IMAP4rev1 IDLE ..." or a "[CAPABILITY ...]" code → upper-case set.
std::optional<std::set<std::string>> capabilities(const Response& r);
/// A numeric response code inside "[...]": e.g. code_number(r, "UIDNEXT").
std::optional<std::uint32_t> code_number(const Response& r, std::string_view code);
/// For "n FETCH (... UID u ...)": u.
std::optional<std::uint32_t> fetch_uid(const Response& r);
/// For "n FETCH (...)": n, the message sequence number (RFC 3501 §7.4.2).
std::optional<std::uint32_t> fetch_number(const Response& r);
/// "LIST (\HasNoChildren \Junk) "/" Junk" → attributes (as sent) and name (unquoted).
struct ListEntry {
  std::vector<std::string> attributes;
  std::string name;
};
std::optional<ListEntry> list_entry(const Response& r);

// --- Building commands ---

/// An astring argument (RFC 3501 §9): atom when safe, quoted otherwise.
/// Returns nullopt for values that need a literal (CR, LF, NUL, 8-bit).
std::optional<std::string> astring(std::string_view s);

}  // namespace mailprobe::imap
