#include "insight/mail_date.hpp"

#include <array>
#include <string>
#include <vector>

#include "insight/header_block.hpp"

namespace mailprobe::insight {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int month_of(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                              "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (iequals(w.substr(0, 3), kMonths[i])) return static_cast<int>(i) + 1;
  return 0;
}

/// Zone names of RFC 5322 §4.3 → offset in minutes; nullopt if not a zone.
std::optional<int> named_zone(std::string_view w) {
  struct Z {
    std::string_view name;
    int minutes;
  };
  static constexpr std::array<Z, 11> kZones = {{{"UT", 0},
                                                {"UTC", 0},
                                                {"GMT", 0},
                                                {"EST", -300},
                                                {"EDT", -240},
                                                {"CST", -360},
                                                {"CDT", -300},
                                                {"MST", -420},
                                                {"MDT", -360},
                                                {"PST", -480},
                                                {"PDT", -420}}};
  for (const auto& z : kZones)
    if (iequals(w, z.name)) return z.minutes;
  if (w.size() == 1 && is_alpha(w[0]) && w[0] != 'j' && w[0] != 'J') return 0;  // military: -0000
  return std::nullopt;
}

int number(std::string_view d) {
  int v = 0;
  for (char c : d) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_mail_date(std::string_view s) {
  if (s.size() > 256) return std::nullopt;
  // Pass 1: drop comments (nesting counted, not recursed), commas become spaces.
  std::string flat;
  flat.reserve(s.size());
  int depth = 0;
  for (char c : s) {
    if (c == '(') {
      ++depth;
      flat.push_back(' ');
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      flat.push_back(c == ',' ? ' ' : c);
    }
  }
  // Pass 2: words, each classified once.
  int day = -1, month = 0, year = -1, hh = -1, mm = -1, ss = 0;
  std::optional<int> zone;
  std::size_t i = 0;
  while (i < flat.size()) {
    while (i < flat.size() && (flat[i] == ' ' || flat[i] == '\t' || flat[i] == '\r' || flat[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < flat.size() && !(flat[i] == ' ' || flat[i] == '\t' || flat[i] == '\r' || flat[i] == '\n')) ++i;
    std::string_view w(flat.data() + start, i - start);
    if (w.empty()) continue;
    if (w.find(':') != std::string_view::npos && is_digit(w[0])) {
      // hh:mm[:ss][.frac]
      if (hh >= 0) continue;
      int parts[3] = {-1, -1, 0};
      std::size_t n = 0;
      std::size_t p = 0;
      while (p < w.size() && n < 3) {
        std::size_t q = p;
        while (q < w.size() && is_digit(w[q]) && q - p < 3) ++q;
        if (q == p || q - p > 2) break;
        parts[n++] = number(w.substr(p, q - p));
        if (q < w.size() && w[q] == ':') {
          p = q + 1;
        } else {
          break;
        }
      }
      if (n >= 2) {
        hh = parts[0];
        mm = parts[1];
        ss = n == 3 ? parts[2] : 0;
      }
      continue;
    }
    if ((w[0] == '+' || w[0] == '-') && w.size() == 5 && is_digit(w[1]) && is_digit(w[2]) && is_digit(w[3]) &&
        is_digit(w[4])) {
      if (!zone) {
        int h = number(w.substr(1, 2)), m = number(w.substr(3, 2));
        if (m > 59) return std::nullopt;
        zone = (w[0] == '-' ? -1 : 1) * (h * 60 + m);
      }
      continue;
    }
    bool all_digits = true;
    for (char c : w) all_digits = all_digits && is_digit(c);
    if (all_digits) {
      if (w.size() > 4) return std::nullopt;
      int v = number(w);
      if (w.size() <= 2 && day < 0 && (month == 0 || year < 0) && hh < 0) {
        day = v;
      } else if (year < 0) {
        year = w.size() == 4 ? v : (w.size() == 3 ? 1900 + v : (v < 50 ? 2000 + v : 1900 + v));
      }
      continue;
    }
    bool all_alpha = true;
    for (char c : w) all_alpha = all_alpha && is_alpha(c);
    if (!all_alpha) continue;
    if (int m = month_of(w); m != 0 && month == 0 && w.size() <= 9) {
      month = m;
      continue;
    }
    if (hh >= 0 && !zone) {
      if (auto z = named_zone(w)) zone = *z;
    }
    // Anything else (day names, "CEST" outside a comment, "at") is ignored.
  }
  // system_clock counts int64 nanoseconds, up to 2262-04-11: a later year
  // would overflow the conversion below (found by header_fuzz under UBSan).
  if (day < 1 || day > 31 || month == 0 || year < 1900 || year > 2261 || hh < 0 || hh > 23 || mm < 0 ||
      mm > 59 || ss < 0 || ss > 60)
    return std::nullopt;
  if (ss == 60) ss = 59;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  sys_seconds t = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss} - minutes{zone.value_or(0)};
  return time_point_cast<system_clock::duration>(t);
}

}  // namespace mailprobe::insight
