// libFuzzer harness: the server's SMTP session fed an arbitrary byte stream
// in chunks (commands, DATA with dot-stuffing, AUTH exchanges, overlong
// lines). Accepted messages go to a sink that checks them. Invariants: no
// crash; every accepted message is within max_message_size and has at least
// one recipient; every reply line starts with a three-digit code.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "serve/smtp_session.hpp"

namespace {

struct CheckingSink : mailprobe::serve::DeliverySink {
  std::size_t max = 0;
  mailprobe::Status deliver(const mailprobe::serve::Delivery& d) override {
    if (d.data.size() > max || d.recipients.empty()) __builtin_trap();
    return mailprobe::ok();
  }
};

void check_replies(const std::string& out) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto eol = out.find("\r\n", pos);
    if (eol == std::string::npos || eol - pos < 3) __builtin_trap();
    for (std::size_t i = pos; i < pos + 3; ++i)
      if (out[i] < '0' || out[i] > '9') __builtin_trap();
    pos = eol + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::serve;
  static Users users = Users::demo();
  static Faults faults;
  CheckingSink sink;
  SmtpSettings st;
  st.max_message_size = 4096;
  st.next_queue_id = [] { return std::string("QID1"); };
  sink.max = st.max_message_size;
  SmtpSession s(st, users, faults, sink);
  s.start();
  check_replies(s.take_output());
  for (auto piece : mailprobe::fuzz::chunks(mailprobe::fuzz::as_text(data, size))) {
    s.feed(piece);
    check_replies(s.take_output());
    if (s.wants_close() || s.wants_starttls()) break;
  }
  return 0;
}
