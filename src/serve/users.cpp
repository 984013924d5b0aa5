#include "serve/users.hpp"

#include "core/slice.hpp"

#include <algorithm>
#include <fstream>

namespace mailprobe::serve {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
           c == '+';
  });
}

}  // namespace

Status Users::add(std::string_view spec, const std::string& default_password) {
  spec = trim(spec);
  auto colon = spec.find(':');
  std::string name = ascii_lower(trim(slice(spec, 0, colon)));
  std::string password = colon == std::string_view::npos
                             ? (default_password.empty() ? name : default_password)
                             : std::string(slice(spec, colon + 1));
  if (!valid_name(name))
    return Failure(Stage::config, Result::internal_error, "invalid user name '" + name + "'");
  auto it = std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.name == name; });
  if (it != users_.end()) {
    it->password = password;
  } else {
    users_.push_back({name, password});
  }
  return ok();
}

Outcome<Users> Users::from_specs(const std::vector<std::string>& specs,
                                 const std::string& default_password) {
  Users u;
  for (const auto& s : specs) {
    auto st = u.add(s, default_password);
    if (!st) return st.error();
  }
  if (u.users_.empty()) return Failure(Stage::config, Result::internal_error, "no users given");
  return u;
}

Outcome<Users> Users::load_file(const std::string& path, const std::string& default_password) {
  std::ifstream in(path);
  if (!in) return Failure(Stage::config, Result::internal_error, "cannot read users file " + path);
  Users u;
  std::string line;
  while (std::getline(in, line)) {
    auto t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto st = u.add(t, default_password);
    if (!st) return st.error();
  }
  if (u.users_.empty())
    return Failure(Stage::config, Result::internal_error, "users file " + path + " lists no users");
  return u;
}

Users Users::demo() {
  Users u;
  (void)u.add("alice:alice", {});
  (void)u.add("bob:bob", {});
  return u;
}

void Users::set_domains(std::vector<std::string> domains) {
  domains_.clear();
  for (auto& d : domains) domains_.push_back(ascii_lower(d));
}

std::optional<std::string> Users::resolve(std::string_view address) const {
  address = trim(address);
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = slice(address, 1, address.size() - 2);
  auto at = address.rfind('@');
  std::string local = ascii_lower(slice(address, 0, at));
  if (at != std::string_view::npos && !domains_.empty()) {
    std::string domain = ascii_lower(slice(address, at + 1));
    if (std::find(domains_.begin(), domains_.end(), domain) == domains_.end()) return std::nullopt;
  }
  for (const auto& u : users_)
    if (u.name == local) return u.name;
  return std::nullopt;
}

std::optional<std::string> Users::authenticate(std::string_view login,
                                               std::string_view password) const {
  auto name = resolve(login);
  if (!name) return std::nullopt;
  for (const auto& u : users_)
    if (u.name == *name && u.password == password) return u.name;
  return std::nullopt;
}

}  // namespace mailprobe::serve
