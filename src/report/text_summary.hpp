#pragma once

// The default human report: short enough for any terminal and ending with
// its verdict, so the line that matters is the one left above the prompt.
//   <key value pairs naming the route>     (at most 3 lines)
//   <stage>  <time>  <share>  <bar>        one per stage that took time
//   total    <time>
//   OK: <summary>    (or FAILED: <summary>)
// The bars form a waterfall (each starts where the previous one ended, its
// length the stage's share of the summed stages), as browser dev tools and
// httpstat draw them. Colour only when style.color (a TTY without NO_COLOR);
// control characters in any text are removed, as in report/text.hpp.

#include <span>
#include <string>
#include <string_view>

#include "report/record.hpp"

namespace mailprobe::report {

struct TextStyle {
  bool color = false;
  int width = 80;  // terminal columns; lines are cut or packed to fit
};

/// Keys of the stage duration cells (seconds), in the order they run, and
/// of the cells shown in the header.
struct TextLayout {
  std::span<const std::string_view> stages;
  std::span<const std::string_view> header;
  std::string_view total;  // the overall duration cell, e.g. "total_seconds"
};

/// The compact report, every line ending in "\n".
std::string to_text_summary(const Record& record, const TextLayout& layout, const TextStyle& style);

/// True when colour may be used on a terminal: NO_COLOR (https://no-color.org)
/// unset or empty, and TERM not "dumb".
bool color_allowed(const char* no_color, const char* term);

}  // namespace mailprobe::report
