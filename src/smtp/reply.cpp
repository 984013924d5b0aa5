#include "smtp/reply.hpp"

#include <cctype>
#include <charconv>

#include "core/ascii.hpp"

namespace mailprobe::smtp {

namespace {

std::string_view trim_eol(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_queue_id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '/' || c == '=' || c == '+';
}

std::string token_after(std::string_view text, std::string_view marker) {
  // Case-insensitive search for marker; the id is the run of id characters after it.
  // The marker must start a word: "id=" is not the tail of "InternalId=".
  std::string hay = ascii_upper(text);
  std::string needle = ascii_upper(marker);
  auto pos = hay.find(needle);
  while (pos != std::string::npos && pos > 0 && std::isalnum(static_cast<unsigned char>(hay[pos - 1])))
    pos = hay.find(needle, pos + 1);
  if (pos == std::string::npos) return {};
  std::size_t i = pos + needle.size();
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t j = i;
  while (j < text.size() && is_queue_id_char(text[j])) ++j;
  std::string id(text.substr(i, j - i));
  while (!id.empty() && (id.back() == '.' || id.back() == '/')) id.pop_back();
  return id;
}


// Gmail: "2.0.0 OK  1690517236 x6-2002...vsr.11 - gsmtp": the token before " - gsmtp".
std::string token_before_gsmtp(std::string_view text) {
  std::string hay = ascii_lower(text);
  auto pos = hay.rfind(" - gsmtp");
  if (pos == std::string::npos) return {};
  std::size_t j = pos;
  std::size_t i = j;
  while (i > 0 && is_queue_id_char(text[i - 1])) --i;
  return std::string(text.substr(i, j - i));
}

// Exchange and Microsoft 365 name the message by an RFC 5322 msg-id:
// "2.6.0 <GUID@host> [InternalId=…] Queued mail for delivery",
// "2.0.0 OK <AM0PR…@AM0PR….outlook.com> [Hostname=…]". The id is "local@host".
std::string angle_bracket_id(std::string_view text) {
  auto open = text.find('<');
  if (open == std::string_view::npos) return {};
  auto close = text.find('>', open);
  if (close == std::string_view::npos) return {};
  std::string_view id = text.substr(open + 1, close - open - 1);
  auto at = id.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == id.size()) return {};
  for (char c : id)
    if (c != '@' && !is_queue_id_char(c)) return {};
  return std::string(id);
}

// Sendmail "2.0.0 x9ABCdef012345 Message accepted for delivery" and OpenSMTPD
// "2.0.0 0dca316d Message accepted for delivery" (older: "2.0.0: 0dca316d …"):
// the first token after the RFC 3463 code, when "Message accepted" follows it.
// Requiring that wording keeps "2.0.0 Ok" or "2.0.0 OK Message accepted" from
// yielding a word as an id.
std::string token_after_enhanced_code(std::string_view text) {
  std::string head(text.substr(0, text.find(' ')));
  const bool colon = !head.empty() && head.back() == ':';
  if (colon) head.pop_back();
  Reply r{250, {head}};
  std::string code = r.enhanced_code();
  if (code.empty() || code.size() != head.size()) return {};
  std::size_t i = code.size() + (colon ? 1 : 0);
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t j = i;
  while (j < text.size() && is_queue_id_char(text[j])) ++j;
  if (j == i || j >= text.size() || text[j] != ' ') return {};
  std::string id(text.substr(i, j - i));
  if (ascii_lower(id) == "ok") return {};
  std::string rest = ascii_lower(text.substr(j + 1));
  if (rest.rfind("message accepted", 0) != 0) return {};
  return id;
}

}  // namespace

std::optional<ReplyLine> parse_reply_line(std::string_view line) {
  line = trim_eol(line);
  if (line.size() < 3) return std::nullopt;
  for (int i = 0; i < 3; ++i)
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
  ReplyLine out;
  std::from_chars(line.data(), line.data() + 3, out.code);
  if (out.code < 200 || out.code > 599) return std::nullopt;
  if (line.size() == 3) return out;  // bare code: a complete, text-less reply
  if (line[3] == '-') {
    out.last = false;
  } else if (line[3] != ' ') {
    return std::nullopt;
  }
  out.text = std::string(line.substr(4));
  return out;
}

