#include "insight/stale_probe.hpp"

#include "insight/header_block.hpp"
#include "insight/mail_date.hpp"

namespace mailprobe::insight {

bool is_token_text(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

std::optional<std::chrono::system_clock::time_point> parse_internaldate(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.size() > 40) return std::nullopt;
  std::string t(s);
  // date-day-fixed "-" date-month "-" date-year: the first two '-' separate the date.
  int replaced = 0;
  for (auto& c : t) {
    if (c == ' ' && replaced == 0) continue;
    if (c == '-' && replaced < 2) {
      c = ' ';
      ++replaced;
    }
    if (replaced == 2) break;
  }
  if (replaced != 2) return std::nullopt;
  return parse_mail_date(t);
}

std::optional<FetchedProbe> read_fetched_probe(const imap::Response& r) {
  auto uid = imap::fetch_uid(r);
  if (!uid) return std::nullopt;
  FetchedProbe p;
  p.uid = *uid;
  std::string_view text = r.text;
  std::size_t at = ifind(text, "INTERNALDATE \"");
  if (at != std::string_view::npos) {
    std::size_t start = at + 14;
    std::size_t end = text.find('"', start);
    if (end != std::string_view::npos) p.internal_date = parse_internaldate(text.substr(start, end - start));
  }
  // The header fields arrive as the one literal of this response.
  if (ifind(text, "BODY[HEADER.FIELDS") != std::string_view::npos && !r.literals.empty()) {
    auto fields = parse_header_block(r.literals.back());
    auto values = header_values(fields, "X-Mailprobe-Token");
    if (values.size() == 1 && is_token_text(values.front())) p.token = values.front();
  }
  return p;
}

bool is_stale_probe(const FetchedProbe& p, std::chrono::system_clock::time_point now,
                    std::chrono::seconds older_than) {
  return !p.token.empty() && p.internal_date && *p.internal_date <= now - older_than;
}

}  // namespace mailprobe::insight
