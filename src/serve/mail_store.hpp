#pragma once

// The mailbox store: users → folders (INBOX, Junk, Trash) → messages.
// Thread-safe (one mutex); every message keeps a strictly ascending UID per
// folder and each folder has a UIDVALIDITY (RFC 3501 §2.3.1.1).
//
// In memory by default. With a Maildir root the store is also a Maildir++
// tree that survives a restart and that other tools can read:
//   ROOT/<user>/{cur,new,tmp}/            INBOX
//   ROOT/<user>/.Junk/{cur,new,tmp}/      Junk   (and .Trash)
//   <folder>/mailprobe-uidlist            "V<uidvalidity> N<uidnext>" then "<uid> <basename>"
//                                         lines (appended per delivery; rewritten on expunge/move)
//   <folder>/dovecot-keywords             "<index> <keyword>": keyword for info letter 'a' + index
// Delivered files land in new/; a flag change moves them to cur/ with the
// standard ":2,<DFRST><a-z>" info suffix. Bytes are stored verbatim (CRLF
// lines). A delivered file and its directory are fsynced before deliver()
// returns; files a crash left in tmp/ are removed at open.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::serve {

enum class Folder { inbox, junk, trash };

/// "INBOX", "Junk", "Trash".
std::string_view folder_name(Folder f);
/// Case-insensitive folder lookup by IMAP name; nullopt for anything else.
std::optional<Folder> parse_folder(std::string_view name);

struct StoredMessage {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;  // sorted, e.g. "\\Seen"; never "\\Recent"
  WallClock::time_point internal_date{};
  std::shared_ptr<const std::string> bytes;
};

struct FolderSnapshot {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::vector<StoredMessage> messages;  // ascending uid
  /// Index of `uid` in messages, or nullopt.
  std::optional<std::size_t> find(std::uint32_t uid) const;
};

enum class FlagOp { add, remove, replace };

struct CopyResult {
  std::uint32_t dst_uidvalidity = 0;
  std::vector<std::uint32_t> src_uids;
  std::vector<std::uint32_t> dst_uids;
};

class MailStore {
 public:
  /// In-memory store for these users (lower-case names).
  static std::unique_ptr<MailStore> in_memory(const std::vector<std::string>& users);
  /// Opens or creates a Maildir++ tree under root and loads it. Fails with Stage::config on I/O errors.
  static Outcome<std::unique_ptr<MailStore>> open_maildir(const std::string& root,
                                                          const std::vector<std::string>& users);

  /// Appends a message; returns its UID. Fails if the user is unknown or the write fails.
  Outcome<std::uint32_t> deliver(const std::string& user, Folder f, std::string bytes,
                                 std::vector<std::string> flags = {},
                                 WallClock::time_point internal_date = WallClock::now());
  /// A consistent copy of a folder (message bytes are shared, not copied).
  Outcome<FolderSnapshot> snapshot(const std::string& user, Folder f) const;
  /// Changes one message's flags; returns the new flag list. Fails if the UID is gone.
  Outcome<std::vector<std::string>> store_flags(const std::string& user, Folder f, std::uint32_t uid,
                                                FlagOp op, const std::vector<std::string>& flags);
  /// Removes messages flagged \Deleted (only those in `only`, if given); returns removed UIDs.
  Outcome<std::vector<std::uint32_t>> expunge(const std::string& user, Folder f,
                                              const std::optional<std::vector<std::uint32_t>>& only);
  /// Copies (or moves, RFC 6851) the given UIDs; missing UIDs are skipped.
  Outcome<CopyResult> copy(const std::string& user, Folder from, Folder to,
                           const std::vector<std::uint32_t>& uids, bool move);
  /// The UIDs (ascending) no session has claimed as \Recent yet; claims them
  /// for the caller's session (RFC 3501 §2.3.2: one session sees each message
  /// as \Recent).
  std::vector<std::uint32_t> claim_recent(const std::string& user, Folder f);
  /// How many messages are still unclaimed (STATUS RECENT); claims nothing.
  std::uint32_t unclaimed_recent(const std::string& user, Folder f) const;

  using WatchId = std::uint64_t;
  /// Calls `wake` (from the mutating thread, without the store lock held) after any change to
  /// the user's folders. The callback must be quick and must not call back into the store.
  WatchId watch(const std::string& user, std::function<void()> wake);
  void unwatch(WatchId id);

  /// The Maildir root, or empty for an in-memory store.
  const std::string& maildir_root() const { return root_; }

  MailStore(const MailStore&) = delete;
  MailStore& operator=(const MailStore&) = delete;
  ~MailStore();

 private:
  struct Message;
  struct FolderData;
  struct Mailbox;
  MailStore();
  FolderData* folder(const std::string& user, Folder f) const;
  Status persist_uidlist(FolderData& fd);
  Status write_new(FolderData& fd, Message& m);
  /// The Maildir info letters for `flags`; records new keywords. Store lock held.
  Outcome<std::string> info_locked(FolderData& fd, const std::vector<std::string>& flags);
  /// Writes, fsyncs and links the message file into the folder; no lock needed.
  Status write_file(const std::string& folder_dir, const std::string& info, Message& m);
  Status append_uid(FolderData& fd, const Message& m);
  Status rename_for_flags(FolderData& fd, Message& m);
  Status load_folder(FolderData& fd);
  void notify(const std::string& user);

  std::string root_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Mailbox>> boxes_;
  std::mutex watch_mu_;
  std::map<WatchId, std::pair<std::string, std::function<void()>>> watchers_;
  WatchId next_watch_ = 1;
  std::atomic<std::uint64_t> file_counter_{0};
};

}  // namespace mailprobe::serve
