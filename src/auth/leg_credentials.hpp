#pragma once

// The glue between a leg's configuration and its login: fills in the
// bearer token right before the leg connects, so a token file is re-read
// and a cached token renewed on every check (execd included).

#include <string>

#include "auth/token_cache.hpp"
#include "auth/token_source.hpp"
#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::auth {

/// `creds` unchanged for password legs; for OAuth2 legs a copy with
/// `bearer` set from `spec` (token_source.hpp). The token endpoint is
/// verified with `tls`. Tokens are cached in the process and, when
/// `state_file` is set, in cache_file_for(state_file). Failures carry
/// `stage` (smtp_token / imap_token) and result token_error.
Outcome<net::Credentials> leg_credentials(const net::Credentials& creds, const TokenSpec& spec, Stage stage,
                                          const net::TlsPolicy& tls, const Deadline& dl,
                                          const std::string& state_file);

/// After the server refused a fetched token (auth_failed): drop it from the
/// caches so the next check fetches a fresh one.
void forget_leg_token(const TokenSpec& spec, const std::string& state_file);

}  // namespace mailprobe::auth
