#include "report/text_summary.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "report/live_line.hpp"
#include "report/text_clean.hpp"
#include "sample_table.hpp"

using namespace mailprobe;
using namespace mailprobe::report;
using testing::make_record;
using testing::Sample;

namespace {

constexpr std::string_view kStages[] = {"send_seconds", "delivery_seconds", "clock_skew_seconds"};
constexpr std::string_view kHeader[] = {"probe", "server"};
const TextLayout kLayout{kStages, kHeader, "delivery_seconds"};

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string last_line(const std::string& s) {
  auto end = s.size() - 1;
  auto start = s.rfind('\n', end - 1);
  return s.substr(start == std::string::npos ? 0 : start + 1);
}

}  // namespace

TEST_SUITE("report::text_summary") {
  TEST_CASE("header, a waterfall of the stages that took time, total, verdict last") {
    CHECK(to_text_summary(make_record(Sample{}), kLayout, TextStyle{false, 80}) ==
          "  probe relay1\n"
          "  send      412.0 ms   5%  \u2588\u2588\u2588\n"
          "  delivery   7.930 s  95%     " + [] {
            std::string bar;
            for (int i = 0; i < 50; ++i) bar += "\u2588";
            return bar;
          }() + "\n"
          "  total      7.930 s\n"
          "OK: relay1 delivered in 7.9 s\n");
  }

  TEST_CASE("a failure ends with FAILED and its summary; controls never reach the terminal") {
    Sample s;
    s.delivered = false;
    s.delivery_seconds.reset();
    s.server = "mx\x1b[2J.example";
    std::string out = to_text_summary(make_record(s, "imap_wait: not_delivered\x1b]0;x\x07"), kLayout, {false, 80});
    CHECK(last_line(out) == "FAILED: imap_wait: not_delivered ]0;x\n");
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find("server mx [2J.example") != std::string::npos);
  }

  TEST_CASE("colour only when asked: a green OK, a red FAILED, coloured bars") {
    std::string plain = to_text_summary(make_record(Sample{}), kLayout, {false, 120});
    std::string colour = to_text_summary(make_record(Sample{}), kLayout, {true, 120});
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(last_line(colour) == "\x1b[1;32mOK\x1b[0m: relay1 delivered in 7.9 s\n");
    Sample s;
    s.delivered = false;
    CHECK(last_line(to_text_summary(make_record(s, "x"), kLayout, {true, 80})) == "\x1b[1;31mFAILED\x1b[0m: x\n");
  }

  TEST_CASE("every line fits the terminal width, at 80 and 120 columns") {
    for (int width : {80, 120}) {
      Sample s;
      s.server = std::string(300, 'm');
      std::string out = to_text_summary(make_record(s), kLayout, {false, width});
      std::size_t start = 0;
      while (start < out.size()) {
        std::size_t end = out.find('\n', start);
        std::string line = out.substr(start, end - start);
        if (line.rfind("OK:", 0) != 0) CHECK(code_points(line) <= static_cast<std::size_t>(width));
        start = end + 1;
      }
      CHECK(lines(out) <= 20);
    }
  }

  TEST_CASE("NO_COLOR and TERM=dumb turn colour off") {
    CHECK(color_allowed(nullptr, "xterm-256color"));
    CHECK(color_allowed("", "xterm"));
    CHECK_FALSE(color_allowed("1", "xterm"));
    CHECK_FALSE(color_allowed(nullptr, "dumb"));
  }

  TEST_CASE("the live line names the step and the elapsed time") {
    CHECK(live_text("imap connect + login 127.0.0.1:143", 1.25, "") == "  imap connect + login 127.0.0.1:143  1.2 s");
    CHECK(live_text("waiting for delivery", 3.0, "12 checks (idle)") == "  waiting for delivery  3.0 s  12 checks (idle)");
  }
}
