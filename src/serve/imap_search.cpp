#include "serve/imap_search.hpp"

#include <algorithm>
#include <charconv>

#include "serve/rfc822.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve::imap {

struct SearchProgram::Node {
  enum class Kind { all, none, recent, seq, uid, header, body, text, flag, larger, smaller, since, before, on, not_, or_, and_ };
  Kind kind = Kind::all;
  SeqSet set;
  std::string a, b;  // header name/value, flag name
  bool flag_wanted = true;
  std::uint64_t number = 0;
  std::int64_t days = 0;
  std::vector<std::shared_ptr<const Node>> kids;
};

namespace {

using Node = SearchProgram::Node;
using NodePtr = std::shared_ptr<const Node>;

/// SEARCH keys nest through NOT, OR and parentheses; compile, eval and the
/// tree's destruction all recurse, so the nesting is bounded here (issue 17,
/// D2). Real clients nest a handful of levels.
constexpr int kMaxSearchDepth = 64;

struct Compiler {
  const std::vector<Token>& args;
  std::size_t i;
  std::uint32_t max_seq, max_uid;
  std::string error;
  int depth = 0;  // key() calls currently open, counted across nested groups

  const Token* next() { return i < args.size() ? &args[i++] : nullptr; }

  std::optional<std::string> text_arg() {
    const Token* t = next();
    if (!t || !t->is_text()) return std::nullopt;
    return t->text;
  }

  NodePtr fail(std::string e) {
    if (error.empty()) error = std::move(e);
    return nullptr;
  }

  NodePtr flag(const char* name, bool wanted) {
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::flag;
    n->a = name;
    n->flag_wanted = wanted;
    return n;
  }

  NodePtr key() {
    if (depth >= kMaxSearchDepth) return fail("Search keys nested too deeply");
    ++depth;
    NodePtr n = key_at_depth();
    --depth;
    return n;
  }

  NodePtr key_at_depth() {
    const Token* t = next();
    if (!t) return fail("Missing search key");
    auto n = std::make_shared<Node>();
    if (t->kind == Token::Kind::list) {
      Compiler sub{t->items, 0, max_seq, max_uid, {}, depth};
      n->kind = Node::Kind::and_;
      while (sub.i < sub.args.size()) {
        auto k = sub.key();
        if (!k) return fail(sub.error);
        n->kids.push_back(k);
      }
      if (n->kids.empty()) return fail("Empty search group");
      return n;
    }
    if (t->kind != Token::Kind::atom) return fail("Invalid search key");
    std::string k = ascii_upper(t->text);
    using K = Node::Kind;
    if (k == "ALL") return n;
    if (k == "ANSWERED") return flag("\\Answered", true);
    if (k == "UNANSWERED") return flag("\\Answered", false);
    if (k == "DELETED") return flag("\\Deleted", true);
    if (k == "UNDELETED") return flag("\\Deleted", false);
    if (k == "DRAFT") return flag("\\Draft", true);
    if (k == "UNDRAFT") return flag("\\Draft", false);
    if (k == "FLAGGED") return flag("\\Flagged", true);
    if (k == "UNFLAGGED") return flag("\\Flagged", false);
    if (k == "SEEN") return flag("\\Seen", true);
    if (k == "UNSEEN") return flag("\\Seen", false);
    // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
    if (k == "RECENT" || k == "NEW" || k == "OLD") {
      auto r = std::make_shared<Node>();
      r->kind = K::recent;
      if (k == "RECENT") return r;
      n->kind = k == "NEW" ? K::and_ : K::not_;
      n->kids.push_back(r);
      if (k == "NEW") n->kids.push_back(flag("\\Seen", false));
      return n;
    }
    if (k == "KEYWORD" || k == "UNKEYWORD") {
      auto v = text_arg();
      if (!v) return fail("KEYWORD needs a flag");
      auto f = flag("", k == "KEYWORD");
      auto m = std::const_pointer_cast<Node>(f);
      m->a = *v;
      return m;
    }
    if (k == "FROM" || k == "TO" || k == "CC" || k == "BCC" || k == "SUBJECT") {
      auto v = text_arg();
      if (!v) return fail(k + " needs a string");
      n->kind = K::header;
      n->a = k;
      n->b = *v;
      return n;
    }
    if (k == "HEADER") {
      auto name = text_arg();
      auto v = text_arg();
      if (!name || !v) return fail("HEADER needs a field name and a string");
      n->kind = K::header;
      n->a = *name;
      n->b = *v;
      return n;
    }
    if (k == "BODY" || k == "TEXT") {
      auto v = text_arg();
      if (!v) return fail(k + " needs a string");
      n->kind = k == "BODY" ? K::body : K::text;
      n->b = *v;
      return n;
    }
    if (k == "LARGER" || k == "SMALLER") {
      auto v = text_arg();
      std::uint64_t num = 0;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), num).ec != std::errc())
        return fail(k + " needs a number");
      n->kind = k == "LARGER" ? K::larger : K::smaller;
      n->number = num;
      return n;
    }
    if (k == "SINCE" || k == "BEFORE" || k == "ON" || k == "SENTSINCE" || k == "SENTBEFORE" ||
        k == "SENTON") {
      auto v = text_arg();
      auto days = v ? parse_date_days(*v) : std::nullopt;
      if (!days) return fail(k + " needs a date like 1-Feb-2024");
      // The SENT* keys use the internal date too (the Date: header is not parsed).
      n->kind = (k == "SINCE" || k == "SENTSINCE") ? K::since : (k == "ON" || k == "SENTON") ? K::on : K::before;
      n->days = *days;
      return n;
    }
    if (k == "UID") {
      auto v = text_arg();
      auto set = v ? parse_seq_set(*v, max_uid == 0 ? 1 : max_uid) : std::nullopt;
      if (!set) return fail("UID needs a sequence set");
      n->kind = K::uid;
      n->set = *set;
      return n;
    }
    if (k == "NOT") {
      auto a = key();
      if (!a) return nullptr;
      n->kind = K::not_;
      n->kids.push_back(a);
      return n;
    }
    if (k == "OR") {
      auto a = key();
      if (!a) return nullptr;
      auto b = key();
      if (!b) return nullptr;
      n->kind = K::or_;
      n->kids = {a, b};
      return n;
    }
    if (auto set = parse_seq_set(t->text, max_seq == 0 ? 1 : max_seq)) {
      n->kind = K::seq;
      n->set = *set;
      return n;
    }
    return fail("Unknown search key " + t->text);
  }
};

