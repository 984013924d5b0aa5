#pragma once

// The `probe` flags of issue 16: --policy, --policy-domain,
// --mta-sts-connect-to and --expect. Declared here so app/probe_options.cpp
// adds and reads them with one call each; validated before any network I/O.
// A bad value throws UsageError (app/usage_error.hpp).

#include <cxxopts.hpp>

#include <string>
#include <vector>

#include "policy/expect.hpp"

namespace mailprobe::app {

struct PolicyFlags {
  bool enabled = false;                     // --policy
  std::string domain;                       // --policy-domain (probe smtp): MTA-STS / TLS-RPT domain
  std::string sts_connect_to;               // --mta-sts-connect-to ADDR:PORT
  std::vector<policy::Expectation> expect;  // --expect, in order
  bool wants_credentials() const;           // an auth-refused check needs --username
};

/// Adds the flags to the `probe` option spec.
void add_policy_flags(cxxopts::Options& spec);

/// What the mode of the probe allows; from the probe Options.
struct PolicyModeFacts {
  bool mx = false, smtp = false, implicit_tls = false, seed_schema = false;
};

/// Reads and validates the flags; throws UsageError with one line.
PolicyFlags parse_policy_flags(const cxxopts::ParseResult& args, const PolicyModeFacts& mode);

}  // namespace mailprobe::app
