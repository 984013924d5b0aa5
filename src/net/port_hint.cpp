#include "net/port_hint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>

namespace mailprobe::net {

namespace {

const char* flag_prefix(Leg p) { return p == Leg::smtp ? "--smtp" : "--imap"; }

std::string quoted_start(std::string_view line) {
  std::string s(line.substr(0, 40));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == '"') c = ' ';
  return "\"" + s + (line.size() > 40 ? "...\"" : "\"");
}

bool looks_like_smtp_reply(std::string_view l) {
  return l.size() >= 4 && std::isdigit(static_cast<unsigned char>(l[0])) &&
         std::isdigit(static_cast<unsigned char>(l[1])) && std::isdigit(static_cast<unsigned char>(l[2])) &&
         (l[3] == ' ' || l[3] == '-');
}

bool looks_like_imap_greeting(std::string_view l) {
  return l.rfind("* OK", 0) == 0 || l.rfind("* PREAUTH", 0) == 0 || l.rfind("* BYE", 0) == 0;
}

/// A socket connected to ip:port within `budget`, or -1.
int connect_within(const std::string& ip, long port, std::chrono::milliseconds budget) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return -1;
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t elen = sizeof err;
  if (::poll(&p, 1, static_cast<int>(budget.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::optional<std::string> foreign_greeting_hint(Leg expected, std::string_view first_line, long port) {
  std::string p = std::to_string(port);
  if (expected == Leg::smtp && looks_like_imap_greeting(first_line))
    return "the server greeted with " + quoted_start(first_line) + ", an IMAP greeting: --smtp-port " + p +
           " is an IMAP port; give the SMTP port (587 submission, 465 SMTPS, 25)";
  if (expected == Leg::imap && looks_like_smtp_reply(first_line))
    return "the server greeted with " + quoted_start(first_line) + ", an SMTP greeting: --imap-port " + p +
           " is an SMTP port; give the IMAP port (143, or 993 with --imap-tls tls)";
  return std::nullopt;
}

bool speaks_tls_at_once(const std::string& ip, long port, std::chrono::milliseconds budget) {
  auto until = std::chrono::steady_clock::now() + budget;
  int fd = connect_within(ip, port, budget);
  if (fd < 0) return false;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(ctx ? SSL_new(ctx.get()) : nullptr, &SSL_free);
  bool tls = false;
  if (ssl && SSL_set_fd(ssl.get(), fd) == 1) {
    SSL_set_connect_state(ssl.get());
    while (true) {
      int rc = SSL_do_handshake(ssl.get());
      if (rc == 1) {
        tls = true;
        break;
      }
      int e = SSL_get_error(ssl.get(), rc);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{fd, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
    }
    if (tls) SSL_shutdown(ssl.get());
  }
  ERR_clear_error();  // keep libcurl's error queue reading clean
  ::close(fd);
  return tls;
}

std::string implicit_tls_hint(Leg p, long port) {
  return "no greeting after " + std::to_string(kGreetingSniffAfter.count() / 1000) +
         " s, but the server answers a TLS handshake: it speaks TLS at once; use " + flag_prefix(p) +
         "-tls tls for port " + std::to_string(port);
}

std::string plain_text_port_hint(Leg p, long port) {
  return std::string("the server answered in plain text, not TLS (wrong version number): use ") + flag_prefix(p) +
         "-tls starttls (or none) for port " + std::to_string(port);
}

}  // namespace mailprobe::net
