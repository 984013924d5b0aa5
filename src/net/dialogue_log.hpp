#pragma once

// `check -v`: the SMTP and IMAP dialogues as they happen, one line per
// command sent and per reply line received, timed from the log's start and
// labelled by connection ("smtp", "imap", "imap#2"). Secrets never reach the
// sink: a command line is shown only when its verb is on an allowlist of
// commands that carry none (mask_command); AUTH/AUTHENTICATE keep their
// mechanism name, LOGIN its verb, and everything else a client sends (SASL
// continuations, literals) becomes "****". Message content (DATA) is not a
// command line and is never logged. Thread-safe: the legs run on their own
// threads.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::net {

enum class Dialect { smtp, imap };

/// The client line as it may be shown (no CRLF). Pure.
std::string mask_command(Dialect d, std::string_view line);

class DialogueLog {
 public:
  using Sink = std::function<void(std::string_view line)>;
  /// `sink` receives finished lines ("+0.123 smtp   > EHLO host\n").
  explicit DialogueLog(Sink sink);

  /// A new connection of this dialect, shown as `label` ("smtp", "imap",
  /// "junk"; a second one with the same label as "smtp#2", e.g. MX mode's
  /// next host); returns its id for sent/received.
  int open(Dialect d, std::string_view label);
  /// Bytes the client sent (one or more CRLF-terminated lines); each is masked.
  void sent(int conn, std::string_view bytes);
  /// A line of our own about the dialogue, e.g. "(message content, 665 bytes)"
  /// in place of what is never shown.
  void note(int conn, std::string_view text);
  /// Bytes the server sent; split into lines, each cut at 300 characters.
  void received(int conn, std::string_view bytes);

  /// Lines longer than this are cut, and after kMaxLines the log says so once and stops.
  static constexpr std::size_t kMaxLine = 300;
  static constexpr std::size_t kMaxLines = 5000;

 private:
  struct Conn {
    Dialect dialect;
    std::string base;   // the label asked for
    std::string label;  // as shown
    std::string partial_in;  // server bytes not yet ended by LF
  };
  void emit(const Conn& c, char dir, std::string_view text);

  Sink sink_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::vector<Conn> conns_;
  std::size_t lines_ = 0;
};

}  // namespace mailprobe::net
