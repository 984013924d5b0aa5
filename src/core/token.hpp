#pragma once

#include <optional>
#include <string>

namespace mailprobe {

/// 128 bits from OpenSSL's CSPRNG as 32 lowercase hex characters.
/// Returns nullopt only if the CSPRNG fails (RAND_bytes != 1).
std::optional<std::string> random_token();

}  // namespace mailprobe
