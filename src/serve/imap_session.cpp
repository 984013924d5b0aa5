#include "serve/imap_session.hpp"

#include "core/slice.hpp"

#include <algorithm>

#include "serve/flag_rules.hpp"
#include "serve/imap_fetch.hpp"
#include "serve/imap_search.hpp"
#include "serve/sasl.hpp"

namespace mailprobe::serve {

using imap::Token;

namespace {

constexpr std::size_t kMaxLine = 64 * 1024;        // one command line, literals excluded
constexpr std::size_t kMaxCommand = 1024 * 1024;   // a whole command without big literals

bool valid_tag(std::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag)
    if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\' || c == '+')
      return false;
  return true;
}

}  // namespace

ImapSession::ImapSession(ImapSettings settings, const Users& users, const Faults& faults, MailStore& store)
    : settings_(std::move(settings)), users_(users), faults_(faults), store_(store) {
  tls_active_ = settings_.implicit_tls;
}

ImapSession::~ImapSession() {
  if (watch_) store_.unwatch(watch_);
}

void ImapSession::untagged(std::string_view text) {
  out_ += "* ";
  out_ += text;
  out_ += "\r\n";
}

void ImapSession::tagged(const std::string& tag, std::string_view status, std::string_view text) {
  out_ += tag + " " + std::string(status) + " " + std::string(text) + "\r\n";
}

std::string ImapSession::take_output() {
  std::string o;
  o.swap(out_);
  return o;
}

std::string ImapSession::capabilities() const {
  std::string caps = "IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE UNSELECT";
  if (!faults_.no_uidplus_move) caps += " UIDPLUS MOVE";
  caps += " SPECIAL-USE";
  if (!faults_.no_idle) caps += " IDLE";
  if (state_ == State::not_authenticated) {
    if (settings_.tls_available && !tls_active_ && !faults_.no_starttls) caps += " STARTTLS";
    if (settings_.require_tls && !tls_active_) {
      caps += " LOGINDISABLED";  // RFC 3501 §6.2.3
    } else {
      caps += " AUTH=PLAIN";
    }
  }
  return caps;
}

void ImapSession::start() {
  if (faults_.imap_drops("GREETING", false)) {
    close_ = true;
    return;
  }
  untagged("OK [CAPABILITY " + capabilities() + "] " + settings_.hostname + " mailprobe IMAP4rev1 ready");
}

void ImapSession::on_tls_established() {
  starttls_pending_ = false;
  tls_active_ = true;
}

void ImapSession::on_idle_timeout() {
  untagged("BYE Autologout; idle for too long");
  close_ = true;
}

void ImapSession::on_shutdown() {
  untagged("BYE Server shutting down");
  close_ = true;
}

void ImapSession::on_mailbox_changed() {
  // RFC 2177 §3: while idling the server pushes untagged updates as they happen.
  if (idling_) sync(true);
}

void ImapSession::feed(std::string_view bytes) {
  if (close_ || starttls_pending_) return;
  in_.append(bytes);
  std::size_t pos = 0;
  output_blocked_ = false;
  while (!close_ && !starttls_pending_) {
    if (out_.size() >= settings_.max_output) {
      output_blocked_ = pos < in_.size();
      break;
    }
    if (in_literal_) {
      // RFC 3501 §4.3: literal octets are taken verbatim, CR and LF included.
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, in_.size() - pos));
      command_.append(in_, pos, take);
      pos += take;
      literal_left_ -= take;
      if (literal_left_ > 0) break;
      in_literal_ = false;
      continue;
    }
    auto lf = in_.find('\n', pos);
    if (lf == std::string::npos) {
      if (in_.size() - pos > kMaxLine) {
        discarding_ = true;
        pos = in_.size();
      }
      break;
    }
    std::string_view line(in_.data() + pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (discarding_ || line.size() > kMaxLine) {
      discarding_ = false;
      command_.clear();
      untagged("BAD Command line too long");
      continue;
    }
    ++lines_;
    process_line(line);
  }
  // RFC 3501 §6.2.1: nothing sent before the TLS handshake may be acted on after it.
  if (starttls_pending_ || close_) {
    in_.clear();
  } else {
    in_.erase(0, pos);
  }
}

