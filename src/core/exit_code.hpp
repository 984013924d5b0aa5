#pragma once

namespace mailprobe {

/// Process exit status, shared by every sub-command. Wrappers rely on these:
/// 0 = the mail flowed, 1 = a real finding (a record was printed),
/// 2 = the user's configuration is wrong (nothing was sent), 3 = mailprobe broke.
enum class ExitCode : int { ok = 0, check_failed = 1, usage = 2, internal = 3 };

inline int to_int(ExitCode c) { return static_cast<int>(c); }

}  // namespace mailprobe
