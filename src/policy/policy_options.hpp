#pragma once

// The `probe` flags of this module: --policy, --policy-domain,
// --mta-sts-connect-to and --expect. Declared here so probe/options.cpp adds
// and reads them with one call each; validated before any network I/O.

#include <optional>
#include <string>
#include <vector>

#include "policy/expect.hpp"

namespace cxxopts {
class Options;
class ParseResult;
}  // namespace cxxopts

namespace mailprobe::policy {

struct PolicyFlags {
  bool enabled = false;             // --policy
  std::string domain;               // --policy-domain (probe smtp): MTA-STS / TLS-RPT domain
  std::string sts_connect_to;       // --mta-sts-connect-to ADDR:PORT
  std::vector<Expectation> expect;  // --expect, in order
  bool wants_credentials() const;   // an auth-refused check needs --username
};

/// Adds the flags to the `probe` option spec.
void add_policy_options(cxxopts::Options& spec);

/// What the mode of the probe allows; from probe::Options.
struct ModeFacts {
  bool mx = false, smtp = false, implicit_tls = false, seed_schema = false;
};

/// Reads and validates the flags. Returns a one-line usage error, or nullopt.
std::optional<std::string> read_policy_options(const cxxopts::ParseResult& args, const ModeFacts& mode,
                                               PolicyFlags& out);

}  // namespace mailprobe::policy
