#include "policy/sts_fetch.hpp"

#include <curl/curl.h>

#include "core/ascii.hpp"
#include "net/curl_handle.hpp"

namespace mailprobe::policy {

namespace {

struct Body {
  std::string data;
  std::size_t cap = 0;
  bool over = false;
};

std::size_t on_body(char* p, std::size_t size, std::size_t n, void* user) {
  auto& b = *static_cast<Body*>(user);
  if (b.data.size() + size * n > b.cap) {
    b.over = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  b.data.append(p, size * n);
  return size * n;
}

Failure fail(Result r, std::string msg) { return Failure(Stage::none, r, "MTA-STS policy fetch: " + std::move(msg)); }

}  // namespace

std::string sts_policy_url(const std::string& domain) {
  return "https://mta-sts." + domain + "/.well-known/mta-sts.txt";
}

Outcome<std::string> fetch_sts_policy(const StsFetchConfig& c) {
  net::CurlPtr curl(curl_easy_init());
  if (!curl) return fail(Result::internal_error, "curl_easy_init failed");
  CURL* h = curl.get();
  std::string url = sts_policy_url(c.domain);
  Body body;
  body.cap = c.max_body;
  char errbuf[CURL_ERROR_SIZE] = {};
  net::SlistPtr connect_to;
  if (!c.connect_to.empty()) {
    std::string entry = "mta-sts." + c.domain + ":443:" + c.connect_to;
    connect_to.reset(curl_slist_append(nullptr, entry.c_str()));
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
  }
  long ms = static_cast<long>(c.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!c.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(c.max_body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "mailprobe");
  CURLcode rc = curl_easy_perform(h);
  if (body.over || rc == CURLE_FILESIZE_EXCEEDED)
    return fail(Result::protocol_error, "body larger than " + std::to_string(c.max_body) + " bytes");
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    Result r = Result::connection_failed;
    if (rc == CURLE_COULDNT_RESOLVE_HOST) r = Result::dns_error;
    else if (rc == CURLE_OPERATION_TIMEDOUT) r = Result::timeout;
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) r = Result::tls_verify_failed;
    else if (rc == CURLE_SSL_CONNECT_ERROR) r = Result::tls_error;
    return fail(r, why + " (" + url + ")");
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300 && status < 400)
    return fail(Result::protocol_error, "HTTP " + std::to_string(status) + " redirect refused (RFC 8461 §3.3)");
  if (status != 200) return fail(Result::protocol_error, "HTTP " + std::to_string(status) + " (" + url + ")");
  char* ctype = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
  std::string type = ctype ? ascii_lower(ctype) : std::string();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  // RFC 8461 §3.2: the media type MUST be text/plain; senders SHOULD check.
  if (type != "text/plain")
    return fail(Result::protocol_error, "media type '" + type + "' (text/plain required, RFC 8461 §3.2)");
  return body.data;
}

}  // namespace mailprobe::policy
