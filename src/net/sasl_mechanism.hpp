#pragma once

// How a mail leg authenticates: a password (SASL PLAIN/LOGIN, or IMAP LOGIN,
// as libcurl chooses) or an OAuth2 bearer token with exactly one SASL
// mechanism: XOAUTH2 (Google/Microsoft) or OAUTHBEARER (RFC 7628).

#include <optional>
#include <string_view>

namespace mailprobe::net {

enum class SaslMechanism { password, xoauth2, oauthbearer };

/// "password", "xoauth2", "oauthbearer" (the --X-auth values).
std::string_view to_string(SaslMechanism m);
std::optional<SaslMechanism> parse_mechanism(std::string_view s);

/// The SASL name as servers advertise it ("XOAUTH2", "OAUTHBEARER"); "" for password.
std::string_view sasl_name(SaslMechanism m);

}  // namespace mailprobe::net
