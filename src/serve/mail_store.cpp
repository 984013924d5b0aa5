#include "serve/mail_store.hpp"

#include <fcntl.h>

#include <openssl/rand.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "serve/maildir_io.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

namespace fs = std::filesystem;

std::string_view folder_name(Folder f) {
  switch (f) {
    case Folder::inbox: return "INBOX";
    case Folder::junk: return "Junk";
    case Folder::trash: return "Trash";
  }
  return "INBOX";
}

std::optional<Folder> parse_folder(std::string_view name) {
  if (iequals(name, "INBOX")) return Folder::inbox;
  if (iequals(name, "Junk")) return Folder::junk;
  if (iequals(name, "Trash")) return Folder::trash;
  return std::nullopt;
}

std::optional<std::size_t> FolderSnapshot::find(std::uint32_t uid) const {
  auto it = std::lower_bound(messages.begin(), messages.end(), uid,
                             [](const StoredMessage& m, std::uint32_t u) { return m.uid < u; });
  if (it == messages.end() || it->uid != uid) return std::nullopt;
  return static_cast<std::size_t>(it - messages.begin());
}

struct MailStore::Message {
  StoredMessage m;
  std::string base;  // Maildir base name (unique part, without ":2,...")
  std::string rel;   // "new/<base>" or "cur/<base>:2,<info>"
};

struct MailStore::FolderData {
  std::string dir;  // Maildir folder directory; empty in memory
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint32_t recent_claimed = 0;  // highest UID already reported as \Recent
  std::vector<Message> messages;
  std::vector<std::string> keywords;  // info letter 'a' + i (dovecot-keywords)
};

struct MailStore::Mailbox {
  FolderData folders[3];
};

namespace {

constexpr const char* kUidList = "mailprobe-uidlist";
constexpr const char* kKeywords = "dovecot-keywords";

std::uint32_t fresh_uidvalidity() {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch());
  return static_cast<std::uint32_t>(s.count());
}

bool is_keyword(const std::string& f) { return !f.empty() && f.front() != '\\'; }

// Maildir "info" letters must be in ASCII order (maildir(5)): system flags in
// upper case, then keywords as 'a'-'z' by their index in the folder's
// dovecot-keywords file (Dovecot's convention). A keyword beyond the 26 that
// letters can carry stays in memory only. Sets *keywords_changed when a new
// keyword got a letter.
std::string info_for(const std::vector<std::string>& flags, std::vector<std::string>& keywords,
                     bool* keywords_changed) {
  std::string info;
  auto has = [&](const char* f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };
  if (has("\\Draft")) info += 'D';
  if (has("\\Flagged")) info += 'F';
  if (has("\\Answered")) info += 'R';
  if (has("\\Seen")) info += 'S';
  if (has("\\Deleted")) info += 'T';
  std::string letters;
  for (const auto& f : flags) {
    if (!is_keyword(f)) continue;
    auto it = std::find(keywords.begin(), keywords.end(), f);
    if (it == keywords.end()) {
      if (keywords.size() >= 26) continue;
      keywords.push_back(f);
      *keywords_changed = true;
      it = keywords.end() - 1;
    }
    letters += static_cast<char>('a' + (it - keywords.begin()));
  }
  std::sort(letters.begin(), letters.end());
  return info + letters;
}

std::vector<std::string> flags_for(std::string_view info, const std::vector<std::string>& keywords) {
  std::vector<std::string> flags;
  for (char c : info) {
    switch (c) {
      case 'D': flags.push_back("\\Draft"); break;
      case 'F': flags.push_back("\\Flagged"); break;
      case 'R': flags.push_back("\\Answered"); break;
      case 'S': flags.push_back("\\Seen"); break;
      case 'T': flags.push_back("\\Deleted"); break;
      default:
        if (c >= 'a' && c <= 'z' && static_cast<std::size_t>(c - 'a') < keywords.size() &&
            !keywords[static_cast<std::size_t>(c - 'a')].empty())
          flags.push_back(keywords[static_cast<std::size_t>(c - 'a')]);
        break;
    }
  }
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  return flags;
}