void ImapSession::process_line(std::string_view line) {
  if (idling_) {
    idling_ = false;
    // RFC 2177 §3: the client ends IDLE with "DONE" alone on a line.
    if (iequals(line, "DONE")) return tagged(idle_tag_, "OK", "IDLE terminated");
    return tagged(idle_tag_, "BAD", "Expected DONE");
  }
  if (!auth_tag_.empty()) return auth_continue(line);
  if (command_.empty()) {
    command_text_ = 0;
    command_literals_ = 0;
  }
  command_.append(line);
  // Only the command text counts against kMaxCommand; literals have their own
  // limit (an APPEND of a large message is fine). Answer with the tag so the
  // client is not left waiting.
  command_text_ += line.size();
  if (command_text_ > kMaxCommand) {
    std::string tag(slice(command_, 0, command_.find(' ')));
    command_.clear();
    if (valid_tag(tag)) return tagged(tag, "BAD", "Command too long");
    return untagged("BAD Command too long");
  }
  if (auto lit = imap::trailing_literal(line)) {
    // max_literal bounds all literals of one command together, not each one
    // alone: eight 32 MiB literals in one APPEND are as large as one 256 MiB
    // literal (issue 17, D4). Neither sum below can wrap: both are <= max_literal.
    if (lit->size > settings_.max_literal || lit->size > settings_.max_literal - command_literals_) {
      std::string tag(slice(command_, 0, command_.find(' ')));
      command_.clear();
      if (lit->non_sync) {
        // RFC 7888 §4: the octets are already on their way; we cannot resync.
        untagged("BYE Literal too large");
        close_ = true;
        return;
      }
      return tagged(valid_tag(tag) ? tag : "*", "BAD", "Literal too large");
    }
    command_.append("\r\n");
    command_literals_ += lit->size;
    literal_left_ = lit->size;
    in_literal_ = true;
    // RFC 3501 §7.5: a synchronizing literal waits for our go-ahead.
    if (!lit->non_sync) out_ += "+ Ready for literal data\r\n";
    return;
  }
  std::string cmd;
  cmd.swap(command_);
  execute(cmd);
}

void ImapSession::execute(const std::string& command) {
  auto sp = command.find(' ');
  std::string tag(slice(command, 0, sp));
  if (!valid_tag(tag)) return untagged("BAD Invalid tag");
  if (sp == std::string::npos) return tagged(tag, "BAD", "Missing command");
  auto toks = imap::tokenize(slice(command, sp + 1));
  if (!toks || toks->empty() || (*toks)[0].kind != Token::Kind::atom)
    return tagged(tag, "BAD", "Syntax error");
  std::string cmd = ascii_upper((*toks)[0].text);
  bool uid = false;
  Args args(toks->begin() + 1, toks->end());
  if (cmd == "UID") {
    if (args.empty() || args[0].kind != Token::Kind::atom) return tagged(tag, "BAD", "UID needs a command");
    cmd = ascii_upper(args[0].text);
    uid = true;
    args.erase(args.begin());
  }
  if (faults_.imap_drops(cmd, uid)) {
    close_ = true;
    return;
  }
  if (const auto* r = faults_.imap_override(cmd, uid)) return tagged(tag, r->code, r->text);
  dispatch(tag, cmd, uid, args);
}

