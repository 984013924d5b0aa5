#pragma once

// How the receiving side judged the probe: Authentication-Results (RFC 8601)
// for SPF, DKIM and DMARC, and the common spam-filter headers.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailprobe::insight {

/// One resinfo (RFC 8601 §2.2): "dkim=pass (comment) header.d=example.org".
struct MethodResult {
  std::string method;  // lower-case: spf, dkim, dmarc, arc, ...
  std::string result;  // lower-case: pass, fail, softfail, neutral, none, temperror, permerror, policy, ...
  std::string reason;  // reason= value, if any
  std::vector<std::pair<std::string, std::string>> properties;  // "header.d" → "example.org"
};

/// One Authentication-Results field.
struct AuthResultsField {
  std::string authserv_id;  // "" when missing (Microsoft 365 writes none)
  std::vector<MethodResult> results;  // empty for "none" (§2.2)
};

/// Parses one unfolded Authentication-Results value: comments (nested,
/// counted iteratively) are dropped, quoted strings kept as one value, an
/// optional version after the authserv-id skipped. Never throws.
AuthResultsField parse_auth_results_value(std::string_view value);

struct Verdicts {
  std::optional<std::string> spf, dkim, dmarc;  // the result words
  std::string authserv_id;  // of the Authentication-Results field used ("" if none)
  std::optional<double> spam_score;
  std::optional<bool> spam_flag;
};

/// Reads a raw header section. The first (top-most) Authentication-Results
/// field whose authserv-id is in `trusted` (case-insensitive) is used; with an
/// empty `trusted` the top-most field is used (the one the final receiving
/// server added, RFC 8601 §5). Within it, spf and dmarc are the first result
/// of their method; dkim is "pass" if any signature passed, else the first.
///
/// Spam: spam_score from the first of X-Spam-Status "score=" (or "hits="),
/// X-Spam-Score, X-Rspamd-Score; spam_flag from X-Spam-Flag (YES/NO), else
/// X-Spam-Status's leading Yes/No, else X-Spam (rspamd: Yes/No).
Verdicts parse_verdicts(std::string_view header_block, const std::set<std::string>& trusted = {});

/// A decimal number at the start of s ("5.2", "-0.3", "(3.1)" → 3.1).
/// nullopt if there is none or it is not finite.
std::optional<double> leading_number(std::string_view s);

}  // namespace mailprobe::insight
