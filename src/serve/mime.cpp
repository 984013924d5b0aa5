#include "serve/mime.hpp"

#include <algorithm>

#include "core/slice.hpp"

#include "serve/rfc822.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

/// RFC 2045 §5.1 token characters: no SPACE, CTLs or tspecials.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

/// A cursor over a structured header value (RFC 2045 §5.1 with RFC 822 comments).
struct Lexer {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  /// Skips whitespace and (nested, escaped) comments; an unclosed comment runs to the end.
  void skip_cfws() {
    while (i < s.size()) {
      if (is_ws(s[i])) {
        ++i;
      } else if (s[i] == '(') {
        std::size_t depth = 0;
        for (; i < s.size(); ++i) {
          if (s[i] == '\\') {
            // RFC 5322 §3.2.1 quoted-pair: the next octet is literal. A
            // backslash that ends the value escapes nothing (issue 17, D1).
            if (i + 1 >= s.size()) {
              i = s.size();
              break;
            }
            ++i;
          } else if (s[i] == '(') {
            ++depth;
          } else if (s[i] == ')' && --depth == 0) {
            ++i;
            break;
          }
        }
      } else {
        return;
      }
    }
  }
  bool eat(char c) {
    skip_cfws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string token() {
    skip_cfws();
    std::size_t start = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    return std::string(slice(s, start, i - start));
  }
  /// A quoted string with quoting undone, or a lenient bare value (anything up to ';', space or comment).
  std::optional<std::string> value() {
    skip_cfws();
    if (i >= s.size()) return std::nullopt;
    std::string out;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i];
      }
      if (i < s.size()) ++i;
      return out;
    }
    while (i < s.size() && s[i] != ';' && !is_ws(s[i]) && s[i] != '(' && s[i] != '"') out += s[i++];
    if (out.empty()) return std::nullopt;
    return out;
  }
  /// *(";" attribute "=" value); stops quietly at the first malformed parameter.
  std::vector<MimeParam> params() {
    std::vector<MimeParam> out;
    while (eat(';')) {
      std::string name = token();
      if (name.empty() || !eat('=')) break;
      auto v = value();
      if (!v) break;
      out.push_back({ascii_upper(name), std::move(*v)});
    }
    return out;
  }
};

std::string first_word(std::string_view v) {
  Lexer lx{v};
  return ascii_upper(lx.token());
}

const MimeParam* find_param(const std::vector<MimeParam>& ps, std::string_view name) {
  auto it = std::find_if(ps.begin(), ps.end(), [&](const MimeParam& p) { return p.name == name; });
  return it == ps.end() ? nullptr : &*it;
}

/// Size of a part's header block including the blank line; a part starting with
/// an empty line (CRLF or bare LF) has an empty header.
std::size_t header_size(std::string_view part) {
  if (slice(part, 0, 1) == "\n") return 1;
  return header_block(part).size();
}

/// The body parts of a multipart body [from, to) as (begin, end) offsets in `m`
/// (RFC 2046 §5.1.1): each delimiter line "--boundary" [LWSP] starts a part, the
/// line break before it belongs to it, "--boundary--" closes. An unclosed last
/// part runs to `to`. At most `max_parts` parts.
std::vector<std::pair<std::size_t, std::size_t>> split_multipart(std::string_view m, std::size_t from, std::size_t to,
                                                                 std::string_view boundary, std::size_t max_parts) {
  std::vector<std::pair<std::size_t, std::size_t>> parts;
  if (boundary.empty() || max_parts == 0) return parts;
  std::string delim = "--" + std::string(boundary);
  std::string_view s = slice(m, 0, to);
  std::optional<std::size_t> open;  // start of the part being collected
  std::size_t pos = from;
  while (pos < to) {
    std::size_t hit = s.find(delim, pos);
    if (hit == std::string_view::npos) break;
    pos = hit + 1;
    if (hit != from && s[hit - 1] != '\n') continue;
    std::size_t k = hit + delim.size();
    bool close = slice(s, k, 2) == "--";
    if (close) k += 2;
    std::size_t eol = s.find('\n', k);
    std::size_t next = eol == std::string_view::npos ? to : eol + 1;
    std::string_view rest = slice(s, k, (eol == std::string_view::npos ? to : eol) - k);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    if (!std::all_of(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t'; })) continue;
    if (open) {
      std::size_t end = hit;
      if (end > *open && s[end - 1] == '\n') --end;
      if (end > *open && s[end - 1] == '\r') --end;
      parts.emplace_back(*open, end);
      open.reset();
    }
    if (close || parts.size() >= max_parts) break;
    open = next;
    pos = next;
  }
  if (open) parts.emplace_back(*open, to);
  return parts;
}

/// Reads a part's MIME header fields (first occurrence of each wins).
void read_headers(MimePart& p, std::string_view header, bool digest_default) {
  bool have[8] = {};
  std::optional<ContentType> ct;
  for (const auto& f : header_fields(header)) {
    std::string_view name = trim(f.name);
    std::string_view value = trim(f.value);
    auto once = [&](int slot, std::string_view want) {
      if (have[slot] || !iequals(name, want)) return false;
      have[slot] = true;
      return true;
    };
    if (once(0, "Content-Type")) {
      ct = parse_content_type(value);
    } else if (once(1, "Content-Transfer-Encoding")) {
      std::string enc = first_word(value);
      if (!enc.empty()) p.encoding = enc;
    } else if (once(2, "Content-ID")) {
      p.id = std::string(value);
    } else if (once(3, "Content-Description")) {
      p.description = std::string(value);
    } else if (once(4, "Content-MD5")) {
      p.md5 = std::string(value);
    } else if (once(5, "Content-Disposition")) {
      if (auto d = parse_disposition(value)) {
        p.disposition = d->type;
        p.disposition_params = std::move(d->params);
      }
    } else if (once(6, "Content-Language")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view tag = trim(slice(rest, 0, comma));
        if (!tag.empty()) p.language.emplace_back(tag);
        rest = comma == std::string_view::npos ? std::string_view() : slice(rest, comma + 1);
      }
    } else if (once(7, "Content-Location")) {
      p.location = std::string(value);
    }
  }
  if (ct) {
    p.type = std::move(ct->type);
    p.subtype = std::move(ct->subtype);
    p.params = std::move(ct->params);
  } else if (digest_default) {
    p.type = "MESSAGE";
    p.subtype = "RFC822";
  } else {
    p.params = {{"CHARSET", "US-ASCII"}};
  }
}

void make_opaque(MimePart& p) {
  p.shape = MimePart::Shape::leaf;
  p.type = "APPLICATION";
  p.subtype = "OCTET-STREAM";
  p.params.clear();
}

}  // namespace

