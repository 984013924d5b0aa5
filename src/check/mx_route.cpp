#include "check/mx_route.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "dns/resolver.hpp"
#include "message/address.hpp"

namespace mailprobe::check {

std::optional<std::string> mx_domain(const std::string& smtp_host, const std::string& email_to) {
  if (smtp_host.rfind("mx:", 0) != 0) return std::nullopt;
  std::string d = smtp_host.substr(3);
  if (d.empty()) d = std::string(message::domain_of(email_to));
  return d;
}

void order_candidates(std::vector<MxCandidate>& c) {
  std::stable_sort(c.begin(), c.end(), [](const MxCandidate& a, const MxCandidate& b) {
    if (a.preference != b.preference) return a.preference < b.preference;
    if (a.connect_us.has_value() != b.connect_us.has_value()) return a.connect_us.has_value();
    if (a.connect_us && b.connect_us) return *a.connect_us < *b.connect_us;
    return false;
  });
}

namespace {

/// Time to complete a TCP connect to address:port, or nullopt.
std::optional<std::int64_t> connect_latency(const std::string& address, int port, std::chrono::milliseconds limit) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &ai) != 0 || !ai) return std::nullopt;
  std::optional<std::int64_t> out;
  int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    auto t0 = SteadyClock::now();
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(limit.count())) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
      }
    }
    if (rc == 0) out = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
    ::close(fd);
  }
  freeaddrinfo(ai);
  return out;
}

}  // namespace

Outcome<std::vector<MxCandidate>> mx_candidates(const std::string& domain, int port, const std::string& dns_server,
                                                const Deadline& dl) {
  auto timeout = std::chrono::milliseconds(std::min(dl.remaining_ms(), 5000L));
  auto mx = dns::lookup_mx(domain, timeout, dns_server);
  if (!mx) return Failure(Stage::smtp_connect, Result::dns_error, "MX lookup for " + domain + ": " + mx.error().reply_text);
  std::vector<MxCandidate> out;
  for (const auto& rec : mx.value()) {
    if (rec.host.empty()) continue;  // RFC 7505 null MX
    auto addrs = dns::resolve_addresses(rec.host);
    if (!addrs) continue;
    for (const auto& a : addrs.value()) {
      auto limit = std::chrono::milliseconds(std::min(dl.remaining_ms(), 3000L));
      out.push_back({rec.host, a, rec.preference, connect_latency(a, port, limit)});
    }
  }
  if (out.empty()) return Failure(Stage::smtp_connect, Result::dns_error, "no usable MX host for " + domain);
  order_candidates(out);
  return out;
}

}  // namespace mailprobe::check
