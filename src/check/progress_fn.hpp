#pragma once

#include <functional>

namespace mailprobe::check {

/// Called while waiting for delivery: elapsed wait, tries so far, method.
using ProgressFn = std::function<void(double elapsed_s, int tries, const char* method)>;

}  // namespace mailprobe::check
