#include "auth/token_reply.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdlib>

#include "core/ascii.hpp"

namespace mailprobe::auth {

namespace {

constexpr std::size_t kMaxDescription = 400;

/// Printable ASCII only, cut to `max`: the text goes into a metric field.
std::string clean(std::string_view s, std::size_t max) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    if (c == '\r' || c == '\n' || c == '\t') out += ' ';
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
  }
  return out;
}

std::string string_member(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string status_text(long status) { return "HTTP " + std::to_string(status); }

}  // namespace

std::variant<TokenGrant, std::string> parse_token_reply(long http_status, std::string_view body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  const bool is_object = !d.HasParseError() && d.IsObject();
  if (http_status < 200 || http_status > 299) {
    std::string t = status_text(http_status);
    if (!is_object) return t + " from the token endpoint (body is not JSON)";
    std::string err = string_member(d, "error"), desc = string_member(d, "error_description");
    if (err.empty() && desc.empty()) return t + " from the token endpoint (no error field)";
    if (!err.empty()) t += ": " + clean(err, 80);
    if (!desc.empty()) t += ": " + clean(desc, kMaxDescription);
    return t;
  }
  if (d.HasParseError())
    return "malformed JSON from the token endpoint (" + status_text(http_status) + ", " +
           rapidjson::GetParseError_En(d.GetParseError()) + " at offset " + std::to_string(d.GetErrorOffset()) + ")";
  if (!is_object) return "the token endpoint's reply is JSON but not an object";
  auto at = d.FindMember("access_token");
  if (at == d.MemberEnd()) {
    std::string err = string_member(d, "error");
    return "no access_token in the token endpoint's reply" + (err.empty() ? "" : " (error: " + clean(err, 80) + ")");
  }
  if (!at->value.IsString() || at->value.GetStringLength() == 0) return "access_token is not a non-empty string";
  std::string type = string_member(d, "token_type");
  if (d.HasMember("token_type") && ascii_lower(type) != "bearer")
    return "token_type is '" + clean(type, 40) + "', not Bearer (RFC 6750)";
  TokenGrant g;
  g.access_token.assign(at->value.GetString(), at->value.GetStringLength());
  g.refresh_token = string_member(d, "refresh_token");
  if (auto ex = d.FindMember("expires_in"); ex != d.MemberEnd()) {
    double secs = -1;
    if (ex->value.IsNumber()) {
      secs = ex->value.GetDouble();
    } else if (ex->value.IsString()) {
      const char* s = ex->value.GetString();
      char* end = nullptr;
      secs = std::strtod(s, &end);
      if (end == s || *end != '\0') secs = -1;
    }
    if (!(secs >= 0 && secs < 10.0 * 365 * 86400)) return "expires_in is not a number of seconds";
    g.lifetime = std::chrono::seconds(static_cast<long long>(secs));
  }
  return g;
}

}  // namespace mailprobe::auth