void ImapSession::dispatch(const std::string& tag, const std::string& cmd, bool uid, const Args& args) {
  const bool authed = state_ == State::authenticated || state_ == State::selected;
  const bool selected = state_ == State::selected;
  auto need = [&](bool ok, std::size_t nargs) {
    if (!ok) {
      tagged(tag, "BAD", "Command not valid in this state");
      return false;
    }
    if (args.size() < nargs) {
      tagged(tag, "BAD", "Missing arguments");
      return false;
    }
    return true;
  };
  if (uid && cmd != "FETCH" && cmd != "STORE" && cmd != "SEARCH" && cmd != "COPY" && cmd != "MOVE" &&
      cmd != "EXPUNGE")
    return tagged(tag, "BAD", "Unknown UID command");
  if (faults_.no_uidplus_move && (cmd == "MOVE" || (uid && cmd == "EXPUNGE")))
    return tagged(tag, "BAD", "Unknown command");

  if (cmd == "CAPABILITY") {
    untagged("CAPABILITY " + capabilities());
    return tagged(tag, "OK", "CAPABILITY completed");
  }
  if (cmd == "NOOP" || cmd == "CHECK") {
    if (cmd == "CHECK" && !need(selected, 0)) return;
    sync(true);
    return tagged(tag, "OK", cmd + " completed");
  }
  if (cmd == "LOGOUT") {
    untagged("BYE Logging out");
    tagged(tag, "OK", "LOGOUT completed");
    state_ = State::logout;
    close_ = true;
    return;
  }
  if (cmd == "ID") {
    untagged("ID (\"name\" \"mailprobe\")");
    return tagged(tag, "OK", "ID completed");
  }
  if (cmd == "STARTTLS") {
    if (!need(state_ == State::not_authenticated, 0)) return;
    if (!settings_.tls_available || tls_active_ || faults_.no_starttls)
      return tagged(tag, "BAD", "STARTTLS not available");
    tagged(tag, "OK", "Begin TLS negotiation now");
    starttls_pending_ = true;
    return;
  }
  if (cmd == "LOGIN") {
    if (!need(state_ == State::not_authenticated, 2)) return;
    return do_login(tag, args);
  }
  if (cmd == "AUTHENTICATE") {
    if (!need(state_ == State::not_authenticated, 1)) return;
    return do_authenticate(tag, args);
  }
  if (cmd == "LIST" || cmd == "LSUB") {
    if (!need(authed, 2)) return;
    return do_list(tag, args, cmd == "LSUB");
  }
  if (cmd == "NAMESPACE") {
    if (!need(authed, 0)) return;
    untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
    return tagged(tag, "OK", "NAMESPACE completed");
  }
  if (cmd == "STATUS") {
    if (!need(authed, 2)) return;
    return do_status(tag, args);
  }
  if (cmd == "SELECT" || cmd == "EXAMINE") {
    if (!need(authed, 1)) return;
    return do_select(tag, args, cmd == "EXAMINE");
  }
  if (cmd == "CREATE" || cmd == "DELETE" || cmd == "RENAME") {
    if (!need(authed, 1)) return;
    return tagged(tag, "NO", "[CANNOT] The folder set is fixed: INBOX, Junk, Trash");
  }
  if (cmd == "SUBSCRIBE" || cmd == "UNSUBSCRIBE") {
    if (!need(authed, 1)) return;
    return tagged(tag, "OK", cmd + " completed");
  }
  if (cmd == "APPEND") {
    if (!need(authed, 2)) return;
    return do_append(tag, args);
  }
  if (cmd == "IDLE" && !faults_.no_idle) {
    if (!need(authed, 0)) return;
    return do_idle(tag);
  }
  if (cmd == "FETCH") {
    if (!need(selected, 2)) return;
    return do_fetch(tag, args, uid);
  }
  if (cmd == "STORE") {
    if (!need(selected, 3)) return;
    return do_store(tag, args, uid);
  }
  if (cmd == "SEARCH") {
    if (!need(selected, 1)) return;
    return do_search(tag, args, uid);
  }
  if (cmd == "COPY" || cmd == "MOVE") {
    if (!need(selected, 2)) return;
    return do_copy(tag, args, uid, cmd == "MOVE");
  }
  if (cmd == "EXPUNGE") {
    if (!need(selected, uid ? 1 : 0)) return;
    return do_expunge(tag, args, uid);
  }
  if (cmd == "CLOSE" || cmd == "UNSELECT") {
    if (!need(selected, 0)) return;
    // RFC 3501 §6.4.2: CLOSE expunges silently; UNSELECT (RFC 3691) does not.
    if (cmd == "CLOSE" && !read_only_) (void)store_.expunge(user_, folder_, std::nullopt);
    leave_mailbox();
    return tagged(tag, "OK", cmd + " completed");
  }
  tagged(tag, "BAD", "Unknown command");
}