std::string Reply::joined() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += "; ";
    out += l;
  }
  return out;
}

std::string Reply::enhanced_code() const {
  if (lines.empty()) return {};
  std::string_view t = lines.front();
  // class "." subject "." detail (RFC 3463 §2): 1 digit, 1-3 digits, 1-3 digits.
  std::size_t i = 0;
  if (i >= t.size() || (t[i] != '2' && t[i] != '4' && t[i] != '5')) return {};
  ++i;
  for (int part = 0; part < 2; ++part) {
    if (i >= t.size() || t[i] != '.') return {};
    ++i;
    std::size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) && i - start < 3) ++i;
    if (i == start) return {};
  }
  if (i < t.size() && t[i] != ' ') return {};
  return std::string(t.substr(0, i));
}

std::optional<Reply> ReplyAssembler::feed(std::string_view raw) {
  auto line = parse_reply_line(raw);
  if (!line) {
    violation_ = true;
    return std::nullopt;
  }
  if (!started_) {
    partial_ = Reply{};
    partial_.code = line->code;
    started_ = true;
  } else if (line->code != partial_.code) {
    violation_ = true;
  }
  partial_.lines.push_back(std::move(line->text));
  if (!line->last) return std::nullopt;
  started_ = false;
  return std::move(partial_);
}

std::string queue_id_from(std::string_view text) {
  // The reply text is free-form (RFC 5321 §4.2): each MTA has its own wording.
  // Most specific marker first, so "queued as" never loses to a bare token.
  if (auto id = token_after(text, "queued as"); !id.empty()) return id;       // Postfix, Stalwart
  if (auto id = token_after(text, "queued with id"); !id.empty()) return id;  // Stalwart
  if (auto id = token_after(text, "id="); !id.empty()) return id;             // Exim
  if (auto id = token_after(text, "message queued ("); !id.empty()) return id;  // Haraka
  if (auto id = token_before_gsmtp(text); !id.empty()) return id;             // Gmail
  if (auto id = angle_bracket_id(text); !id.empty()) return id;               // Exchange, M365
  return token_after_enhanced_code(text);                                     // Sendmail, OpenSMTPD
}

EhloCaps parse_ehlo(const Reply& reply) {
  EhloCaps caps;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    caps.keywords.emplace_back(line);
    auto sp = line.find_first_of(" =");
    std::string kw = ascii_upper(line.substr(0, sp));
    std::string_view params = sp == std::string_view::npos ? "" : line.substr(sp + 1);
    if (kw == "STARTTLS") caps.starttls = true;
    else if (kw == "PIPELINING") caps.pipelining = true;
    else if (kw == "8BITMIME") caps.eightbitmime = true;
    else if (kw == "SMTPUTF8") caps.smtputf8 = true;
    else if (kw == "CHUNKING") caps.chunking = true;
    else if (kw == "DSN") caps.dsn = true;
    else if (kw == "REQUIRETLS") caps.requiretls = true;
    else if (kw == "ENHANCEDSTATUSCODES") caps.enhancedstatuscodes = true;
    else if (kw == "SIZE") {
      caps.size_advertised = true;
      long long n = 0;
      auto r = std::from_chars(params.data(), params.data() + params.size(), n);
      if (r.ec == std::errc()) caps.size = n;
    } else if (kw == "AUTH") {
      // "AUTH PLAIN LOGIN" (and the obsolete "AUTH=PLAIN LOGIN" form).
      std::size_t pos = 0;
      while (pos < params.size()) {
        while (pos < params.size() && params[pos] == ' ') ++pos;
        std::size_t end = params.find(' ', pos);
        if (end == std::string_view::npos) end = params.size();
        if (end > pos) {
          std::string mech = ascii_upper(params.substr(pos, end - pos));
          bool dup = false;
          for (const auto& m : caps.auth) dup = dup || m == mech;
          if (!dup) caps.auth.push_back(mech);
        }
        pos = end;
      }
    }
  }
  return caps;
}

}  // namespace mailprobe::smtp
