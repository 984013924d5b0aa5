#pragma once

// Atomic replacement of a small file, as node_exporter's textfile collector
// requires: readers see the old content or the new one, never a torn file.

#include <string>

#include "core/failure.hpp"

namespace mailprobe::report {

/// Writes `content` to "<path>.tmp.<pid>" in the same directory, fsyncs it,
/// renames it over `path` and fsyncs the directory. Blocks on disk I/O. On
/// failure the temp file is removed and the Failure is Stage::none,
/// Result::internal_error with "<step> <file>: <strerror>" as reply_text.
Status write_textfile(const std::string& path, const std::string& content);

}  // namespace mailprobe::report