void ImapSession::do_login(const std::string& tag, const Args& args) {
  if (settings_.require_tls && !tls_active_)
    return tagged(tag, "NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed without TLS");
  if (!args[0].is_text() || !args[1].is_text()) return tagged(tag, "BAD", "LOGIN needs two strings");
  finish_login(tag, faults_.refuse_auth ? std::nullopt : users_.authenticate(args[0].text, args[1].text));
}

void ImapSession::do_authenticate(const std::string& tag, const Args& args) {
  if (settings_.require_tls && !tls_active_)
    return tagged(tag, "NO", "[PRIVACYREQUIRED] Authentication disallowed without TLS");
  if (!args[0].is_atom("PLAIN")) return tagged(tag, "NO", "Unsupported authentication mechanism");
  auth_tag_ = tag;
  if (args.size() >= 2 && args[1].is_text()) return auth_continue(args[1].text);  // RFC 4959 SASL-IR
  out_ += "+ \r\n";  // RFC 3501 §7.5: an empty base64 challenge
}

void ImapSession::auth_continue(std::string_view line) {
  std::string tag;
  tag.swap(auth_tag_);
  // RFC 3501 §6.2.2: "*" cancels the exchange.
  if (line == "*") return tagged(tag, "BAD", "AUTHENTICATE cancelled");
  auto decoded = line == "=" ? std::optional<std::string>("") : base64_decode(line);
  if (!decoded) return tagged(tag, "BAD", "Invalid base64");
  auto creds = parse_plain(*decoded);
  if (!creds) return finish_login(tag, std::nullopt);
  finish_login(tag, faults_.refuse_auth ? std::nullopt : users_.authenticate(creds->authcid, creds->password));
}

void ImapSession::finish_login(const std::string& tag, std::optional<std::string> user) {
  if (!user) return tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
  user_ = *user;
  state_ = State::authenticated;
  if (settings_.wake) watch_ = store_.watch(user_, settings_.wake);
  tagged(tag, "OK", "[CAPABILITY " + capabilities() + "] Logged in");
}

void ImapSession::do_list(const std::string& tag, const Args& args, bool lsub) {
  std::size_t i = 0;
  bool special_only = false;
  // RFC 5258 selection options / RFC 6154 §5: LIST (SPECIAL-USE) "" "*".
  if (args[0].kind == Token::Kind::list) {
    for (const auto& o : args[0].items) special_only = special_only || o.is_atom("SPECIAL-USE");
    i = 1;
  }
  if (args.size() < i + 2 || !args[i].is_text() || !args[i + 1].is_text())
    return tagged(tag, "BAD", "LIST needs a reference and a pattern");
  std::string pattern = args[i].text + args[i + 1].text;
  const char* name = lsub ? "LSUB" : "LIST";
  if (args[i + 1].text.empty()) {
    // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter.
    untagged(std::string(name) + " (\\Noselect) \"/\" \"\"");
    return tagged(tag, "OK", std::string(name) + " completed");
  }
  for (Folder f : {Folder::inbox, Folder::junk, Folder::trash}) {
    std::string_view fname = folder_name(f);
    if (!imap::list_match(pattern, fname)) continue;
    if (special_only && f == Folder::inbox) continue;
    // RFC 6154 §2: special-use attributes may always be returned.
    std::string attrs = "\\HasNoChildren";
    if (f == Folder::junk) attrs += " \\Junk";
    if (f == Folder::trash) attrs += " \\Trash";
    untagged(std::string(name) + " (" + attrs + ") \"/\" " + std::string(fname));
  }
  tagged(tag, "OK", std::string(name) + " completed");
}

