#pragma once

// The exact output shape of seed 000 (network.smtp), for users who parse it
// today: {"output": {...}, "queue": {...}} with the same object twice, every
// value a string, status_msg in Python's repr forms (a list of EHLO keywords,
// b'...' bytes), SIZE as "32.0 MB", times as "0.019s". On a failure before
// the SMTP dialogue the seed's retcode/errcode shape is used.

#include <string>

#include "probe/probe_result.hpp"

namespace mailprobe::probe {

/// One compact JSON document (no trailing newline).
std::string to_seed_json(const ProbeResult& r);

/// Python's repr of bytes: b'2.0.0 OK' (quotes chosen as Python does).
std::string python_bytes_repr(std::string_view s);

/// Python's repr of a list of str: ['A', 'B'].
std::string python_list_repr(const std::vector<std::string>& items);

}  // namespace mailprobe::probe
