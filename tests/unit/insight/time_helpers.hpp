#pragma once

#include <chrono>

namespace mailprobe::insight::test {

/// UTC calendar time → system_clock time point.
inline std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return time_point_cast<system_clock::duration>(sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} +
                                                 seconds{s});
}

}  // namespace mailprobe::insight::test
