#pragma once

// One logged-in IMAP connection watching one mailbox: the pieces run_check
// strings together for the watched mailbox and, in parallel, the junk folder.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/failure.hpp"
#include "net/endpoint.hpp"
#include "imap/curl_link.hpp"
#include "imap/session.hpp"

namespace mailprobe::check {

struct ImapLeg {
  imap::LinkInfo info;
  std::unique_ptr<imap::CurlLink> link;
  std::unique_ptr<imap::Session> session;
  std::set<std::string> caps;
  std::string tls_version, tls_cipher;
  std::string mailbox;
  std::uint32_t uidnext = 1;
  std::optional<std::int64_t> select_us;  // CAPABILITY + SELECT
};

/// Connects, secures, logs in and reads CAPABILITY; blocks until then or dl.
/// A set `stop` flag aborts the login with result=timeout. Used by check
/// (inbox, junk, the sender's mailbox for bounces) and by cleanup.
Outcome<std::unique_ptr<ImapLeg>> open_leg(const net::Endpoint& server, const net::TlsPolicy& tls,
                                           const net::Credentials& creds, const Deadline& dl,
                                           const std::atomic<bool>* stop = nullptr);

/// SELECTs the mailbox and remembers UIDNEXT (RFC 3501 §7.1). Failures at imap_select.
Status select_mailbox(ImapLeg& leg, const std::string& mailbox, const Deadline& dl);

/// The junk folder from LIST (insight::choose_junk_mailbox: the \Junk
/// special-use attribute, RFC 6154, else a common name). "" when there is none.
std::string find_junk(imap::Session& s, const Deadline& dl);

/// Polite LOGOUT bounded to 2 s (or what is left of dl); the result is ignored.
void logout(ImapLeg& leg, const Deadline& dl);

}  // namespace mailprobe::check
