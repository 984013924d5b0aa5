#include "policy/sts_fetch.hpp"

#include "core/ascii.hpp"
#include "net/https_get.hpp"

namespace mailprobe::policy {

namespace {

Failure fail(Result r, std::string msg) { return Failure(Stage::none, r, "MTA-STS policy fetch: " + std::move(msg)); }

}  // namespace

std::string sts_policy_url(const std::string& domain) {
  return "https://mta-sts." + domain + "/.well-known/mta-sts.txt";
}

Outcome<std::string> judge_sts_response(const net::HttpsGetResult& got, const std::string& url) {
  if (got.too_large) return fail(Result::protocol_error, got.error);
  if (got.transport != Result::success) return fail(got.transport, got.error + " (" + url + ")");
  if (got.status >= 300 && got.status < 400)
    return fail(Result::protocol_error, "HTTP " + std::to_string(got.status) + " redirect refused (RFC 8461 §3.3)");
  if (got.status != 200) return fail(Result::protocol_error, "HTTP " + std::to_string(got.status) + " (" + url + ")");
  std::string type = ascii_lower(got.content_type);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  // RFC 8461 §3.2: the media type MUST be text/plain; senders SHOULD check.
  if (type != "text/plain")
    return fail(Result::protocol_error, "media type '" + type + "' (text/plain required, RFC 8461 §3.2)");
  return got.body;
}

Outcome<std::string> fetch_sts_policy(const StsFetchConfig& c) {
  net::HttpsGetRequest req;
  req.url = sts_policy_url(c.domain);
  req.ca_file = c.ca_file;
  req.timeout = c.timeout;
  // RFC 8461 §3.3: HTTPS with a certificate valid for mta-sts.DOMAIN, and
  // "HTTP 3xx redirects MUST NOT be followed": https_get does both.
  if (!c.connect_to.empty()) req.connect_to = "mta-sts." + c.domain + ":443:" + c.connect_to;
  req.max_body = c.max_body;
  return judge_sts_response(net::https_get(req), req.url);
}

}  // namespace mailprobe::policy
