#pragma once

// IMAP4rev1 command syntax (RFC 3501 §9) for the server side: a tokenizer over
// one complete command (literals already inlined as "{n}\r\n<n octets>"),
// sequence sets, flag lists and quoting for responses.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::serve::imap {

/// One argument: an atom (BODY[HEADER.FIELDS (A B)] is one atom), a quoted or
/// literal string, or a parenthesized list.
struct Token {
  enum class Kind { atom, string, list };
  Kind kind = Kind::atom;
  std::string text;           // atom or string value
  std::vector<Token> items;   // list members
  bool is_atom(std::string_view upper) const;  // case-insensitive atom match
  bool is_text() const { return kind != Kind::list; }
};

/// Tokenizes a whole command; nullopt on syntax errors (unbalanced parens, bad literal, bad quote).
std::optional<std::vector<Token>> tokenize(std::string_view command);

/// If a command line ends in a literal announcement "{n}" or "{n+}" (RFC 3501 §4.3,
/// RFC 7888 LITERAL+), its size and whether it is non-synchronizing.
struct LiteralSpec {
  std::uint64_t size = 0;
  bool non_sync = false;
};
std::optional<LiteralSpec> trailing_literal(std::string_view line);

/// A parsed sequence set (RFC 3501 §9 sequence-set) as inclusive ranges.
struct SeqSet {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  bool contains(std::uint32_t n) const;
};
/// Parses "1,3:5,7:*"; `star` is the value of "*". nullopt on syntax errors or 0.
std::optional<SeqSet> parse_seq_set(std::string_view s, std::uint32_t star);
/// Formats ascending numbers compactly: {1,2,3,5} -> "1:3,5".
std::string format_uid_set(const std::vector<std::uint32_t>& ids);

/// LIST/LSUB pattern match (RFC 3501 §6.3.8): '*' and '%' match any run of
/// characters (there is no hierarchy below the top level here), other
/// characters match ASCII case-insensitively. O(|pattern| x |name|) time and
/// no recursion, whatever the pattern (issue 17, D3).
bool list_match(std::string_view pattern, std::string_view name);

/// An astring for a response: atom if safe, else quoted, else a literal.
std::string quote(std::string_view s);
/// "{n}\r\n" + bytes (RFC 3501 §4.3).
std::string literal(std::string_view bytes);
/// "(\Seen \Deleted)".
std::string flag_list(const std::vector<std::string>& flags);
/// INTERNALDATE form "17-Jul-1996 02:44:25 +0000" (RFC 3501 §9 date-time), UTC.
std::string internal_date(std::int64_t unix_seconds);
/// Parses an APPEND date-time " 7-Feb-1994 21:52:25 -0800" (RFC 3501 §9,
/// the quotes already removed) to Unix seconds; nullopt if invalid.
std::optional<std::int64_t> parse_date_time(std::string_view s);
/// Parses a search date "1-Feb-1994" to days since the epoch; nullopt if invalid.
std::optional<std::int64_t> parse_date_days(std::string_view s);

}  // namespace mailprobe::serve::imap
