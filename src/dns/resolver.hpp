#pragma once

// The I/O half of DNS: the system resolver (libresolv, /etc/resolv.conf) for
// MX and getaddrinfo for addresses. Both block for at most the given timeout
// (rounded up to whole seconds for the resolver).

#include <chrono>
#include <string>
#include <vector>

#include "core/failure.hpp"
#include "dns/mx.hpp"

namespace mailprobe::dns {

/// MX records of `domain`, sorted by preference. No MX records (NODATA) gives
/// the implicit MX: {0, domain, implicit=true} (RFC 5321 §5.1). NXDOMAIN,
/// SERVFAIL, timeouts and unreachable servers give Failure{_, dns_error}.
/// `server` ("IPv4" or "IPv4:port"), when non-empty, replaces the servers of
/// /etc/resolv.conf (like dig @server).
Outcome<std::vector<MxRecord>> lookup_mx(const std::string& domain,
                                         std::chrono::milliseconds timeout,
                                         const std::string& server = {});

/// Parses "192.0.2.1" or "192.0.2.1:5353" into address and port (default 53).
bool parse_dns_server(const std::string& text, std::string& address, int& port);

/// Every address of `host` (IPv6 and IPv4, numeric text, getaddrinfo order,
/// without duplicates). Failure{_, dns_error, gai_strerror} if none.
Outcome<std::vector<std::string>> resolve_addresses(const std::string& host);

}  // namespace mailprobe::dns
