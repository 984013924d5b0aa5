#pragma once

// One certificate store per trust source per process, handed to every TLS
// handshake libcurl makes (SMTP, IMAP, token and policy fetches), instead of
// libcurl parsing the CA bundle again for each connection: the system bundle
// costs about 20 ms of CPU per parse on the development machine, a run opens
// two to a few dozen connections. An X509_STORE is reference-counted and may
// be shared by several SSL_CTXs for verification (OpenSSL's X509_STORE
// locks its own lookups).
//
// Trust anchors: --ca-file when given; otherwise $SSL_CERT_FILE /
// $SSL_CERT_DIR when set (OpenSSL's conventions); otherwise the system store
// read through its hashed directory (/usr/lib/ssl/certs -> /etc/ssl/certs on
// Debian, where update-ca-certificates keeps one link per CA: the same CAs
// as the bundle libcurl would parse, but only those a chain needs are read),
// or, where there is no such directory, the bundle libcurl was built with.

#include <curl/curl.h>

#include <string>

#include "net/endpoint.hpp"

namespace mailprobe::net {

/// --ca-file checked before any connection (a bundle that could not be
/// loaded would otherwise surface only as a TLS failure of the first leg):
/// "" when `path` is a readable file holding at least one certificate
/// OpenSSL parses, otherwise one reason (file errors as in
/// core/file_check.hpp, or "is not a PEM CA bundle ..."). The store it
/// parsed is the one the run's handshakes then use.
std::string ca_file_problem(const std::string& path);

/// True when `dir` holds at least one certificate link named the way
/// `openssl rehash` names them (8 hex digits, '.', an index): a directory
/// OpenSSL can look CAs up in. Reads the directory.
bool holds_hashed_certs(const std::string& dir);

/// Sets `h`'s trust anchors for `tls`: with verification on, the shared
/// store through CURLOPT_SSL_CTX_FUNCTION (libcurl's own CA file and path
/// unset, so it parses nothing); with --insecure, none at all. When the
/// store cannot be built (an unreadable --ca-file), falls back to
/// CURLOPT_CAINFO, so libcurl reports the file as it always did.
void use_shared_ca_store(CURL* h, const TlsPolicy& tls);

}  // namespace mailprobe::net
