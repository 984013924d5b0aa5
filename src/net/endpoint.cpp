#include "net/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cctype>

namespace mailprobe::net {

std::string_view to_string(TlsMode m) {
  switch (m) {
    case TlsMode::none: return "none";
    case TlsMode::tls: return "tls";
    case TlsMode::starttls: return "starttls";
  }
  return "none";
}

std::optional<TlsMode> parse_tls_mode(std::string_view s) {
  if (s == "none") return TlsMode::none;
  if (s == "tls") return TlsMode::tls;
  if (s == "starttls") return TlsMode::starttls;
  return std::nullopt;
}

std::string Endpoint::authority() const {
  bool bare_v6 = host.find(':') != std::string::npos && host.front() != '[';
  std::string h = bare_v6 ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string host_problem(std::string_view host) {
  if (host.empty()) return "is empty";
  if (host.size() > 253) return "is longer than 253 characters";
  std::string h(host);
  if (h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);  // [IPv6]
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1) return {};
  // A host name: dot-separated labels of letters, digits, '-' and '_' (RFC 1123
  // §2.1, plus the underscores internal names use), no label starting or
  // ending with '-'. Anything else would only fail later, at connect time.
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    std::string_view label = host.substr(start, end - start);
    if (label.empty()) {
      if (end == host.size() && start > 0) break;  // one trailing dot (FQDN) is fine
      return "is not a host name or IP address";
    }
    if (label.size() > 63) return "has a label longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "has a label starting or ending with '-'";
    for (unsigned char c : label)
      if (!std::isalnum(c) && c != '-' && c != '_') {
        if (c <= 0x20 || c == 0x7f) return "contains whitespace or a control character";
        return "is not a host name or IP address";
      }
    start = end + 1;
  }
  return {};
}

}  // namespace mailprobe::net
