#pragma once

// The local user list. Names are case-insensitive and stored lower-case.
//
// Users file format (seed 004, extended): one entry per line, `name` or
// `name:password`; blank lines and lines starting with '#' are ignored.
// A bare `name` gets the default password (`--password`), or, when none is
// set, a password equal to the name itself, so seed-004 files work unchanged.
// Without a file the users come from `--user name[:password]`, or else the
// demo pair alice:alice and bob:bob.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.hpp"
#include "core/failure.hpp"

namespace mailprobe::serve {

struct User {
  std::string name;      // lower-case
  std::string password;  // compared exactly
};

class Users {
 public:
  Users() = default;

  /// Parses `name` / `name:password` specs. Fails (Stage::config) on an empty or invalid name.
  static Outcome<Users> from_specs(const std::vector<std::string>& specs,
                                   const std::string& default_password = {});
  /// Reads a users file (format above). Fails (Stage::config) if unreadable or empty.
  static Outcome<Users> load_file(const std::string& path,
                                  const std::string& default_password = {});
  /// The default demo users: alice:alice and bob:bob.
  static Users demo();

  /// Restricts addresses to these domains (case-insensitive). Empty = any domain.
  void set_domains(std::vector<std::string> domains);

  /// The canonical user name for a local part or a full address, or nullopt.
  /// "Alice", "alice@example.org" and "<ALICE@x>" all resolve to "alice".
  std::optional<std::string> resolve(std::string_view address) const;
  /// True if the login name (local part or address) exists and the password matches.
  std::optional<std::string> authenticate(std::string_view login, std::string_view password) const;

  const std::vector<User>& all() const { return users_; }

 private:
  Status add(std::string_view spec, const std::string& default_password);
  std::vector<User> users_;
  std::vector<std::string> domains_;
};

using ::mailprobe::ascii_lower;  // core/ascii.hpp
using ::mailprobe::ascii_upper;
using ::mailprobe::iequals;

}  // namespace mailprobe::serve