/// The decimal number after a one-letter prefix ("V123"); nullopt if malformed.
std::optional<std::uint32_t> prefixed_number(std::string_view s, char prefix) {
  if (s.size() < 2 || s[0] != prefix) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Failure io_failure(const std::string& what) {
  return Failure(Stage::none, Result::internal_error, what);
}

void normalize(std::vector<std::string>& flags) {
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  flags.erase(std::remove(flags.begin(), flags.end(), "\\Recent"), flags.end());
}

}  // namespace

MailStore::MailStore() = default;
MailStore::~MailStore() = default;

std::unique_ptr<MailStore> MailStore::in_memory(const std::vector<std::string>& users) {
  std::unique_ptr<MailStore> s(new MailStore());
  for (const auto& u : users) {
    auto box = std::make_unique<Mailbox>();
    for (auto& fd : box->folders) fd.uidvalidity = fresh_uidvalidity();
    s->boxes_[u] = std::move(box);
  }
  return s;
}

Outcome<std::unique_ptr<MailStore>> MailStore::open_maildir(const std::string& root,
                                                            const std::vector<std::string>& users) {
  std::unique_ptr<MailStore> s(new MailStore());
  s->root_ = root;
  for (const auto& u : users) {
    auto box = std::make_unique<Mailbox>();
    for (int i = 0; i < 3; ++i) {
      FolderData& fd = box->folders[i];
      fs::path dir = fs::path(root) / u;
      if (i == 1) dir /= ".Junk";
      if (i == 2) dir /= ".Trash";
      fd.dir = dir.string();
      std::error_code ec;
      for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(dir / sub, ec);
      if (ec) return Failure(Stage::config, Result::internal_error, "maildir " + fd.dir + ": " + ec.message());
      if (i != 0) std::ofstream(dir / "maildirfolder");  // Maildir++ marks subfolders
      maildir::clean_tmp((dir / "tmp").string(), WallClock::now());
      auto st = s->load_folder(fd);
      if (!st) return Failure(Stage::config, Result::internal_error, st.error().reply_text);
    }
    s->boxes_[u] = std::move(box);
  }
  return s;
}

Status MailStore::load_folder(FolderData& fd) {
  fs::path dir(fd.dir);
  std::map<std::string, std::uint32_t> uid_of;  // base -> uid
  {
    std::ifstream in(dir / kUidList);
    std::string line;
    if (in && std::getline(in, line)) {
      std::istringstream hdr(line);
      std::string v, n;
      hdr >> v >> n;
      fd.uidvalidity = prefixed_number(v, 'V').value_or(0);
      fd.uidnext = std::max<std::uint32_t>(1, prefixed_number(n, 'N').value_or(1));
      // Deliveries append "<uid> <base>" lines without rewriting the header,
      // so uidnext is also past every UID listed, even one since expunged:
      // UIDs are never reused (RFC 3501 §2.3.1.1).
      while (std::getline(in, line)) {
        std::istringstream row(line);
        std::uint32_t uid = 0;
        std::string base;
        if (!(row >> uid >> base) || uid == 0) continue;
        uid_of[base] = uid;
        if (uid != UINT32_MAX) fd.uidnext = std::max(fd.uidnext, uid + 1);
      }
    }
  }
  if (fd.uidvalidity == 0) fd.uidvalidity = fresh_uidvalidity();
  fd.keywords = maildir::load_keywords((dir / kKeywords).string());
  std::vector<Message> unknown;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / sub, ec)) {
      if (!entry.is_regular_file()) continue;
      std::string name = entry.path().filename().string();
      auto colon = name.find(":2,");
      Message msg;
      msg.base = name.substr(0, colon);
      msg.rel = std::string(sub) + "/" + name;
      if (colon != std::string::npos) msg.m.flags = flags_for(std::string_view(name).substr(colon + 3), fd.keywords);
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      msg.m.bytes = std::make_shared<const std::string>(std::move(bytes));
      struct stat sb {};
      if (::stat(entry.path().c_str(), &sb) == 0)
        msg.m.internal_date = WallClock::from_time_t(sb.st_mtime);
      auto it = uid_of.find(msg.base);
      if (it != uid_of.end()) {
        msg.m.uid = it->second;
        fd.messages.push_back(std::move(msg));
      } else {
        unknown.push_back(std::move(msg));
      }
    }
    if (ec) return io_failure("cannot list " + (dir / sub).string() + ": " + ec.message());
  }
  std::sort(fd.messages.begin(), fd.messages.end(),
            [](const Message& a, const Message& b) { return a.m.uid < b.m.uid; });
  if (!fd.messages.empty() && fd.uidnext <= fd.messages.back().m.uid)
    fd.uidnext = fd.messages.back().m.uid + 1;
  // Files dropped in by other tools get fresh UIDs in name order (names start with the time).
  std::sort(unknown.begin(), unknown.end(),
            [](const Message& a, const Message& b) { return a.base < b.base; });
  for (auto& msg : unknown) {
    msg.m.uid = fd.uidnext++;
    fd.messages.push_back(std::move(msg));
  }
  fd.recent_claimed = fd.uidnext - 1;
  return persist_uidlist(fd);
}

