#include "net/https_post.hpp"

#include "net/ca_store.hpp"

#include <curl/curl.h>

#include <algorithm>

#include "net/curl_handle.hpp"

namespace mailprobe::net {

namespace {

constexpr std::size_t kMaxBody = 1 << 20;
constexpr long kMaxMs = 30'000;

size_t write_cb(char* data, size_t size, size_t nitems, void* userp) {
  auto* body = static_cast<std::string*>(userp);
  size_t n = size * nitems;
  if (body->size() + n > kMaxBody) return 0;  // aborts with CURLE_WRITE_ERROR
  body->append(data, n);
  return n;
}

}  // namespace

HttpReply https_post_form(const std::string& url, const std::string& form_body, const TlsPolicy& tls,
                          const Deadline& deadline) {
  HttpReply r;
  if (url.rfind("https://", 0) != 0) {
    r.error = "the token URL must start with https://";
    return r;
  }
  CurlPtr h(curl_easy_init());
  if (!h) {
    r.error = "curl_easy_init failed";
    return r;
  }
  CURL* c = h.get();
  SlistPtr headers(curl_slist_append(nullptr, "Accept: application/json"));
  long left = std::clamp(deadline.remaining_ms(), 1L, kMaxMs);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form_body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form_body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "mailprobe");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
  use_shared_ca_store(c, tls);
  if (tls.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    // The error buffer names the host and the OS reason, never the body.
    r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    r.body.clear();
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace mailprobe::net
