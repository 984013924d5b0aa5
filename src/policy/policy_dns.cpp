#include "policy/policy_dns.hpp"

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include "dns/resolver.hpp"

namespace mailprobe::policy {

Outcome<RrAnswer> query(const std::string& name, std::uint16_t type, std::chrono::milliseconds timeout,
                        const std::string& server) {
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) return Failure(Stage::none, Result::dns_error, "resolver initialisation failed");
  long secs = (timeout.count() + 999) / 1000;
  state.retrans = static_cast<int>(std::max(1L, secs));
  state.retry = 1;
  // RFC 4035 §3.2.1: DO asks a validating resolver for DNSSEC processing;
  // it needs EDNS0 (RFC 6891).
  state.options |= RES_USE_EDNS0 | RES_USE_DNSSEC;
  if (!server.empty()) {
    std::string addr;
    int port = 53;
    if (!dns::parse_dns_server(server, addr, port)) {
      res_nclose(&state);
      return Failure(Stage::none, Result::dns_error, "invalid DNS server " + server);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    state.nscount = 1;
    state.nsaddr_list[0] = sa;
    // The user named this resolver: trust its AD bit (resolv.conf's trust-ad).
    state.options |= RES_TRUSTAD;
  }
  unsigned char q[NS_PACKETSZ + 64];
  int qlen = res_nmkquery(&state, ns_o_query, name.c_str(), ns_c_in, type, nullptr, 0, nullptr, q, sizeof q);
  if (qlen < 0) {
    res_nclose(&state);
    return Failure(Stage::none, Result::dns_error, "cannot build a DNS query for " + name);
  }
  unsigned char answer[NS_MAXMSG];
  int n = res_nsend(&state, q, qlen, answer, sizeof answer);
  res_nclose(&state);
  if (n < 0) return Failure(Stage::none, Result::dns_error, "no DNS answer for " + name + " (timeout or unreachable)");
  return parse_rr_answer({answer, static_cast<std::size_t>(n)}, type);
}

}  // namespace mailprobe::policy
