#include "dns/resolver.hpp"

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>

namespace mailprobe::dns {

bool parse_dns_server(const std::string& text, std::string& address, int& port) {
  auto colon = text.find(':');
  address = text.substr(0, colon);
  port = 53;
  if (colon != std::string::npos) {
    std::string p = text.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
    port = std::stoi(p);
    if (port < 1 || port > 65535) return false;
  }
  in_addr a{};
  return inet_pton(AF_INET, address.c_str(), &a) == 1;
}

Outcome<std::vector<MxRecord>> lookup_mx(const std::string& domain,
                                         std::chrono::milliseconds timeout,
                                         const std::string& server) {
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0)
    return Failure(Stage::none, Result::dns_error, "resolver initialisation failed");
  long secs = (timeout.count() + 999) / 1000;
  state.retrans = static_cast<int>(std::max(1L, secs));
  state.retry = 1;
  if (!server.empty()) {
    std::string addr;
    int port = 53;
    if (!parse_dns_server(server, addr, port)) {
      res_nclose(&state);
      return Failure(Stage::none, Result::dns_error, "invalid DNS server " + server);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    state.nscount = 1;
    state.nsaddr_list[0] = sa;
  }
  unsigned char answer[NS_MAXMSG];
  int n = res_nquery(&state, domain.c_str(), ns_c_in, ns_t_mx, answer, sizeof answer);
  int herr = state.res_h_errno;
  res_nclose(&state);
  if (n < 0) {
    if (herr == NO_DATA) return std::vector<MxRecord>{{0, domain, true}};
    if (herr == HOST_NOT_FOUND) return Failure(Stage::none, Result::dns_error, "NXDOMAIN");
    if (herr == TRY_AGAIN)
      return Failure(Stage::none, Result::dns_error, "DNS server unreachable or SERVFAIL");
    return Failure(Stage::none, Result::dns_error, hstrerror(herr));
  }
  auto parsed = parse_mx_answer({answer, static_cast<std::size_t>(n)});
  if (!parsed) return parsed;
  if (parsed.value().empty()) return std::vector<MxRecord>{{0, domain, true}};
  return parsed;
}

Outcome<std::vector<std::string>> resolve_addresses(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return Failure(Stage::none, Result::dns_error, gai_strerror(rc));
  std::vector<std::string> out;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src = ai->ai_family == AF_INET6
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    if (inet_ntop(ai->ai_family, src, buf, sizeof buf) == nullptr) continue;
    if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
  }
  freeaddrinfo(res);
  if (out.empty()) return Failure(Stage::none, Result::dns_error, "no addresses");
  return out;
}

}  // namespace mailprobe::dns