Status MailStore::persist_uidlist(FolderData& fd) {
  if (fd.dir.empty()) return ok();
  fs::path dir(fd.dir);
  std::string tmp = (dir / (std::string(kUidList) + ".tmp")).string();
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "V" << fd.uidvalidity << " N" << fd.uidnext << "\n";
    for (const auto& msg : fd.messages) out << msg.m.uid << " " << msg.base << "\n";
    out.flush();
    if (!out) return io_failure("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), (dir / kUidList).c_str()) != 0)
    return io_failure("cannot rename " + tmp);
  return ok();
}

Outcome<std::string> MailStore::info_locked(FolderData& fd, const std::vector<std::string>& flags) {
  bool new_keyword = false;
  std::string info = info_for(flags, fd.keywords, &new_keyword);
  if (new_keyword) {
    auto st = maildir::save_keywords((fs::path(fd.dir) / kKeywords).string(), fd.keywords);
    if (!st) return st.error();
  }
  return info;
}

Status MailStore::write_new(FolderData& fd, Message& m) {
  if (fd.dir.empty()) return ok();
  auto info = info_locked(fd, m.m.flags);
  if (!info) return info.error();
  return write_file(fd.dir, info.value(), m);
}

Status MailStore::write_file(const std::string& folder_dir, const std::string& info, Message& m) {
  fs::path dir(folder_dir);
  // maildir(5): write to tmp/, then link into new/ or cur/. link() never
  // replaces an existing file (rename() would, silently losing a message), so
  // a name collision just means another try with a fresh name. The file and
  // the directory naming it are fsynced before we return: the caller may
  // answer 250 next (RFC 5321 §6.1).
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    unsigned char rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return io_failure("no randomness for a Maildir file name");
    char hex[17];
    for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    // time, then unique parts (microseconds, pid, counter, random), then the host.
    m.base = std::to_string(now / 1000000) + ".M" + std::to_string(now % 1000000) + "P" +
             std::to_string(::getpid()) + "Q" + std::to_string(++file_counter_) + "R" + hex + ".mailprobe";
    fs::path tmp = dir / "tmp" / m.base;
    // The file's mtime carries INTERNALDATE across restarts (RFC 3501 §6.4.7:
    // a copy keeps the original's date).
    auto st = maildir::write_synced(tmp.string(), *m.m.bytes, m.m.internal_date);
    if (!st) return st.error();
    m.rel = info.empty() ? "new/" + m.base : "cur/" + m.base + ":2," + info;
    int rc = ::link(tmp.c_str(), (dir / m.rel).c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) return maildir::sync_dir((dir / (info.empty() ? "new" : "cur")).string());
    if (err != EEXIST) return io_failure("cannot move " + tmp.string() + " into place");
  }
  return io_failure("no unique Maildir file name after 8 tries");
}

