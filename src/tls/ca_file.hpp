#pragma once

// --ca-file checked before any connection: a bundle libcurl could not load
// would otherwise surface only as a TLS failure of the first leg.

#include <string>

namespace mailprobe::tls {

/// "" when `path` is a readable file holding at least one PEM certificate
/// that OpenSSL parses; otherwise one reason (file errors as in
/// core/file_check.hpp, or "is not a PEM CA bundle ...").
std::string ca_file_problem(const std::string& path);

}  // namespace mailprobe::tls