void ImapSession::do_status(const std::string& tag, const Args& args) {
  auto f = args[0].is_text() ? parse_folder(args[0].text) : std::nullopt;
  if (!f) return tagged(tag, "NO", "[NONEXISTENT] Mailbox doesn't exist");
  if (args[1].kind != Token::Kind::list) return tagged(tag, "BAD", "STATUS needs an item list");
  auto snap = store_.snapshot(user_, *f);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  std::string items;
  for (const auto& it : args[1].items) {
    std::string k = ascii_upper(it.text);
    std::string v;
    if (k == "MESSAGES") v = std::to_string(snap->messages.size());
    else if (k == "RECENT") v = std::to_string(store_.unclaimed_recent(user_, *f));
    else if (k == "UIDNEXT") v = std::to_string(snap->uidnext);
    else if (k == "UIDVALIDITY") v = std::to_string(snap->uidvalidity);
    else if (k == "UNSEEN")
      v = std::to_string(std::count_if(snap->messages.begin(), snap->messages.end(),
                                       [](const StoredMessage& m) { return !imap::has_flag(m.flags, "\\Seen"); }));
    else return tagged(tag, "BAD", "Unknown STATUS item " + it.text);
    if (!items.empty()) items += ' ';
    items += k + " " + v;
  }
  untagged("STATUS " + imap::quote(folder_name(*f)) + " (" + items + ")");
  tagged(tag, "OK", "STATUS completed");
}

bool ImapSession::is_recent(std::uint32_t uid) const {
  return std::binary_search(recent_.begin(), recent_.end(), uid);
}

void ImapSession::leave_mailbox() {
  view_.clear();
  recent_.clear();
  last_uid_ = 0;
  state_ = State::authenticated;
}

