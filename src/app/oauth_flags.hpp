#pragma once

// The OAuth2 flags of one mail leg (X = smtp or imap):
//   --X-auth password|xoauth2|oauthbearer
//   --X-token-file, --X-token-command,
//   --X-oauth2-token-url, --X-oauth2-client-id, --X-oauth2-client-secret-file,
//   --X-oauth2-scope, --X-oauth2-refresh-token-file.
// Secrets are only ever taken from files, never from argv.

#include <cxxopts.hpp>

#include <string>
#include <vector>

#include "auth/token_source.hpp"

namespace mailprobe::app {

/// Declares the flags for `leg` in the option group `group`.
void add_oauth_options(cxxopts::Options& o, const std::string& leg, const std::string& group);

/// Reads and validates them; throws UsageError (app/usage_error.hpp).
/// Sources given beyond the first that wins add a warning.
auth::TokenSpec parse_oauth_flags(const cxxopts::ParseResult& r, const std::string& leg,
                                  std::vector<std::string>& warnings);

}  // namespace mailprobe::app
