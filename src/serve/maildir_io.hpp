#pragma once

// File operations behind the Maildir store (mail_store.cpp), with the
// durability an MTA owes its clients: RFC 5321 §6.1 makes a 250 reply to
// DATA a promise, so a delivered file and the directory entry that names it
// reach the disk before the store returns.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"

namespace mailprobe::serve::maildir {

/// Creates `path` (which must not exist) with `bytes`, sets its mtime to
/// `mtime` (INTERNALDATE) and fsyncs it. On failure the file is removed.
Status write_synced(const std::string& path, std::string_view bytes, std::chrono::system_clock::time_point mtime);

/// fsyncs a directory, so that a link() or rename() in it is durable.
Status sync_dir(const std::string& dir);

/// Appends `line` to `path` (created if missing) with one write(2) on an
/// O_APPEND descriptor: concurrent appends do not interleave.
Status append_line(const std::string& path, std::string_view line);

/// Removes files left in a Maildir tmp/ directory: our own (name ending in
/// ".mailprobe", a delivery cut short by a crash) at once, other writers'
/// after 36 hours (maildir(5)). Returns how many were removed.
std::size_t clean_tmp(const std::string& tmp_dir, std::chrono::system_clock::time_point now);

/// Dovecot's keyword file (dovecot-keywords: "<index> <keyword>" lines): the
/// keyword for info letter 'a' + index. At most 26.
std::vector<std::string> load_keywords(const std::string& path);
Status save_keywords(const std::string& path, const std::vector<std::string>& keywords);

}  // namespace mailprobe::serve::maildir
