#pragma once

#include <functional>
#include <string>

namespace mailprobe::check {

/// Called while waiting for delivery: elapsed wait, tries so far, method.
using ProgressFn = std::function<void(double elapsed_s, int tries, const char* method)>;

/// Called as each step of a run starts, with a short description
/// ("imap connect + login 127.0.0.1:143", "waiting for delivery").
using PhaseFn = std::function<void(const std::string& phase)>;

}  // namespace mailprobe::check