std::optional<ContentType> parse_content_type(std::string_view value) {
  Lexer lx{value};
  ContentType ct;
  ct.type = ascii_upper(lx.token());
  if (ct.type.empty() || !lx.eat('/')) return std::nullopt;
  ct.subtype = ascii_upper(lx.token());
  if (ct.subtype.empty()) return std::nullopt;
  ct.params = lx.params();
  return ct;
}

std::optional<Disposition> parse_disposition(std::string_view value) {
  Lexer lx{value};
  Disposition d;
  d.type = ascii_upper(lx.token());
  if (d.type.empty()) return std::nullopt;
  d.params = lx.params();
  return d;
}

std::size_t count_lines(std::string_view bytes) {
  auto n = static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  return n + (!bytes.empty() && bytes.back() != '\n' ? 1 : 0);
}

MimeTree parse_mime(std::string_view message) {
  MimeTree tree;
  tree.parts.reserve(kMaxMimeParts);
  std::vector<bool> digest_default{false};  // parallel to tree.parts
  MimePart root;
  root.end = message.size();
  tree.parts.push_back(root);
  // Breadth-first over a growing list: no recursion on the input, and every
  // loop is bounded by kMaxMimeParts.
  for (std::size_t i = 0; i < tree.parts.size(); ++i) {
    MimePart& p = tree.parts[i];
    std::string_view whole = slice(message, p.begin, p.end - p.begin);
    std::size_t hsize = header_size(whole);
    p.body = p.begin + hsize;
    read_headers(p, slice(whole, 0, hsize), digest_default[i]);
    bool room = p.depth < kMaxMimeDepth && tree.parts.size() < kMaxMimeParts;
    std::vector<std::pair<std::size_t, std::size_t>> kids;
    if (p.type == "MULTIPART") {
      const MimeParam* b = find_param(p.params, "BOUNDARY");
      if (room && b) kids = split_multipart(message, p.body, p.end, b->value, kMaxMimeParts - tree.parts.size());
      if (kids.empty()) make_opaque(p);
      else p.shape = MimePart::Shape::multipart;
    } else if (p.type == "MESSAGE" && p.subtype == "RFC822") {
      bool plain = p.encoding == "7BIT" || p.encoding == "8BIT" || p.encoding == "BINARY";
      if (room && plain) {
        kids.emplace_back(p.body, p.end);
        p.shape = MimePart::Shape::message;
      } else {
        make_opaque(p);
      }
    }
    bool digest = p.shape == MimePart::Shape::multipart && p.subtype == "DIGEST";
    std::size_t depth = p.depth + 1;
    for (auto [b, e] : kids) {
      tree.parts[i].children.push_back(tree.parts.size());
      MimePart child;
      child.begin = b;
      child.end = e;
      child.depth = depth;
      tree.parts.push_back(std::move(child));
      digest_default.push_back(digest);
    }
  }
  return tree;
}

std::optional<std::size_t> find_part(const MimeTree& tree, const std::vector<std::uint32_t>& path) {
  if (tree.parts.empty() || path.empty()) return std::nullopt;
  std::size_t cur = 0;
  bool top = true;  // at the top the numbers count the message's own parts
  for (std::uint32_t k : path) {
    const MimePart& p = tree.parts[cur];
    std::size_t numbered = cur;  // the entity whose parts `k` counts
    if (!top && p.shape == MimePart::Shape::message) {
      numbered = p.children.front();
    } else if (!top && p.shape != MimePart::Shape::multipart) {
      return std::nullopt;
    }
    top = false;
    const MimePart& n = tree.parts[numbered];
    if (k == 0) return std::nullopt;
    if (n.shape == MimePart::Shape::multipart) {
      if (k > n.children.size()) return std::nullopt;
      cur = n.children[k - 1];
    } else if (k == 1) {
      // RFC 3501 §6.4.5: a non-multipart message has only part 1, its body.
      cur = numbered;
    } else {
      return std::nullopt;
    }
  }
  return cur;
}

}  // namespace mailprobe::serve
