#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::imap {

/// A connected, logged-in byte stream to an IMAP server. CurlLink is the
/// real one; tests use a scripted fake.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Writes all of data before the deadline.
  virtual Status send(std::string_view data, const Deadline& dl, Stage stage) = 0;
  /// Some bytes, or "" when the deadline passed; a closed peer is a Failure.
  virtual Outcome<std::string> recv(const Deadline& dl, Stage stage) = 0;
};

}  // namespace mailprobe::imap
