#include "serve/envelope.hpp"

#include "core/slice.hpp"

#include <algorithm>

#include "serve/imap_parser.hpp"
#include "serve/rfc822.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) { return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos; }

/// A lexical unit of an address list (RFC 5322 §3.2): a word (atom, quoted
/// string or domain literal), a special character, or a comment.
struct Tok {
  enum class Kind { word, special, comment };
  Kind kind = Kind::word;
  char c = 0;        // special
  std::string text;  // word with quoting undone; comment content
  std::string raw;   // word as written
};

std::vector<Tok> lex(std::string_view s) {
  std::vector<Tok> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    Tok t;
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '(') {
      t.kind = Tok::Kind::comment;
      std::size_t depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text += s[++i];
          continue;
        }
        if (s[i] == '(' && depth++ == 0) continue;
        if (s[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
        t.text += s[i];
      }
    } else if (c == '"' || c == '[') {
      char close = c == '"' ? '"' : ']';
      std::size_t start = i;
      for (++i; i < s.size() && s[i] != close; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;  // quoted-pair (RFC 5322 §3.2.1)
        t.text += s[i];
      }
      if (i < s.size()) ++i;
      t.raw = std::string(slice(s, start, i - start));
      if (c == '[') t.text = t.raw;
    } else if (is_special(c)) {
      t.kind = Tok::Kind::special;
      t.c = c;
      ++i;
    } else {
      std::size_t start = i;
      while (i < s.size() && !is_space(s[i]) && !is_special(s[i])) ++i;
      t.text = t.raw = std::string(slice(s, start, i - start));
    }
    out.push_back(std::move(t));
  }
  return out;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Tok> toks) : toks_(std::move(toks)) {}

  std::vector<EnvelopeAddress> run() {
    while (peek_any()) {
      comment_.reset();
      std::vector<const Tok*> phrase = collect_phrase();
      const Tok* t = next();
      if (t && t->kind == Tok::Kind::special && t->c == '<') {
        angle(phrase);
      } else if (t && t->kind == Tok::Kind::special && t->c == ':' && !in_group_) {
        // RFC 3501 §7.4.2: group start is (NIL NIL "name" NIL).
        in_group_ = true;
        out_.push_back({std::nullopt, std::nullopt, display(phrase).value_or(""), std::nullopt});
      } else if (t && t->kind == Tok::Kind::special && t->c == '@') {
        std::string local = raw(phrase);
        std::string domain = raw(collect_phrase());  // dot-atom or domain literal
        out_.push_back({comment_, std::nullopt, local, domain});
      } else {
        // ',' ';' end of input or stray specials: a bare local part has no domain.
        if (!phrase.empty()) out_.push_back({comment_, std::nullopt, raw(phrase), std::string()});
        if (t && t->kind == Tok::Kind::special && t->c == ';') end_group();
      }
    }
    end_group();
    return std::move(out_);
  }

 private:
  std::vector<Tok> toks_;
  std::size_t i_ = 0;
  std::optional<std::string> comment_;
  bool in_group_ = false;
  std::vector<EnvelopeAddress> out_;

  bool peek_any() const { return i_ < toks_.size(); }
  /// The next non-comment token, remembering the last comment seen.
  const Tok* peek() {
    while (i_ < toks_.size() && toks_[i_].kind == Tok::Kind::comment) {
      if (!toks_[i_].text.empty()) comment_ = toks_[i_].text;
      ++i_;
    }
    return i_ < toks_.size() ? &toks_[i_] : nullptr;
  }
  const Tok* next() {
    const Tok* t = peek();
    if (t) ++i_;
    return t;
  }
  static bool is_word_or_dot(const Tok* t) {
    return t && (t->kind == Tok::Kind::word || (t->kind == Tok::Kind::special && t->c == '.'));
  }
  /// Words and dots: a display-name phrase, a local part or a domain.
  std::vector<const Tok*> collect_phrase() {
    std::vector<const Tok*> out;
    while (is_word_or_dot(peek())) out.push_back(next());
    return out;
  }
  static std::string raw(const std::vector<const Tok*>& ts) {
    std::string out;
    for (const Tok* t : ts) out += t->kind == Tok::Kind::special ? std::string(1, t->c) : t->raw;
    return out;
  }
  /// Display name: words joined by single spaces, a '.' glued to the word before.
  static std::optional<std::string> display(const std::vector<const Tok*>& ts) {
    std::string out;
    for (const Tok* t : ts) {
      if (t->kind == Tok::Kind::special) {
        out += t->c;
      } else {
        if (!out.empty()) out += ' ';
        out += t->text;
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  void end_group() {
    if (!in_group_) return;
    in_group_ = false;
    out_.push_back({});
  }
  /// angle-addr = "<" [obs-route] addr-spec ">" (RFC 5322 §3.4, §4.4).
  void angle(const std::vector<const Tok*>& phrase) {
    std::vector<const Tok*> inside;
    while (const Tok* t = next()) {
      if (t->kind == Tok::Kind::special && t->c == '>') break;
      if (t->kind == Tok::Kind::special && t->c == '<') continue;
      inside.push_back(t);
    }
    auto is = [](const Tok* t, char c) { return t->kind == Tok::Kind::special && t->c == c; };
    auto colon = std::find_if(inside.begin(), inside.end(), [&](const Tok* t) { return is(t, ':'); });
    bool has_route = colon != inside.end();
    std::vector<const Tok*> route(inside.begin(), colon);
    auto spec_begin = has_route ? colon + 1 : inside.begin();
    auto at = std::find_if(spec_begin, inside.end(), [&](const Tok* t) { return is(t, '@'); });
    std::vector<const Tok*> local(spec_begin, at);
    std::vector<const Tok*> domain(at == inside.end() ? at : at + 1, inside.end());
    std::optional<std::string> name = display(phrase);
    if (!name) name = comment_;
    std::optional<std::string> adl;
    if (has_route) adl = raw(route);
    std::string host = raw(domain);
    // Skip anything up to the next separator; the loop in run() handles it.
    while (const Tok* t = peek()) {
      if (t->kind == Tok::Kind::special && (t->c == ',' || t->c == ';')) break;
      ++i_;
    }
    if (local.empty() && domain.empty() && !has_route) return;  // "<>"
    out_.push_back({name, adl, raw(local), host});
  }
};

std::string address_list(const std::vector<EnvelopeAddress>& list) {
  if (list.empty()) return "NIL";
  std::string out = "(";
  for (const auto& a : list) {
    out += "(" + imap_nstring(a.name) + " " + imap_nstring(a.adl) + " " + imap_nstring(a.mailbox) + " " +
           imap_nstring(a.host) + ")";
  }
  return out + ")";
}

}  // namespace

std::vector<EnvelopeAddress> parse_address_list(std::string_view value) {
  return AddressParser(lex(value)).run();
}

std::string imap_nstring(const std::optional<std::string>& s) { return s ? imap::quote(*s) : "NIL"; }

std::string render_envelope(std::string_view message) {
  auto fields = header_fields(message);
  auto first = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& f : fields) {
      std::string_view n = f.name;
      while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.remove_suffix(1);
      if (!iequals(n, name)) continue;
      std::string_view v = f.value;
      while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
      return std::string(v);
    }
    return std::nullopt;
  };
  auto addresses = [&](std::string_view name) {
    auto v = first(name);
    return v ? parse_address_list(*v) : std::vector<EnvelopeAddress>{};
  };
  auto from = addresses("From");
  auto sender = addresses("Sender");
  auto reply_to = addresses("Reply-To");
  std::string out = "(";
  out += imap_nstring(first("Date")) + " ";
  out += imap_nstring(first("Subject")) + " ";
  out += address_list(from) + " ";
  out += address_list(sender.empty() ? from : sender) + " ";
  out += address_list(reply_to.empty() ? from : reply_to) + " ";
  out += address_list(addresses("To")) + " ";
  out += address_list(addresses("Cc")) + " ";
  out += address_list(addresses("Bcc")) + " ";
  out += imap_nstring(first("In-Reply-To")) + " ";
  out += imap_nstring(first("Message-ID"));
  return out + ")";
}

}  // namespace mailprobe::serve
