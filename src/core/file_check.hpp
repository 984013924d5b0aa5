#pragma once

// Configuration files checked before anything is sent, with the reason a
// person can act on: the errno text, who we run as, and where a relative
// path was taken from (Telegraf and cron start us in /).

#include <string>

namespace mailprobe {

/// "" when `path` is a regular file this process can read; otherwise the
/// reason, e.g. "No such file or directory (relative to /)",
/// "Permission denied (running as uid 65534)", "is a directory".
std::string readable_file_problem(const std::string& path);

/// "" when files can be created in the directory holding `file`; otherwise
/// e.g. "directory /x does not exist", "/x is not writable: Permission denied
/// (running as uid 103)".
std::string writable_dir_problem(const std::string& file);

/// The one line for a bad file flag: "<what> '<path>' is a directory" for
/// problems that start with "is ", else "cannot read <what> '<path>': <problem>".
std::string file_message(const std::string& what, const std::string& path, const std::string& problem);

/// strerror(err) with the uid for EACCES/EPERM and the working directory for
/// a relative `path`.
std::string errno_reason(int err, const std::string& path);

}  // namespace mailprobe