bool eval(const Node& n, std::uint32_t seq, const StoredMessage& m, bool recent) {
  using K = Node::Kind;
  std::string_view bytes = m.bytes ? std::string_view(*m.bytes) : std::string_view();
  switch (n.kind) {
    case K::all: return true;
    case K::none: return false;
    case K::recent: return recent;
    case K::seq: return n.set.contains(seq);
    case K::uid: return n.set.contains(m.uid);
    case K::flag: {
      bool has = std::any_of(m.flags.begin(), m.flags.end(), [&](const std::string& f) { return iequals(f, n.a); });
      return has == n.flag_wanted;
    }
    case K::header:
      // RFC 3501 §6.4.4: substring match on the field; an empty string matches any such field.
      for (const auto& f : header_fields(bytes))
        if (iequals(f.name, n.a) && contains_ci(f.value, n.b)) return true;
      return false;
    case K::body: return contains_ci(body_text(bytes), n.b);
    case K::text: return contains_ci(bytes, n.b);
    case K::larger: return bytes.size() > n.number;
    case K::smaller: return bytes.size() < n.number;
    case K::since:
    case K::before:
    case K::on: {
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(m.internal_date.time_since_epoch()).count();
      std::int64_t day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
      if (n.kind == K::since) return day >= n.days;
      if (n.kind == K::before) return day < n.days;
      return day == n.days;
    }
    case K::not_: return !eval(*n.kids[0], seq, m, recent);
    case K::or_: return eval(*n.kids[0], seq, m, recent) || eval(*n.kids[1], seq, m, recent);
    case K::and_:
      for (const auto& k : n.kids)
        if (!eval(*k, seq, m, recent)) return false;
      return true;
  }
  return false;
}

}  // namespace

std::optional<SearchProgram> SearchProgram::compile(const std::vector<Token>& args, std::uint32_t max_seq,
                                                    std::uint32_t max_uid, std::string* error) {
  Compiler c{args, 0, max_seq, max_uid, {}, 0};
  auto root = std::make_shared<Node>();
  root->kind = Node::Kind::and_;
  while (c.i < args.size()) {
    auto k = c.key();
    if (!k) {
      if (error) *error = c.error;
      return std::nullopt;
    }
    root->kids.push_back(k);
  }
  if (root->kids.empty()) {
    if (error) *error = "Missing search criteria";
    return std::nullopt;
  }
  SearchProgram p;
  p.root_ = root;
  return p;
}

bool SearchProgram::matches(std::uint32_t seq, const StoredMessage& m, bool recent) const {
  return eval(*root_, seq, m, recent);
}

}  // namespace mailprobe::serve::imap
