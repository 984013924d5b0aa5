#include "report/json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <type_traits>

#include "report/cell_value.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s) {
  std::string valid = valid_utf8(s);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void write_value(Writer& w, const Value& v) {
  std::visit(
      [&w](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          w.Bool(x);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          w.Int64(x);
        else if constexpr (std::is_same_v<T, double>)
          w.Double(x);
        else if constexpr (std::is_same_v<T, std::string>)
          write_string(w, x);
        else if constexpr (std::is_same_v<T, WallClock::time_point>)
          write_string(w, iso8601_utc(x));
        else
          w.Null();
      },
      v);
}

}  // namespace

std::string to_json(const Record& record) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  for (const Cell& cell : record.cells) {
    if (!(cell.spec->formats & kJson)) continue;
    bool absent = is_absent(cell.value);
    if (absent && !cell.spec->json_always) continue;
    write_string(w, cell.spec->key);
    if (absent)
      w.Null();
    else
      write_value(w, cell.value);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace mailprobe::report
