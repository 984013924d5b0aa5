#include "net/https_get.hpp"

#include "net/ca_store.hpp"

#include <curl/curl.h>

#include "net/curl_handle.hpp"

namespace mailprobe::net {

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

}  // namespace

HttpsGetResult https_get(const HttpsGetRequest& c) {
  HttpsGetResult out;
  CurlPtr curl(curl_easy_init());
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  CURL* h = curl.get();
  Body body;
  body.cap = c.max_body;
  char errbuf[CURL_ERROR_SIZE] = {};
  SlistPtr connect_to;
  if (!c.connect_to.empty()) {
    connect_to.reset(curl_slist_append(nullptr, c.connect_to.c_str()));
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
  }
  long ms = static_cast<long>(c.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  use_shared_ca_store(h, TlsPolicy{c.ca_file, false});
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(c.max_body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "mailprobe");
  CURLcode rc = curl_easy_perform(h);
  if (body.over || rc == CURLE_FILESIZE_EXCEEDED) {
    out.too_large = true;
    out.transport = Result::protocol_error;
    out.error = "body larger than " + std::to_string(c.max_body) + " bytes";
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    out.transport = Result::connection_failed;
    if (rc == CURLE_COULDNT_RESOLVE_HOST) out.transport = Result::dns_error;
    else if (rc == CURLE_OPERATION_TIMEDOUT) out.transport = Result::timeout;
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) out.transport = Result::tls_verify_failed;
    else if (rc == CURLE_SSL_CONNECT_ERROR) out.transport = Result::tls_error;
    return out;
  }
  out.transport = Result::success;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  char* ctype = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
  if (ctype) out.content_type = ctype;
  out.body = std::move(body.data);
  return out;
}

}  // namespace mailprobe::net
