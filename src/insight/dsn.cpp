#include "insight/dsn.hpp"

#include <array>
#include <vector>

#include "insight/header_block.hpp"
#include "insight/mime_decode.hpp"

namespace mailprobe::insight {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool bounce_subject(std::string_view subject) {
  static constexpr std::array<std::string_view, 9> kSubjects = {
      "Undelivered Mail Returned to Sender", "Delivery Status Notification (Failure)",
      "Delivery Status Notification (Delay)", "Mail delivery failed", "Undeliverable:",
      "failure notice", "Returned mail:", "Delivery Failure",
      "Delivery status notification:"};  // OpenSMTPD: "…: error" / "…: failed"
  for (auto s : kSubjects)
    if (ifind(subject, s) != std::string_view::npos) return true;
  return false;
}

/// One MIME entity to visit: its raw bytes (headers + body) and depth.
struct Part {
  std::string raw;
  int depth;
};

/// Splits a multipart body on --boundary lines (RFC 2046 §5.1.1); the
/// preamble and epilogue are dropped.
std::vector<std::string> split_multipart(std::string_view body, std::string_view boundary) {
  std::vector<std::string> parts;
  if (boundary.empty() || boundary.size() > 200) return parts;
  std::string delim = "--" + std::string(boundary);
  std::size_t pos = 0;
  std::size_t start = std::string_view::npos;  // start of the current part's content
  while (pos < body.size() && parts.size() < kMaxMimeParts) {
    std::size_t eol = body.find('\n', pos);
    std::size_t line_end = eol == std::string_view::npos ? body.size() : eol;
    std::string_view line = body.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() >= delim.size() && line.substr(0, delim.size()) == delim) {
      std::string_view rest = trim(line.substr(delim.size()));
      if (start != std::string_view::npos) {
        std::size_t end = pos;
        if (end > start && body[end - 1] == '\n') --end;  // the CRLF before a delimiter belongs to it
        if (end > start && body[end - 1] == '\r') --end;
        parts.emplace_back(body.substr(start, end - start));
      }
      if (rest.substr(0, std::min<std::size_t>(2, rest.size())) == "--") return parts;  // close delimiter
      if (!rest.empty()) {
        start = std::string_view::npos;  // a different, longer boundary
      } else {
        start = eol == std::string_view::npos ? body.size() : eol + 1;
      }
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  if (start != std::string_view::npos && start < body.size() && parts.size() < kMaxMimeParts)
    parts.emplace_back(body.substr(start));  // unterminated last part
  return parts;
}

/// The fields of a message/delivery-status body: per-message and
/// per-recipient groups, separated by blank lines (RFC 3464 §2.1).
void read_delivery_status(std::string_view body, Bounce& b) {
  // Each group is a header block; parse_header_block stops at a blank line.
  std::size_t pos = 0;
  int groups = 0;
  while (pos < body.size() && groups < 64) {
    ++groups;
    std::string_view rest = body.substr(pos);
    std::size_t skip = 0;  // leading blank lines
    while (skip < rest.size() && (rest[skip] == '\r' || rest[skip] == '\n')) ++skip;
    rest = rest.substr(skip);
    if (rest.empty()) break;
    auto fields = parse_header_block(rest);
    bool recipient_group = false;
    for (const auto& f : fields)
      if (iequals(f.name, "Final-Recipient") || iequals(f.name, "Original-Recipient") || iequals(f.name, "Action"))
        recipient_group = true;
    if (recipient_group && b.status.empty() && b.action.empty()) {
      for (const auto& f : fields) {
        if (iequals(f.name, "Status") && b.status.empty()) b.status = f.value.substr(0, 32);
        else if (iequals(f.name, "Action") && b.action.empty()) b.action = ascii_lower(f.value.substr(0, 32));
        else if (iequals(f.name, "Diagnostic-Code") && b.diagnostic_code.empty()) b.diagnostic_code = f.value.substr(0, 1000);
        else if (iequals(f.name, "Final-Recipient") && b.final_recipient.empty()) b.final_recipient = f.value.substr(0, 500);
      }
    }
    pos += skip + body_offset(rest);
  }
}

/// "smtp; 550 5.1.1 ..." → 550 (only for the smtp diagnostic type).
std::optional<int> code_from_diagnostic(std::string_view d) {
  std::size_t semi = d.find(';');
  if (semi == std::string_view::npos || !iequals(trim(d.substr(0, semi)), "smtp")) return std::nullopt;
  std::string_view r = trim(d.substr(semi + 1));
  if (r.size() >= 3 && is_digit(r[0]) && is_digit(r[1]) && is_digit(r[2]) && (r[0] == '4' || r[0] == '5') &&
      (r.size() == 3 || !is_digit(r[3])))
    return (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
  return std::nullopt;
}

/// Finds "550 5.1.1" / "550-5.1.1" / "550 " in free text: the first 4xx/5xx
/// reply code that starts a word and is followed by an enhanced status code.
void scan_text(std::string_view text, Bounce& b) {
  if (text.size() > kMaxBounceBytes) text = text.substr(0, kMaxBounceBytes);
  for (std::size_t i = 0; i + 9 <= text.size(); ++i) {
    char c = text[i];
    if ((c != '4' && c != '5') || (i > 0 && (is_digit(text[i - 1]) || text[i - 1] == '.'))) continue;
    if (!is_digit(text[i + 1]) || !is_digit(text[i + 2]) || (text[i + 3] != ' ' && text[i + 3] != '-')) continue;
    std::size_t j = i + 4;
    if (text[j] != c || text[j + 1] != '.') continue;
    std::size_t k = j + 2, dots = 0;
    while (k < text.size() && k - j < 12 && (is_digit(text[k]) || (text[k] == '.' && ++dots == 1))) ++k;
    if (dots != 1 || !is_digit(text[k - 1])) continue;
    b.smtp_code = (c - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    if (b.status.empty()) b.status = std::string(text.substr(j, k - j));
    if (b.diagnostic_code.empty()) {
      std::size_t eol = text.find('\n', i);
      std::string_view line = trim(text.substr(i, (eol == std::string_view::npos ? text.size() : eol) - i));
      b.diagnostic_code = "smtp; " + std::string(line.substr(0, 500));
    }
    return;
  }
}

/// The RFC 3463 code "class.subject.detail" that starts `s`, or "".
std::string_view enhanced_prefix(std::string_view s) {
  std::size_t i = 0;
  if (s.empty() || (s[0] != '2' && s[0] != '4' && s[0] != '5')) return {};
  ++i;
  for (int part = 0; part < 2; ++part) {
    if (i >= s.size() || s[i] != '.') return {};
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) ++i;
    if (i == start) return {};
  }
  if (i < s.size() && is_digit(s[i])) return {};
  return s.substr(0, i);
}

/// The enhanced code a diagnostic quotes after its reply code:
/// "smtp; 550 5.1.1 <x@y> …" or "smtp; 550-5.1.1 …" → "5.1.1".
std::string_view diagnostic_status(std::string_view d) {
  std::size_t semi = d.find(';');
  std::string_view r = trim(semi == std::string_view::npos ? d : d.substr(semi + 1));
  if (r.size() < 5 || !is_digit(r[0]) || !is_digit(r[1]) || !is_digit(r[2]) ||
      (r[3] != ' ' && r[3] != '-'))
    return {};
  return enhanced_prefix(r.substr(4));
}

/// How much an RFC 3463 code says: one point for a non-zero subject, one for
/// a non-zero detail ("5.0.0" → 0, "5.1.0" → 1, "5.1.1" → 2).
int specificity(std::string_view code) {
  auto dot1 = code.find('.');
  auto dot2 = code.find('.', dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos) return -1;
  std::string_view subject = code.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view detail = code.substr(dot2 + 1);
  return (subject != "0" ? 1 : 0) + (detail != "0" ? 1 : 0);
}

/// Replaces a generic Status ("5.0.0", as OpenSMTPD and Exim write it) with a
/// more specific code of the same class that a diagnostic gives ("550 5.1.1"):
/// RFC 3464 §2.3.4 lets an MTA fall back to x.0.0, the diagnostic says more.
void refine_status(std::string& status, std::string_view candidate) {
  if (candidate.empty()) return;
  std::string_view current = enhanced_prefix(status);
  if (current.empty()) {
    if (status.empty()) status = std::string(candidate);
    return;
  }
  if (current.front() == candidate.front() && specificity(candidate) > specificity(current))
    status = std::string(candidate);
}

struct Walk {
  std::optional<Bounce> bounce;
  std::string text;  // every decoded part, for the token search
};

Walk walk(std::string_view raw) {
  Walk w;
  if (raw.size() > kMaxBounceBytes) raw = raw.substr(0, kMaxBounceBytes);
  auto top = parse_header_block(raw);
  std::string ct;
  std::string subject;
  for (const auto& f : top) {
    if (iequals(f.name, "Content-Type") && ct.empty()) ct = f.value;
    if (iequals(f.name, "Subject") && subject.empty()) subject = f.value;
  }
  // The probe itself (same account watched for bounces, or a prefix that
  // reads like a bounce subject) carries the token header at the top; a
  // bounce only quotes it inside its body.
  for (const auto& f : top)
    if (iequals(f.name, "X-Mailprobe-Token")) return w;
  bool standard = media_type(ct) == "multipart/report" && iequals(content_type_param(ct, "report-type"), "delivery-status");
  // A message/delivery-status part also makes a DSN, whatever wraps it:
  // OpenSMTPD sends multipart/mixed (RFC 3464 §2 asks for multipart/report).
  bool status_part = false;
  Bounce b;          // from message/delivery-status
  Bounce from_text;  // from the human-readable text, the fallback
  b.standard = standard;

  std::vector<Part> stack;
  stack.push_back({std::string(raw), 0});
  std::size_t visited = 0;
  while (!stack.empty() && visited < kMaxMimeParts) {
    ++visited;
    Part p = std::move(stack.back());
    stack.pop_back();
    auto fields = parse_header_block(p.raw);
    std::string pct, cte;
    for (const auto& f : fields) {
      if (iequals(f.name, "Content-Type") && pct.empty()) pct = f.value;
      if (iequals(f.name, "Content-Transfer-Encoding") && cte.empty()) cte = f.value;
    }
    std::string_view body = std::string_view(p.raw).substr(body_offset(p.raw));
    std::string type = media_type(pct);
    if (type.rfind("multipart/", 0) == 0) {
      if (p.depth >= kMaxMimeDepth) continue;
      auto children = split_multipart(body, content_type_param(pct, "boundary"));
      for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({std::move(*it), p.depth + 1});
      continue;
    }
    std::string decoded = decode_transfer_encoding(body, cte);
    if (w.text.size() < kMaxBounceBytes) w.text.append(decoded).push_back('\n');
    if (type == "message/delivery-status" || type == "message/global-delivery-status") {
      status_part = true;
      read_delivery_status(decoded, b);
    } else if ((type == "message/rfc822" || type == "message/global") && p.depth < kMaxMimeDepth) {
      stack.push_back({std::move(decoded), p.depth + 1});  // its own headers decide how to read it
    } else if (type == "text/plain" && p.depth <= 1 && !from_text.smtp_code) {
      scan_text(decoded, from_text);  // the human-readable part
    }
  }
  if (!standard && !status_part && !bounce_subject(subject)) return w;
  if (auto code = code_from_diagnostic(b.diagnostic_code)) b.smtp_code = code;
  refine_status(b.status, diagnostic_status(b.diagnostic_code));
  refine_status(b.status, from_text.status);
  if (b.diagnostic_code.empty()) b.diagnostic_code = from_text.diagnostic_code;
  if (!b.smtp_code) b.smtp_code = from_text.smtp_code;
  w.bounce = std::move(b);
  return w;
}

}  // namespace

std::optional<Bounce> parse_bounce(std::string_view raw_message) { return walk(raw_message).bounce; }

std::optional<Bounce> bounce_for_token(std::string_view raw_message, std::string_view token) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  Walk w = walk(raw_message);
  if (!w.bounce) return std::nullopt;
  std::string_view raw = raw_message.substr(0, std::min(raw_message.size(), kMaxBounceBytes));
  if (ifind(raw, token) == std::string_view::npos && ifind(w.text, token) == std::string_view::npos)
    return std::nullopt;
  return w.bounce;
}

bool is_delivery_failure(const Bounce& b) {
  if (!b.action.empty()) return b.action == "failed";
  return b.status.empty() || b.status.front() == '5';
}

}  // namespace mailprobe::insight
