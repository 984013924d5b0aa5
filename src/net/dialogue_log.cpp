#include "net/dialogue_log.hpp"

#include <array>
#include <cstdio>

#include "core/ascii.hpp"

namespace mailprobe::net {

namespace {

// Commands whose arguments carry no secret (RFC 5321 §4.1, RFC 3207,
// RFC 3030; RFC 3501 §6, RFC 2177, RFC 4315, RFC 6851, RFC 5161, RFC 2971).
constexpr std::array<std::string_view, 12> kSmtpPlain{"EHLO", "HELO", "LHLO", "STARTTLS", "MAIL", "RCPT",
                                                       "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY"};
constexpr std::array<std::string_view, 21> kImapPlain{
    "CAPABILITY", "STARTTLS", "SELECT", "EXAMINE", "LIST", "LSUB",   "NOOP",  "IDLE",  "UID",     "SEARCH", "FETCH",
    "STORE",      "EXPUNGE",  "MOVE",   "COPY",    "LOGOUT", "ENABLE", "ID",    "NAMESPACE", "STATUS", "CHECK"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& verbs, std::string_view word) {
  std::string up = ascii_upper(word);
  for (auto v : verbs)
    if (up == v) return true;
  return false;
}

std::string_view word_at(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  std::size_t start = pos;
  while (pos < s.size() && s[pos] != ' ') ++pos;
  return s.substr(start, pos - start);
}

constexpr std::string_view kMask = "****";

}  // namespace

std::string mask_command(Dialect d, std::string_view line) {
  std::size_t pos = 0;
  if (d == Dialect::smtp) {
    std::string_view verb = word_at(line, pos);
    if (listed(kSmtpPlain, verb)) return std::string(line);
    if (ascii_upper(verb) == "AUTH") {  // RFC 4954 §4: AUTH mechanism [initial-response]
      std::string_view mech = word_at(line, pos);
      std::string out = "AUTH " + std::string(mech);
      if (!word_at(line, pos).empty()) out += " " + std::string(kMask);
      return out;
    }
    return std::string(kMask);  // a SASL continuation, or anything unknown
  }
  std::string_view tag = word_at(line, pos);
  if (ascii_upper(tag) == "DONE" && word_at(line, pos).empty()) return "DONE";  // RFC 2177
  std::string_view verb = word_at(line, pos);
  if (tag.empty() || verb.empty()) return std::string(kMask);
  if (listed(kImapPlain, verb)) return std::string(line);
  std::string v = ascii_upper(verb);
  if (v == "LOGIN") return std::string(tag) + " LOGIN " + std::string(kMask);
  if (v == "AUTHENTICATE") {  // RFC 3501 §6.2.2, SASL-IR (RFC 4959)
    std::string_view mech = word_at(line, pos);
    std::string out = std::string(tag) + " AUTHENTICATE " + std::string(mech);
    if (!word_at(line, pos).empty()) out += " " + std::string(kMask);
    return out;
  }
  return std::string(kMask);
}

DialogueLog::DialogueLog(Sink sink) : sink_(std::move(sink)), start_(std::chrono::steady_clock::now()) {}

int DialogueLog::open(Dialect d, std::string_view label) {
  std::lock_guard<std::mutex> lock(mu_);
  int same = 1;
  for (const Conn& c : conns_) same += c.base == label;
  std::string shown(label);
  if (same > 1) shown += "#" + std::to_string(same);
  conns_.push_back(Conn{d, std::string(label), std::move(shown), {}});
  return static_cast<int>(conns_.size()) - 1;
}

void DialogueLog::emit(const Conn& c, char dir, std::string_view text) {
  if (lines_ > kMaxLines) return;
  if (++lines_ > kMaxLines) {
    sink_("(dialogue log stops here: more than 5000 lines)\n");
    return;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
  char head[64];
  std::snprintf(head, sizeof head, "+%lld.%03lld %-7s %c ", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000), c.label.c_str(), dir);
  std::string line(head);
  if (text.size() > kMaxLine) {
    line.append(text.substr(0, kMaxLine));
    line += "...";
  } else {
    line.append(text);
  }
  for (char& ch : line)
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') ch = '?';
  line += '\n';
  sink_(line);
}

void DialogueLog::sent(int conn, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn < 0 || static_cast<std::size_t>(conn) >= conns_.size()) return;
  const Conn& c = conns_[static_cast<std::size_t>(conn)];
  while (!bytes.empty()) {
    auto lf = bytes.find('\n');
    std::string_view line = bytes.substr(0, lf);
    bytes.remove_prefix(lf == std::string_view::npos ? bytes.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    emit(c, '>', mask_command(c.dialect, line));
  }
}

void DialogueLog::note(int conn, std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn < 0 || static_cast<std::size_t>(conn) >= conns_.size()) return;
  emit(conns_[static_cast<std::size_t>(conn)], '>', text);
}

void DialogueLog::received(int conn, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn < 0 || static_cast<std::size_t>(conn) >= conns_.size()) return;
  Conn& c = conns_[static_cast<std::size_t>(conn)];
  c.partial_in.append(bytes);
  std::size_t lf;
  while ((lf = c.partial_in.find('\n')) != std::string::npos) {
    std::string_view line(c.partial_in.data(), lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    emit(c, '<', line);
    c.partial_in.erase(0, lf + 1);
  }
  if (c.partial_in.size() > 64 * 1024) {  // a line without end: show its start, drop the rest
    emit(c, '<', c.partial_in);
    c.partial_in.clear();
  }
}

}  // namespace mailprobe::net
