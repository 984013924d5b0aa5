#pragma once

// The IMAP4rev1 server dialogue (RFC 3501) as a sans-I/O state machine, with
// IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154),
// LITERAL+ (RFC 7888), SASL-IR (RFC 4959), UNSELECT (RFC 3691) and NAMESPACE.
// Bytes go in through feed(), response text comes out of take_output(). The
// session reads and changes mail through a MailStore (no sockets, no timers);
// the connection loop calls on_mailbox_changed() when the store signals it.
//
// Each session keeps its own view of the selected folder (UID + flags per
// message number), so message numbers only shift when this session reports
// EXPUNGE; none are reported during FETCH, STORE or SEARCH (RFC 3501 §7.4.1).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/faults.hpp"
#include "serve/imap_parser.hpp"
#include "serve/mail_store.hpp"
#include "serve/progress.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

struct ImapSettings {
  std::string hostname = "localhost";
  bool tls_available = false;  // STARTTLS may be offered
  bool implicit_tls = false;   // the connection is already TLS (IMAPS)
  bool require_tls = false;    // LOGINDISABLED until STARTTLS (RFC 3501 §6.2.3)
  std::size_t max_literal = 64 * 1024 * 1024;  // all literals of one command together
  /// Commands are executed only while less than this much response text is
  /// pending; the rest of the input waits until the owner has written it
  /// (issue 17, D5: a client that pipelines FETCHes and never reads).
  std::size_t max_output = 1024 * 1024;
  /// Called (from any thread) when the logged-in user's mail changes; the owner then calls
  /// on_mailbox_changed() on the session's own thread. May be empty.
  std::function<void()> wake;
};

class ImapSession {
 public:
  /// Users, faults and store must outlive the session.
  ImapSession(ImapSettings settings, const Users& users, const Faults& faults, MailStore& store);
  ~ImapSession();

  /// Queues the greeting; may request close (GREETING drop fault).
  void start();
  /// Consumes bytes from the client; responses accumulate for take_output().
  void feed(std::string_view bytes);
  /// Returns and clears the pending response text.
  std::string take_output();
  /// Complete input is waiting because the output reached max_output: write
  /// the output, then call feed({}) to go on.
  bool output_blocked() const { return output_blocked_; }
  /// Complete lines consumed so far (a line timeout restarts at each one).
  std::uint64_t lines() const { return lines_; }
  /// What the client is in the middle of (for the connection's time bounds).
  Progress progress() const {
    if (in_literal_ || !command_.empty()) return Progress::data;
    return in_.empty() && !discarding_ ? Progress::idle : Progress::line;
  }

  bool wants_close() const { return close_; }
  /// STARTTLS accepted: write the output, run the handshake, call on_tls_established().
  bool wants_starttls() const { return starttls_pending_; }
  void on_tls_established();
  /// The store changed: while idling, pushes EXISTS/EXPUNGE/FETCH at once (RFC 2177).
  void on_mailbox_changed();
  void on_idle_timeout();
  void on_shutdown();

  /// The logged-in user, or empty.
  const std::string& user() const { return user_; }
  bool idling() const { return idling_; }

 private:
  enum class State { not_authenticated, authenticated, selected, logout };
  struct ViewEntry {
    std::uint32_t uid;
    std::vector<std::string> flags;
  };
  using Args = std::vector<imap::Token>;

  void process_line(std::string_view line);
  void execute(const std::string& command);
  void dispatch(const std::string& tag, const std::string& cmd, bool uid, const Args& args);
  void tagged(const std::string& tag, std::string_view status, std::string_view text);
  void untagged(std::string_view text);
  std::string capabilities() const;

  void do_login(const std::string& tag, const Args& args);
  void do_authenticate(const std::string& tag, const Args& args);
  void auth_continue(std::string_view line);
  void finish_login(const std::string& tag, std::optional<std::string> user);
  void do_list(const std::string& tag, const Args& args, bool lsub);
  void do_status(const std::string& tag, const Args& args);
  void do_select(const std::string& tag, const Args& args, bool read_only);
  void do_fetch(const std::string& tag, const Args& args, bool uid);
  void do_store(const std::string& tag, const Args& args, bool uid);
  void do_search(const std::string& tag, const Args& args, bool uid);
  void do_copy(const std::string& tag, const Args& args, bool uid, bool move);
  void do_expunge(const std::string& tag, const Args& args, bool uid);
  void do_append(const std::string& tag, const Args& args);
  void do_idle(const std::string& tag);

  /// Message numbers (1-based) selected by a set; nullopt + BAD text if invalid.
  std::optional<std::vector<std::uint32_t>> resolve_set(const std::string& set, bool uid,
                                                        const FolderSnapshot& snap, std::string* error);
  /// Reconciles the view with the store; emits EXPUNGE only when allowed.
  void sync(bool allow_expunge);
  void leave_mailbox();

  ImapSettings settings_;
  const Users& users_;
  const Faults& faults_;
  MailStore& store_;

  State state_ = State::not_authenticated;
  std::string in_;
  std::string out_;
  std::string command_;          // command being assembled across literals
  std::size_t command_text_ = 0;  // command_ bytes outside literals
  std::uint64_t command_literals_ = 0;  // command_ bytes inside literals
  std::uint64_t literal_left_ = 0;
  bool in_literal_ = false;
  bool discarding_ = false;
  bool output_blocked_ = false;
  bool close_ = false;
  std::uint64_t lines_ = 0;
  bool starttls_pending_ = false;
  bool tls_active_ = false;
  std::string user_;
  std::string auth_tag_;         // AUTHENTICATE waiting for its response line
  bool idling_ = false;
  std::string idle_tag_;

  Folder folder_ = Folder::inbox;
  bool read_only_ = false;
  std::uint32_t uidvalidity_ = 0;
  std::uint32_t last_uid_ = 0;  // highest UID this view has announced
  std::vector<ViewEntry> view_;
  std::vector<std::uint32_t> recent_;  // UIDs this session holds as \Recent (ascending)
  bool is_recent(std::uint32_t uid) const;
  MailStore::WatchId watch_ = 0;
};

}  // namespace mailprobe::serve