/// One delivery costs one appended uidlist line, not a rewrite of the list
/// (that made filling a folder O(N^2), issue 17).
Status MailStore::append_uid(FolderData& fd, const Message& m) {
  if (fd.dir.empty()) return ok();
  return maildir::append_line((fs::path(fd.dir) / kUidList).string(), std::to_string(m.m.uid) + " " + m.base);
}

Status MailStore::rename_for_flags(FolderData& fd, Message& m) {
  if (fd.dir.empty()) return ok();
  bool new_keyword = false;
  std::string rel = "cur/" + m.base + ":2," + info_for(m.m.flags, fd.keywords, &new_keyword);
  fs::path dir(fd.dir);
  if (new_keyword) {
    auto st = maildir::save_keywords((dir / kKeywords).string(), fd.keywords);
    if (!st) return st.error();
  }
  if (rel == m.rel) return ok();
  if (std::rename((dir / m.rel).c_str(), (dir / rel).c_str()) != 0)
    return io_failure("cannot rename " + (dir / m.rel).string());
  m.rel = rel;
  return ok();
}

MailStore::FolderData* MailStore::folder(const std::string& user, Folder f) const {
  auto it = boxes_.find(user);
  if (it == boxes_.end()) return nullptr;
  return &it->second->folders[static_cast<int>(f)];
}

Outcome<std::uint32_t> MailStore::deliver(const std::string& user, Folder f, std::string bytes,
                                          std::vector<std::string> flags,
                                          WallClock::time_point internal_date) {
  std::uint32_t uid = 0;
  std::string dir, info;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FolderData* fd = folder(user, f);
    if (!fd) return io_failure("no such user " + user);
    dir = fd->dir;
    normalize(flags);
    if (!fd->dir.empty()) {
      auto i = info_locked(*fd, flags);
      if (!i) return i.error();
      info = i.value();
    }
  }
  Message msg;
  msg.m.flags = std::move(flags);
  msg.m.internal_date = internal_date;
  msg.m.bytes = std::make_shared<const std::string>(std::move(bytes));
  // The file is written and fsynced without the store lock: deliveries (and
  // readers) do not queue behind one another's disk flushes.
  if (!dir.empty()) {
    auto st = write_file(dir, info, msg);
    if (!st) return st.error();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    FolderData* fd = folder(user, f);
    msg.m.uid = uid = fd->uidnext++;
    fd->messages.push_back(std::move(msg));
    auto st = append_uid(*fd, fd->messages.back());
    if (!st) return st.error();
  }
  notify(user);
  return uid;
}

Outcome<FolderSnapshot> MailStore::snapshot(const std::string& user, Folder f) const {
  std::lock_guard<std::mutex> lock(mu_);
  FolderData* fd = folder(user, f);
  if (!fd) return io_failure("no such user " + user);
  FolderSnapshot s;
  s.uidvalidity = fd->uidvalidity;
  s.uidnext = fd->uidnext;
  s.messages.reserve(fd->messages.size());
  for (const auto& m : fd->messages) s.messages.push_back(m.m);
  return s;
}

Outcome<std::vector<std::string>> MailStore::store_flags(const std::string& user, Folder f,
                                                         std::uint32_t uid, FlagOp op,
                                                         const std::vector<std::string>& flags) {
  std::vector<std::string> result;
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FolderData* fd = folder(user, f);
    if (!fd) return io_failure("no such user " + user);
    auto it = std::find_if(fd->messages.begin(), fd->messages.end(),
                           [&](const Message& m) { return m.m.uid == uid; });
    if (it == fd->messages.end()) return io_failure("no such message");
    std::vector<std::string> next = it->m.flags;
    if (op == FlagOp::replace) next = flags;
    if (op == FlagOp::add) next.insert(next.end(), flags.begin(), flags.end());
    if (op == FlagOp::remove)
      for (const auto& fl : flags) next.erase(std::remove(next.begin(), next.end(), fl), next.end());
    normalize(next);
    changed = next != it->m.flags;
    it->m.flags = next;
    if (changed) {
      auto st = rename_for_flags(*fd, *it);
      if (!st) return st.error();
    }
    result = next;
  }
  if (changed) notify(user);
  return result;
}

