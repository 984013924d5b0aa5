#include "net/endpoint.hpp"

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
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string host_problem(std::string_view host) {
  if (host.empty()) return "is empty";
  if (host.size() > 253) return "is longer than 253 characters";
  for (unsigned char c : host) {
    if (c <= 0x20 || c == 0x7f) return "contains whitespace or a control character";
    if (c == '/' || c == '@' || c == '?' || c == '#' || c == '\\') return "contains a character not allowed in a host name";
  }
  return {};
}

}  // namespace mailprobe::net
