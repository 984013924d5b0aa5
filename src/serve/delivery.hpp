#pragma once

// Where accepted SMTP messages go: one copy per recipient, with our Received
// header, into INBOX or (for --junk-match) Junk, either at once or after the
// --delay-delivery fault's delay. Optionally echoes each message (--debug).

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "serve/faults.hpp"
#include "serve/mail_store.hpp"
#include "serve/smtp_session.hpp"

namespace mailprobe::serve {

class StoreSink final : public DeliverySink {
 public:
  /// `debug_out` (may be null) receives a dump of each message; `log` (may be null) one line each.
  StoreSink(MailStore& store, const Faults& faults, std::FILE* debug_out, std::FILE* log);
  ~StoreSink() override;

  /// Stores the message for every recipient (or schedules it). Fails if the store write fails.
  Status deliver(const Delivery& d) override;
  /// Delivers everything still delayed at once and stops the delay thread. Idempotent.
  void flush_and_stop();

 private:
  struct Pending {
    std::string user;
    Folder folder;
    std::string bytes;
  };
  void run_delayed();
  void print_debug(const Delivery& d);

  MailStore& store_;
  const Faults& faults_;
  std::FILE* debug_out_;
  std::FILE* log_;
  std::mutex print_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, Pending> delayed_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace mailprobe::serve
