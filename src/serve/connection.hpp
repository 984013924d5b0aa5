#pragma once

// The thin I/O loop for one client connection: it moves bytes between a
// socket (plain or TLS) and a session state machine, and turns the session's
// wishes (close, STARTTLS) and outside events (idle timeout, mailbox change,
// shutdown) into calls. It makes no protocol decisions.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "serve/faults.hpp"
#include "serve/mail_store.hpp"
#include "serve/smtp_session.hpp"
#include "serve/tls.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

enum class Protocol { smtp, imap };

/// Everything a connection needs; owned by the Server and shared by all connections.
struct ConnectionContext {
  std::string hostname;
  std::size_t max_message_size = 0;
  bool require_tls = false;
  bool require_auth = false;
  std::chrono::milliseconds idle_timeout{300000};       // SMTP (RFC 5321 §4.5.3.2.7: 5 min)
  std::chrono::milliseconds imap_idle_timeout{1800000};  // IMAP (RFC 3501 §5.4: at least 30 min)
  std::chrono::milliseconds line_timeout{120000};        // first to last byte of one command line
  std::chrono::milliseconds data_timeout{600000};        // one DATA body or IMAP command with literals
  std::size_t imap_max_output = 1024 * 1024;             // pending IMAP responses before reading stops
  std::FILE* log = nullptr;                              // session failures, IMAP logins; null = silent
  const Users* users = nullptr;
  const Faults* faults = nullptr;
  MailStore* store = nullptr;
  DeliverySink* sink = nullptr;
  std::shared_ptr<TlsContext> tls;  // null: no STARTTLS, no implicit TLS
  const std::atomic<bool>* stopping = nullptr;
};

/// Serves one accepted, non-blocking socket until the session ends, the peer goes
/// away, a timeout fires or the server stops (signalled through `wake_fd`, an
/// eventfd that the server writes to). Blocks; closes `fd` but not `wake_fd`.
/// Never throws: an exception from the session (a bug, or memory exhausted) is
/// logged and ends this connection with "421" or "* BYE", not the process.
void run_connection(int fd, int wake_fd, Protocol protocol, bool implicit_tls, std::string peer_ip,
                    const ConnectionContext& ctx);

}  // namespace mailprobe::serve
