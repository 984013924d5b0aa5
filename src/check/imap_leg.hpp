#pragma once

// One logged-in IMAP connection watching one mailbox: the pieces run_check
// strings together for the watched mailbox and, in parallel, the junk folder.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

/// Connects, secures, logs in and learns the capabilities: from the LOGIN
/// completion's [CAPABILITY] code when the server sends one (RFC 3501 §7.1,
/// as Dovecot does), else with a CAPABILITY command; blocks until then or dl.
/// A set `stop` flag aborts the login with result=timeout. Used by check
/// (inbox, junk, the sender's mailbox for bounces) and by cleanup. With
/// `log` (-v), the dialogue goes there, masked (net/dialogue_log.hpp).
Outcome<std::unique_ptr<ImapLeg>> open_leg(const net::Endpoint& server, const net::TlsPolicy& tls,
                                           const net::Credentials& creds, const Deadline& dl,
                                           const std::atomic<bool>* stop = nullptr,
                                           net::DialogueLog* log = nullptr, const char* log_label = "imap");

/// open_leg, then select_mailbox(`mailbox`); a leg whose SELECT fails is
/// logged out and that failure returned. For a folder opened on its own
/// connection (the lazily opened junk folder).
Outcome<std::unique_ptr<ImapLeg>> open_selected(const net::Endpoint& server, const net::TlsPolicy& tls,
                                                const net::Credentials& creds, const std::string& mailbox,
                                                const Deadline& dl, const std::atomic<bool>* stop = nullptr,
                                                net::DialogueLog* log = nullptr, const char* log_label = "imap");

/// The capabilities in the [CAPABILITY ...] code of the login's tagged OK
/// (the last login line), or nullopt if it carries none. Pure.
std::optional<std::set<std::string>> login_capabilities(const std::vector<std::string>& lines);

/// SELECTs the mailbox and remembers UIDNEXT (RFC 3501 §7.1). Failures at imap_select.
Status select_mailbox(ImapLeg& leg, const std::string& mailbox, const Deadline& dl);

/// select_mailbox with LIST "" "*" sent in the same flight (RFC 3501 §5.5),
/// to find the junk folder as find_junk does without a round trip of its own.
/// `junk` is "" when there is none or LIST failed; failures are SELECT's.
Status select_and_find_junk(ImapLeg& leg, const std::string& mailbox, const Deadline& dl, std::string& junk);

/// The junk folder from LIST (insight::choose_junk_mailbox: the \Junk
/// special-use attribute, RFC 6154, else a common name). "" when there is none.
std::string find_junk(imap::Session& s, const Deadline& dl);

/// LOGOUT (RFC 3501 §6.1.3) without waiting for the server's BYE: the
/// command goes out, then the link hangs up, so no goodbye delays the record.
void logout(ImapLeg& leg, const Deadline& dl);

}  // namespace mailprobe::check
