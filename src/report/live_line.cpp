#include "report/live_line.hpp"

#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

std::string live_text(const std::string& phase, double elapsed_s, const std::string& detail) {
  std::string out = "  " + without_controls(phase) + "  " + format_fixed(elapsed_s, 1) + " s";
  if (!detail.empty()) out += "  " + without_controls(detail);
  return out;
}

LiveLine::LiveLine(std::FILE* to, bool color)
    : to_(to), color_(color), start_(std::chrono::steady_clock::now()), phase_("starting") {
  thread_ = std::thread([this] { run(); });
}

LiveLine::~LiveLine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (color_) std::fputs("\r\033[K", to_);
  else std::fprintf(to_, "\r%s\r", std::string(drawn_, ' ').c_str());
  std::fflush(to_);
}

void LiveLine::phase(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  phase_ = what;
  detail_.clear();
}

void LiveLine::detail(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  detail_ = what;
}

void LiveLine::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!done_) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line = live_text(phase_, elapsed, detail_);
    if (line.size() > 78) line.resize(78);  // one row even on a narrow terminal
    if (color_) {
      std::fprintf(to_, "\r\033[K\033[2m%s\033[0m", line.c_str());
    } else {
      // NO_COLOR: no escape sequence at all; blanks overwrite a longer line.
      std::string pad(drawn_ > line.size() ? drawn_ - line.size() : 0, ' ');
      std::fprintf(to_, "\r%s%s", line.c_str(), pad.c_str());
    }
    drawn_ = line.size();
    std::fflush(to_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return done_; });
  }
}

}  // namespace mailprobe::report
