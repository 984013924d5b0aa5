#include "auth/token_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <memory>

#include "auth/secret_file.hpp"

namespace mailprobe::auth {

namespace {

std::int64_t unix_seconds(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool parse_int(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool fresh(const CacheEntry& e, std::int64_t now) { return !e.token.empty() && now < renew_at(e); }

constexpr std::size_t kMaxFile = 1 << 20;

}  // namespace

std::int64_t renew_at(const CacheEntry& e) {
  std::int64_t life = e.expires - e.obtained;
  if (life <= 0) return e.obtained;
  std::int64_t margin = std::min<std::int64_t>(life / 5, 300);
  return e.expires - margin;
}

std::string cache_key(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto p : parts) {
    for (unsigned char c : p) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
  return out;
}

std::map<std::string, CacheEntry> parse_cache_file(std::string_view text) {
  std::map<std::string, CacheEntry> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string_view f[5];
    std::size_t n = 0;
    while (n < 5 && !line.empty()) {
      auto sp = n < 4 ? line.find(' ') : std::string_view::npos;
      f[n++] = line.substr(0, sp);
      line.remove_prefix(sp == std::string_view::npos ? line.size() : sp + 1);
    }
    CacheEntry e;
    if (n != 5 || f[0] != "v1" || f[1].size() != 16 || !parse_int(f[2], e.obtained) ||
        !parse_int(f[3], e.expires) || f[4].empty() || f[4].find(' ') != std::string_view::npos)
      continue;
    e.token = std::string(f[4]);
    out[std::string(f[1])] = std::move(e);
  }
  return out;
}

std::string render_cache_file(const std::map<std::string, CacheEntry>& entries) {
  std::string out;
  for (const auto& [k, e] : entries)
    out += "v1 " + k + " " + std::to_string(e.obtained) + " " + std::to_string(e.expires) + " " + e.token + "\n";
  return out;
}

std::optional<std::string> TokenCache::lookup(const std::string& key, WallClock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::int64_t t = unix_seconds(now);
  if (auto it = memory_.find(key); it != memory_.end() && fresh(it->second, t)) return it->second.token;
  if (file_.empty()) return std::nullopt;
  auto disk = read_file();
  auto it = disk.find(key);
  if (it == disk.end() || !fresh(it->second, t)) return std::nullopt;
  memory_[key] = it->second;
  return it->second.token;
}

std::string TokenCache::store(const std::string& key, const std::string& token, WallClock::time_point now,
                              std::chrono::seconds lifetime) {
  if (lifetime.count() <= 0 || token.empty()) return {};
  std::lock_guard<std::mutex> lock(mu_);
  CacheEntry e{token, unix_seconds(now), unix_seconds(now) + lifetime.count()};
  memory_[key] = e;
  if (file_.empty()) return {};
  auto disk = read_file();
  disk[key] = e;
  for (auto it = disk.begin(); it != disk.end();)
    it = it->second.expires <= e.obtained ? disk.erase(it) : std::next(it);
  return write_file(disk);
}

void TokenCache::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  memory_.erase(key);
  if (file_.empty()) return;
  auto disk = read_file();
  if (disk.erase(key)) (void)write_file(disk);
}

std::map<std::string, CacheEntry> TokenCache::read_file() const {
  int fd = ::open(file_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < kMaxFile) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return parse_cache_file(text);
}

std::string TokenCache::write_file(const std::map<std::string, CacheEntry>& entries) const {
  if (auto why = write_private_file(file_, render_cache_file(entries)); !why.empty()) return "token cache: " + why;
  return {};
}

TokenCache& shared_cache(const std::string& file) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<TokenCache>> caches;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = caches[file];
  if (!slot) slot = std::make_unique<TokenCache>(file);
  return *slot;
}

std::string cache_file_for(const std::string& state_file) {
  return state_file.empty() ? std::string() : state_file + ".oauth2-tokens";
}

}  // namespace mailprobe::auth