Outcome<std::vector<std::uint32_t>> MailStore::expunge(
    const std::string& user, Folder f, const std::optional<std::vector<std::uint32_t>>& only) {
  std::vector<std::uint32_t> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FolderData* fd = folder(user, f);
    if (!fd) return io_failure("no such user " + user);
    std::vector<Message> keep;
    for (auto& m : fd->messages) {
      bool deleted = std::find(m.m.flags.begin(), m.m.flags.end(), "\\Deleted") != m.m.flags.end();
      bool chosen = !only || std::find(only->begin(), only->end(), m.m.uid) != only->end();
      if (deleted && chosen) {
        removed.push_back(m.m.uid);
        if (!fd->dir.empty()) std::remove((fs::path(fd->dir) / m.rel).c_str());
      } else {
        keep.push_back(std::move(m));
      }
    }
    fd->messages = std::move(keep);
    if (!removed.empty()) {
      auto st = persist_uidlist(*fd);
      if (!st) return st.error();
    }
  }
  if (!removed.empty()) notify(user);
  return removed;
}

Outcome<CopyResult> MailStore::copy(const std::string& user, Folder from, Folder to,
                                    const std::vector<std::uint32_t>& uids, bool move) {
  CopyResult r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FolderData* src = folder(user, from);
    FolderData* dst = folder(user, to);
    if (!src || !dst) return io_failure("no such user " + user);
    r.dst_uidvalidity = dst->uidvalidity;
    std::vector<std::uint32_t> sorted = uids;
    std::sort(sorted.begin(), sorted.end());
    for (std::uint32_t uid : sorted) {
      auto it = std::find_if(src->messages.begin(), src->messages.end(),
                             [&](const Message& m) { return m.m.uid == uid; });
      if (it == src->messages.end()) continue;
      Message copy;
      copy.m = it->m;
      auto st = write_new(*dst, copy);
      if (!st) return st.error();
      copy.m.uid = dst->uidnext++;
      r.src_uids.push_back(uid);
      r.dst_uids.push_back(copy.m.uid);
      dst->messages.push_back(std::move(copy));
      st = append_uid(*dst, dst->messages.back());
      if (!st) return st.error();
    }
    if (move) {
      std::vector<Message> keep;
      for (auto& m : src->messages) {
        if (std::find(r.src_uids.begin(), r.src_uids.end(), m.m.uid) != r.src_uids.end()) {
          if (!src->dir.empty()) std::remove((fs::path(src->dir) / m.rel).c_str());
        } else {
          keep.push_back(std::move(m));
        }
      }
      src->messages = std::move(keep);
      auto st = persist_uidlist(*src);
      if (!st) return st.error();
    }
  }
  if (!r.src_uids.empty()) notify(user);
  return r;
}

std::vector<std::uint32_t> MailStore::claim_recent(const std::string& user, Folder f) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::uint32_t> uids;
  FolderData* fd = folder(user, f);
  if (!fd) return uids;
  for (const auto& m : fd->messages)
    if (m.m.uid > fd->recent_claimed) uids.push_back(m.m.uid);
  fd->recent_claimed = fd->uidnext - 1;
  return uids;
}

std::uint32_t MailStore::unclaimed_recent(const std::string& user, Folder f) const {
  std::lock_guard<std::mutex> lock(mu_);
  FolderData* fd = folder(user, f);
  if (!fd) return 0;
  return static_cast<std::uint32_t>(std::count_if(fd->messages.begin(), fd->messages.end(),
                                                  [&](const Message& m) { return m.m.uid > fd->recent_claimed; }));
}

MailStore::WatchId MailStore::watch(const std::string& user, std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  WatchId id = next_watch_++;
  watchers_[id] = {user, std::move(wake)};
  return id;
}

void MailStore::unwatch(WatchId id) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  watchers_.erase(id);
}

void MailStore::notify(const std::string& user) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  for (auto& [id, w] : watchers_)
    if (w.first == user) w.second();
}

}  // namespace mailprobe::serve