void ImapSession::do_select(const std::string& tag, const Args& args, bool read_only) {
  // RFC 3501 §6.3.1: a SELECT, even a failing one, deselects the current mailbox.
  if (state_ == State::selected) leave_mailbox();
  auto f = args[0].is_text() ? parse_folder(args[0].text) : std::nullopt;
  if (!f) return tagged(tag, "NO", "[NONEXISTENT] Mailbox doesn't exist");
  auto snap = store_.snapshot(user_, *f);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  folder_ = *f;
  read_only_ = read_only;
  uidvalidity_ = snap->uidvalidity;
  view_.clear();
  std::uint32_t first_unseen = 0;
  for (const auto& m : snap->messages) {
    view_.push_back({m.uid, m.flags});
    if (!first_unseen && !imap::has_flag(m.flags, "\\Seen")) first_unseen = static_cast<std::uint32_t>(view_.size());
  }
  last_uid_ = snap->uidnext - 1;
  // RFC 3501 §2.3.2: this session now holds the unclaimed messages as
  // \Recent (EXAMINE reports and claims none).
  recent_ = read_only ? std::vector<std::uint32_t>() : store_.claim_recent(user_, *f);
  std::size_t recent = recent_.size();
  state_ = State::selected;
  untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  untagged(read_only ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
                     : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
  untagged(std::to_string(view_.size()) + " EXISTS");
  untagged(std::to_string(recent) + " RECENT");
  if (first_unseen) untagged("OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen");
  untagged("OK [UIDVALIDITY " + std::to_string(uidvalidity_) + "] UIDs valid");
  untagged("OK [UIDNEXT " + std::to_string(snap->uidnext) + "] Predicted next UID");
  tagged(tag, "OK", read_only ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
}

std::optional<std::vector<std::uint32_t>> ImapSession::resolve_set(const std::string& text, bool uid,
                                                                   const FolderSnapshot&, std::string* error) {
  std::vector<std::uint32_t> seqs;
  if (uid) {
    std::uint32_t star = view_.empty() ? 0 : view_.back().uid;
    auto set = imap::parse_seq_set(text, star);
    if (!set) {
      *error = "Invalid UID set";
      return std::nullopt;
    }
    for (std::size_t i = 0; i < view_.size(); ++i)
      if (set->contains(view_[i].uid)) seqs.push_back(static_cast<std::uint32_t>(i + 1));
    return seqs;
  }
  auto n = static_cast<std::uint32_t>(view_.size());
  auto set = imap::parse_seq_set(text, n);
  if (!set || (n == 0 && text.find('*') != std::string::npos)) {
    *error = n == 0 ? "No messages" : "Invalid message sequence set";
    return std::nullopt;
  }
  for (const auto& r : set->ranges)
    if (r.second > n) {
      *error = "Invalid message sequence number";
      return std::nullopt;
    }
  for (std::uint32_t i = 1; i <= n; ++i)
    if (set->contains(i)) seqs.push_back(i);
  return seqs;
}

void ImapSession::sync(bool allow_expunge) {
  if (state_ != State::selected) return;
  auto snap = store_.snapshot(user_, folder_);
  if (!snap) return;
  if (allow_expunge) {
    // RFC 3501 §7.4.1: each EXPUNGE renumbers the later messages, so go from the top down.
    for (std::size_t i = view_.size(); i-- > 0;) {
      if (!snap->find(view_[i].uid)) {
        untagged(std::to_string(i + 1) + " EXPUNGE");
        view_.erase(view_.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  for (std::size_t i = 0; i < view_.size(); ++i) {
    auto idx = snap->find(view_[i].uid);
    if (idx && snap->messages[*idx].flags != view_[i].flags) {
      view_[i].flags = snap->messages[*idx].flags;
      untagged(std::to_string(i + 1) + " FETCH (UID " + std::to_string(view_[i].uid) + " FLAGS " +
               imap::flag_list(view_[i].flags) + ")");
    }
  }
  std::size_t added = 0;
  for (const auto& m : snap->messages) {
    if (m.uid > last_uid_) {
      view_.push_back({m.uid, m.flags});
      last_uid_ = m.uid;
      ++added;
    }
  }
  if (added) {
    untagged(std::to_string(view_.size()) + " EXISTS");
    if (!read_only_)
      for (std::uint32_t u : store_.claim_recent(user_, folder_)) recent_.push_back(u);
    std::sort(recent_.begin(), recent_.end());
    untagged(std::to_string(std::count_if(view_.begin(), view_.end(),
                                          [&](const ViewEntry& e) { return is_recent(e.uid); })) +
             " RECENT");
  }
}

void ImapSession::do_fetch(const std::string& tag, const Args& args, bool uid) {
  sync(uid);
  if (!args[0].is_text()) return tagged(tag, "BAD", "Invalid sequence set");
  std::string error;
  auto req = imap::parse_fetch(args[1], &error);
  if (!req) return tagged(tag, "BAD", error);
  auto snap = store_.snapshot(user_, folder_);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  auto seqs = resolve_set(args[0].text, uid, snap.value(), &error);
  if (!seqs) return tagged(tag, "BAD", error);
  for (std::uint32_t seq : *seqs) {
    auto idx = snap->find(view_[seq - 1].uid);
    if (!idx) continue;  // expunged by another session; RFC 3501 §7.4.1 lets us omit it
    StoredMessage m = snap->messages[*idx];
    bool add_flags = false;
    // RFC 3501 §6.4.5: BODY[] without .PEEK sets \Seen, and the new flags are reported.
    if (req->sets_seen && !read_only_ && !imap::has_flag(m.flags, "\\Seen")) {
      auto f = store_.store_flags(user_, folder_, m.uid, FlagOp::add, {"\\Seen"});
      if (f) {
        m.flags = f.value();
        add_flags = true;
      }
    }
    if (req->has_flags || add_flags) view_[seq - 1].flags = m.flags;
    // \Recent is session state, shown in FLAGS but never stored (RFC 3501 §2.3.2).
    if (is_recent(m.uid)) {
      m.flags.push_back("\\Recent");
      std::sort(m.flags.begin(), m.flags.end());
    }
    untagged(std::to_string(seq) + " FETCH " + imap::render_fetch(*req, m, uid, add_flags));
  }
  tagged(tag, "OK", uid ? "UID FETCH completed" : "FETCH completed");
}

void ImapSession::do_store(const std::string& tag, const Args& args, bool uid) {
  sync(uid);
  if (read_only_) return tagged(tag, "NO", "[READ-ONLY] Mailbox is read-only");
  if (!args[0].is_text() || args[1].kind != Token::Kind::atom) return tagged(tag, "BAD", "Invalid STORE");
  std::string item = ascii_upper(args[1].text);
  bool silent = item.size() > 7 && slice(item, item.size() - 7) == ".SILENT";
  if (silent) item.resize(item.size() - 7);
  FlagOp op;
  if (item == "FLAGS") op = FlagOp::replace;
  else if (item == "+FLAGS") op = FlagOp::add;
  else if (item == "-FLAGS") op = FlagOp::remove;
  else return tagged(tag, "BAD", "Unknown STORE item " + args[1].text);
  std::vector<const Token*> toks;
  if (args[2].kind == Token::Kind::list) {
    for (const auto& t : args[2].items) toks.push_back(&t);
  } else {
    for (std::size_t i = 2; i < args.size(); ++i) toks.push_back(&args[i]);
  }
  std::string bad;
  auto flags = imap::client_flags(toks, &bad);
  if (!flags) return tagged(tag, "BAD", bad);
  auto snap = store_.snapshot(user_, folder_);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  std::string error;
  auto seqs = resolve_set(args[0].text, uid, snap.value(), &error);
  if (!seqs) return tagged(tag, "BAD", error);
  for (std::uint32_t seq : *seqs) {
    auto& entry = view_[seq - 1];
    auto result = store_.store_flags(user_, folder_, entry.uid, op, *flags);
    if (!result) continue;
    entry.flags = result.value();
    if (!silent) {
      std::string data = uid ? "UID " + std::to_string(entry.uid) + " " : std::string();
      untagged(std::to_string(seq) + " FETCH (" + data + "FLAGS " + imap::flag_list(entry.flags) + ")");
    }
  }
  tagged(tag, "OK", uid ? "UID STORE completed" : "STORE completed");
}

void ImapSession::do_search(const std::string& tag, const Args& args, bool uid) {
  sync(uid);
  std::size_t start = 0;
  if (args[0].is_atom("CHARSET")) {
    if (args.size() < 3) return tagged(tag, "BAD", "CHARSET needs a name and criteria");
    if (!iequals(args[1].text, "UTF-8") && !iequals(args[1].text, "US-ASCII"))
      return tagged(tag, "NO", "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
    start = 2;
  }
  Args criteria(args.begin() + static_cast<std::ptrdiff_t>(start), args.end());
  std::string error;
  auto max_uid = view_.empty() ? 0 : view_.back().uid;
  auto prog = imap::SearchProgram::compile(criteria, static_cast<std::uint32_t>(view_.size()), max_uid, &error);
  if (!prog) return tagged(tag, "BAD", error);
  auto snap = store_.snapshot(user_, folder_);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  std::string line = "SEARCH";
  for (std::size_t i = 0; i < view_.size(); ++i) {
    auto idx = snap->find(view_[i].uid);
    if (!idx) continue;
    auto seq = static_cast<std::uint32_t>(i + 1);
    if (prog->matches(seq, snap->messages[*idx], is_recent(view_[i].uid))) line += " " + std::to_string(uid ? view_[i].uid : seq);
  }
  untagged(line);
  tagged(tag, "OK", uid ? "UID SEARCH completed" : "SEARCH completed");
}

void ImapSession::do_copy(const std::string& tag, const Args& args, bool uid, bool move) {
  sync(uid);
  auto dest = args[1].is_text() ? parse_folder(args[1].text) : std::nullopt;
  // RFC 3501 §6.4.7: TRYCREATE when the target does not exist.
  if (!dest) return tagged(tag, "NO", "[TRYCREATE] Mailbox doesn't exist");
  if (move && read_only_) return tagged(tag, "NO", "[READ-ONLY] Mailbox is read-only");
  if (!args[0].is_text()) return tagged(tag, "BAD", "Invalid sequence set");
  auto snap = store_.snapshot(user_, folder_);
  if (!snap) return tagged(tag, "NO", "[SERVERBUG] Mailbox unavailable");
  std::string error;
  auto seqs = resolve_set(args[0].text, uid, snap.value(), &error);
  if (!seqs) return tagged(tag, "BAD", error);
  std::vector<std::uint32_t> uids;
  for (auto seq : *seqs) uids.push_back(view_[seq - 1].uid);
  auto r = store_.copy(user_, folder_, *dest, uids, move);
  if (!r) return tagged(tag, "NO", "[SERVERBUG] Copy failed");
  // RFC 4315 §3: COPYUID <dst uidvalidity> <src uids> <dst uids>.
  std::string copyuid = r->src_uids.empty() || faults_.no_uidplus_move ? std::string()
                                             : "[COPYUID " + std::to_string(r->dst_uidvalidity) + " " +
                                                   imap::format_uid_set(r->src_uids) + " " +
                                                   imap::format_uid_set(r->dst_uids) + "] ";
  const char* done = move ? (uid ? "UID MOVE completed" : "MOVE completed") : (uid ? "UID COPY completed" : "COPY completed");
  if (!move) {
    sync(true);
    return tagged(tag, "OK", copyuid + done);
  }
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGE responses.
  if (!copyuid.empty()) untagged("OK " + copyuid + "Moved");
  sync(true);
  tagged(tag, "OK", done);
}

void ImapSession::do_expunge(const std::string& tag, const Args& args, bool uid) {
  if (read_only_) return tagged(tag, "NO", "[READ-ONLY] Mailbox is read-only");
  std::optional<std::vector<std::uint32_t>> only;
  if (uid) {
    // RFC 4315 §2.1: UID EXPUNGE removes only the listed \Deleted messages.
    auto set = args[0].is_text() ? imap::parse_seq_set(args[0].text, view_.empty() ? 0 : view_.back().uid)
                                 : std::nullopt;
    if (!set) return tagged(tag, "BAD", "Invalid UID set");
    only.emplace();
    for (const auto& e : view_)
      if (set->contains(e.uid)) only->push_back(e.uid);
  }
  auto removed = store_.expunge(user_, folder_, only);
  if (!removed) return tagged(tag, "NO", "[SERVERBUG] Expunge failed");
  sync(true);
  tagged(tag, "OK", uid ? "UID EXPUNGE completed" : "EXPUNGE completed");
}

void ImapSession::do_append(const std::string& tag, const Args& args) {
  auto f = args[0].is_text() ? parse_folder(args[0].text) : std::nullopt;
  if (!f) return tagged(tag, "NO", "[TRYCREATE] Mailbox doesn't exist");
  // RFC 3501 §6.3.11: mailbox [flag-list] [date-time] literal.
  const Token& msg = args.back();
  if (msg.kind != Token::Kind::string) return tagged(tag, "BAD", "APPEND needs a message literal");
  std::size_t i = 1;
  std::vector<std::string> flags;
  if (i + 1 < args.size() && args[i].kind == Token::Kind::list) {
    std::vector<const Token*> toks;
    for (const auto& t : args[i].items) toks.push_back(&t);
    std::string bad;
    auto ok = imap::client_flags(toks, &bad);
    if (!ok) return tagged(tag, "BAD", bad);
    flags = std::move(*ok);
    ++i;
  }
  WallClock::time_point when = WallClock::now();
  if (i + 1 < args.size()) {
    auto secs = args[i].kind == Token::Kind::string ? imap::parse_date_time(args[i].text) : std::nullopt;
    if (!secs) return tagged(tag, "BAD", "Invalid date-time");
    // The clock counts int64 nanoseconds (1677-09-21 to 2262-04-11): a
    // date-time beyond that cannot be an INTERNALDATE (imap_command_fuzz, UBSan).
    constexpr auto kSpan = std::chrono::duration_cast<std::chrono::seconds>(WallClock::duration::max()).count();
    if (*secs > kSpan - 86400 || *secs < -kSpan + 86400) return tagged(tag, "BAD", "Date-time out of range");
    // The INTERNALDATE SHOULD be the date-time given (RFC 3501 §6.3.11).
    when = WallClock::time_point(std::chrono::seconds(*secs));
    ++i;
  }
  if (i + 1 != args.size()) return tagged(tag, "BAD", "Unexpected APPEND arguments");
  auto uid = store_.deliver(user_, *f, msg.text, flags, when);
  if (!uid) return tagged(tag, "NO", "[SERVERBUG] Append failed");
  auto snap = store_.snapshot(user_, *f);
  std::uint32_t validity = snap ? snap->uidvalidity : 0;
  sync(true);
  tagged(tag, "OK", "[APPENDUID " + std::to_string(validity) + " " + std::to_string(uid.value()) + "] APPEND completed");
}

void ImapSession::do_idle(const std::string& tag) {
  idling_ = true;
  idle_tag_ = tag;
  // RFC 2177 §3: a continuation request, then updates until "DONE".
  out_ += "+ idling\r\n";
  sync(true);
}

}  // namespace mailprobe::serve
