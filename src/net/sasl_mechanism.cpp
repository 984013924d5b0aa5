#include "net/sasl_mechanism.hpp"

namespace mailprobe::net {

std::string_view to_string(SaslMechanism m) {
  switch (m) {
    case SaslMechanism::password: return "password";
    case SaslMechanism::xoauth2: return "xoauth2";
    case SaslMechanism::oauthbearer: return "oauthbearer";
  }
  return "password";
}

std::optional<SaslMechanism> parse_mechanism(std::string_view s) {
  for (auto m : {SaslMechanism::password, SaslMechanism::xoauth2, SaslMechanism::oauthbearer})
    if (s == to_string(m)) return m;
  return std::nullopt;
}

std::string_view sasl_name(SaslMechanism m) {
  switch (m) {
    case SaslMechanism::password: return "";
    case SaslMechanism::xoauth2: return "XOAUTH2";
    case SaslMechanism::oauthbearer: return "OAUTHBEARER";
  }
  return "";
}

}  // namespace mailprobe::net
