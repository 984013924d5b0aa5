#include "insight/received.hpp"

#include <algorithm>

#include "insight/header_block.hpp"
#include "insight/mail_date.hpp"

namespace mailprobe::insight {

namespace {

/// Received values longer than this are cut (real ones are < 1 KiB).
constexpr std::size_t kMaxValue = 8192;

struct Word {
  std::string_view text;
  bool comment = false;  // a parenthesised comment, outer parentheses stripped
};

/// Words and top-level comments of the clause part, in order. Quoted strings
/// stay inside their word. Iterative; nesting is a counter.
std::vector<Word> split_words(std::string_view s) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < 256) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {  // ';' only splits
      ++i;
      continue;
    }
    if (c == '(') {
      int depth = 0;
      std::size_t start = i + 1;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
          ++i;
          continue;
        }
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) break;
      }
      std::size_t end = std::min(i, s.size());
      out.push_back({trim(s.substr(start, end - start)), true});
      ++i;
      continue;
    }
    std::size_t start = i;
    bool quoted = false;
    for (; i < s.size(); ++i) {
      char d = s[i];
      if (d == '"') quoted = !quoted;
      if (!quoted && (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '(' || d == ';')) break;
    }
    out.push_back({s.substr(start, i - start), false});
  }
  return out;
}

/// Offset of the last ';' outside comments and quoted strings, or npos.
std::size_t last_semicolon(std::string_view s) {
  std::size_t last = std::string_view::npos;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (quoted) {
      if (c == '"') quoted = false;
      continue;
    }
    if (c == '"' && depth == 0) quoted = true;
    else if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (c == ';' && depth == 0) last = i;
  }
  return last;
}

std::string strip_angles(std::string_view v) {
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  else if (!v.empty() && v.front() == '<') v.remove_prefix(1);
  while (!v.empty() && (v.back() == ';' || v.back() == ',')) v.remove_suffix(1);
  return std::string(v);
}

}  // namespace

Hop parse_received_value(std::string_view value) {
  Hop hop;
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue);
  std::string_view clauses = value;
  if (std::size_t semi = last_semicolon(value); semi != std::string_view::npos) {
    clauses = value.substr(0, semi);
    hop.timestamp = parse_mail_date(trim(value.substr(semi + 1)));
  }
  auto words = split_words(clauses);
  std::string* target = nullptr;       // clause awaiting its value
  std::string* info_target = nullptr;  // where the next comment goes
  for (const auto& w : words) {
    if (w.comment) {
      if (info_target && info_target->empty()) info_target->assign(w.text);
      continue;
    }
    if (target) {
      *target = target == &hop.for_addr ? strip_angles(w.text) : std::string(w.text);
      target = nullptr;
      continue;
    }
    info_target = nullptr;
    if (iequals(w.text, "from")) {
      target = &hop.from;
      info_target = &hop.from_info;
    } else if (iequals(w.text, "by")) {
      target = &hop.by;
      info_target = &hop.by_info;
    } else if (iequals(w.text, "via")) {
      target = &hop.via;
    } else if (iequals(w.text, "with")) {
      target = &hop.with;
    } else if (iequals(w.text, "id")) {
      target = &hop.id;
    } else if (iequals(w.text, "for")) {
      target = &hop.for_addr;
    }
    // A clause seen twice keeps its first value: only fill empty targets.
    if (target && !target->empty()) target = nullptr;
  }
  return hop;
}

HopReport analyse_received(std::string_view header_block, std::optional<TimePoint> submitted) {
  HopReport rep;
  auto fields = parse_header_block(header_block);
  auto values = header_values(fields, "Received");
  if (values.size() > kMaxHops) values.resize(kMaxHops);  // the top-most (newest) ones
  for (auto it = values.rbegin(); it != values.rend(); ++it) rep.hops.push_back(parse_received_value(*it));
  rep.hop_count = rep.hops.size();
  std::optional<TimePoint> prev;
  if (submitted) prev = std::chrono::floor<std::chrono::seconds>(*submitted);
  for (std::size_t i = 0; i < rep.hops.size(); ++i) {
    Hop& h = rep.hops[i];
    if (h.timestamp && prev) {
      h.delay = std::chrono::duration_cast<std::chrono::microseconds>(*h.timestamp - *prev);
      if (h.delay->count() < 0) rep.clock_skew = true;
      if (!rep.slowest_delay || *h.delay > *rep.slowest_delay) {
        rep.slowest_delay = h.delay;
        rep.slowest_index = i;
      }
    }
    prev = h.timestamp;
    if (!h.id.empty() && std::find(rep.receiving_ids.begin(), rep.receiving_ids.end(), h.id) == rep.receiving_ids.end())
      rep.receiving_ids.push_back(h.id);
  }
  return rep;
}

}  // namespace mailprobe::insight
