#include "report/tag_spec.hpp"

#include <deque>
#include <map>
#include <mutex>

namespace mailprobe::report {

const FieldSpec* tag_spec(std::string_view key) {
  static std::mutex mu;
  static std::deque<std::string> keys;  // deque: elements never move, so the views stay valid
  static std::map<std::string, FieldSpec, std::less<>> specs;
  std::lock_guard lk(mu);
  if (auto it = specs.find(key); it != specs.end()) return &it->second;
  const std::string& k = keys.emplace_back(key);
  auto it = specs.emplace(k, FieldSpec{k, Type::string, Role::tag, "", kAll, "a --tag of the run"}).first;
  return &it->second;
}

std::string tag_key_problem(std::string_view key) {
  if (key.empty() || key.size() > 64) return "must be 1-64 characters";
  if (key.front() < 'a' || key.front() > 'z') return "must start with a lower-case letter";
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return "may hold only a-z, 0-9 and _";
  return {};
}

}  // namespace mailprobe::report
