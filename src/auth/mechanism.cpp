#include "auth/mechanism.hpp"

namespace mailprobe::auth {

std::string_view to_string(Mechanism m) {
  switch (m) {
    case Mechanism::password: return "password";
    case Mechanism::xoauth2: return "xoauth2";
    case Mechanism::oauthbearer: return "oauthbearer";
  }
  return "password";
}

std::optional<Mechanism> parse_mechanism(std::string_view s) {
  for (auto m : {Mechanism::password, Mechanism::xoauth2, Mechanism::oauthbearer})
    if (s == to_string(m)) return m;
  return std::nullopt;
}

std::string_view sasl_name(Mechanism m) {
  switch (m) {
    case Mechanism::password: return "";
    case Mechanism::xoauth2: return "XOAUTH2";
    case Mechanism::oauthbearer: return "OAUTHBEARER";
  }
  return "";
}

}  // namespace mailprobe::auth
