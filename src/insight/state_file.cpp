#include "insight/state_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "core/clock.hpp"

namespace mailprobe::insight {

namespace {

constexpr std::size_t kMaxField = 1024;

Failure state_error(std::string text) { return Failure(Stage::config, Result::internal_error, std::move(text)); }

bool is_token(std::string_view t) {
  if (t.size() != 32) return false;
  for (char c : t)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
      s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se))
    return std::nullopt;
  std::size_t i = 19;
  long long nanos = 0;
  if (s[i] == '.') {
    ++i;
    std::size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 9) {
      nanos = nanos * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n == 0) return std::nullopt;
    for (; n < 9; ++n) nanos *= 10;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  // system_clock counts int64 nanoseconds: 1677-09-21 to 2262-04-11. Whole
  // years inside that span only, so the sum below cannot overflow (issue 17, D11).
  if (y < 1678 || y > 2261) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + nanoseconds{nanos};
  return time_point_cast<system_clock::duration>(t);
}

Outcome<StateData> parse_state(std::string_view json) {
  StateData out;
  bool blank = std::all_of(json.begin(), json.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (blank) return out;
  if (json.size() > kMaxStateBytes) return state_error("state file is larger than 1 MiB");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError())
    return state_error(std::string("state file is not valid JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
                       " at offset " + std::to_string(doc.GetErrorOffset()) + "); delete it to start afresh");
  if (!doc.IsObject()) return state_error("state file is not a JSON object");
  // HasMember + operator[] rather than FindMember: comparing RapidJSON's
  // member iterators is ambiguous under C++20 (clang warns).
  if (!doc.HasMember("version") || !doc["version"].IsInt() || doc["version"].GetInt() != 1)
    return state_error("state file has no \"version\": 1");
  if (!doc.HasMember("pending") || !doc["pending"].IsArray()) return state_error("state file has no \"pending\" array");
  const auto& pend = doc["pending"];
  if (pend.Size() > kMaxPending) return state_error("state file has more than 10000 pending probes");
  std::size_t index = 0;
  for (const auto& e : pend.GetArray()) {
    std::string where = "state file entry " + std::to_string(index++);
    if (!e.IsObject()) return state_error(where + " is not an object");
    auto str = [&](const char* key, std::string& to, bool required) -> bool {
      if (!e.HasMember(key)) return !required;
      const auto& m = e[key];
      if (!m.IsString() || m.GetStringLength() > kMaxField) return false;
      to.assign(m.GetString(), m.GetStringLength());
      return true;
    };
    PendingProbe p;
    std::string sent;
    if (!str("token", p.token, true) || !is_token(p.token)) return state_error(where + ": \"token\" is not 32 hex digits");
    if (!str("sent", sent, true)) return state_error(where + ": \"sent\" is missing");
    auto t = parse_iso8601_utc(sent);
    if (!t) return state_error(where + ": \"sent\" is not an ISO 8601 UTC time");
    p.sent = *t;
    if (!str("mailbox", p.mailbox, false)) return state_error(where + ": \"mailbox\" is not a string");
    if (!str("queue_id", p.queue_id, false)) return state_error(where + ": \"queue_id\" is not a string");
    out.pending.push_back(std::move(p));
  }
  return out;
}

std::string serialize_state(const StateData& state) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("version");
  w.Int(1);
  w.Key("pending");
  w.StartArray();
  for (const auto& p : state.pending) {
    w.StartObject();
    w.Key("token");
    w.String(p.token.c_str(), static_cast<rapidjson::SizeType>(p.token.size()));
    w.Key("sent");
    w.String(iso8601_utc(p.sent).c_str());
    w.Key("mailbox");
    w.String(p.mailbox.c_str(), static_cast<rapidjson::SizeType>(p.mailbox.size()));
    w.Key("queue_id");
    w.String(p.queue_id.c_str(), static_cast<rapidjson::SizeType>(p.queue_id.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

Outcome<StateData> load_state(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return StateData{};
    return state_error(errno_text("cannot open state file", path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return state_error("state file '" + path + "' is not a regular file");
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto f = state_error(errno_text("cannot read state file", path));
      ::close(fd);
      return f;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateBytes) {
      ::close(fd);
      return state_error("state file '" + path + "' is larger than 1 MiB");
    }
  }
  ::close(fd);
  auto parsed = parse_state(text);
  if (!parsed) return state_error("'" + path + "': " + parsed.error().reply_text);
  return parsed;
}

Status save_state(const std::string& path, const StateData& state) {
  std::string text = serialize_state(state);
  std::string dir = dir_of(path);
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());  // 0600, same directory as the target
  if (fd < 0) return state_error(errno_text("cannot create a temporary file beside", path));
  std::string tmp(name.data());
  auto fail = [&](const std::string& what) {
    auto f = state_error(errno_text(what, tmp));
    ::close(fd);
    ::unlink(tmp.c_str());
    return f;
  };
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(fail("cannot write"));
    off += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0600) != 0) return Status(fail("cannot chmod"));
  if (::fsync(fd) != 0) return Status(fail("cannot fsync"));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return state_error(errno_text("cannot close", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto f = state_error(errno_text("cannot rename the temporary file onto", path));
    ::unlink(tmp.c_str());
    return f;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename durable; a failure here loses no data already renamed
    ::close(dfd);
  }
  return ok();
}

void add_pending(StateData& state, PendingProbe p) {
  remove_pending(state, p.token);
  state.pending.push_back(std::move(p));
  if (state.pending.size() > kMaxPending)
    state.pending.erase(state.pending.begin(),
                        state.pending.begin() + static_cast<std::ptrdiff_t>(state.pending.size() - kMaxPending));
}

bool remove_pending(StateData& state, std::string_view token) {
  auto it = std::remove_if(state.pending.begin(), state.pending.end(), [&](const PendingProbe& p) { return p.token == token; });
  bool found = it != state.pending.end();
  state.pending.erase(it, state.pending.end());
  return found;
}

std::vector<PendingProbe> expire_pending(StateData& state, std::chrono::system_clock::time_point now,
                                         std::chrono::seconds horizon) {
  std::vector<PendingProbe> lost, keep;
  for (auto& p : state.pending) (p.sent <= now - horizon ? lost : keep).push_back(std::move(p));
  state.pending = std::move(keep);
  return lost;
}

Outcome<StateLock> StateLock::acquire(const std::string& state_path, std::chrono::milliseconds wait) {
  std::string lock_path = state_path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return state_error(errno_text("cannot open lock file", lock_path));
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return StateLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      auto f = state_error(errno_text("cannot lock", lock_path));
      ::close(fd);
      return f;
    }
    if (std::chrono::steady_clock::now() >= until) {
      ::close(fd);
      return state_error("state file '" + state_path + "' is locked by another mailprobe run (waited " +
                         std::to_string(wait.count()) + " ms)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

StateLock& StateLock::operator=(StateLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace mailprobe::insight
