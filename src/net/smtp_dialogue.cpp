#include "net/smtp_dialogue.hpp"

#include <curl/curl.h>

#include <algorithm>

#include "net/curl_handle.hpp"

namespace mailprobe::net {

namespace {

struct Capture {
  SmtpDialogueResult* out = nullptr;
  std::string (*redact)(std::string_view) = nullptr;
  std::string partial_in, partial_out;
};

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto& cap = *static_cast<Capture*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    split_lines(cap.partial_out, data, size, [&cap](std::string line) {
      cap.out->lines.push_back({false, cap.redact ? cap.redact(line) : std::string("<redacted>")});
    });
  } else if (type == CURLINFO_HEADER_IN) {
    split_lines(cap.partial_in, data, size,
                [&cap](std::string line) { cap.out->lines.push_back({true, std::move(line)}); });
  }
  return 0;
}

/// libcurl asks for the body only after DATA got 354: stop right there.
std::size_t on_read(char*, std::size_t, std::size_t, void* user) {
  static_cast<Capture*>(user)->out->data_reached = true;
  return CURL_READFUNC_ABORT;
}

}  // namespace

SmtpDialogueResult run_smtp_dialogue(const SmtpDialogueRequest& c) {
  SmtpDialogueResult out;
  CurlPtr curl(curl_easy_init());
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  CURL* h = curl.get();
  Endpoint ep{c.host, c.port, c.tls};
  std::string url = make_url(c.tls == TlsMode::tls ? "smtps" : "smtp", ep, c.ehlo_name);
  Capture cap{&out, c.redact, {}, {}};
  long ms = static_cast<long>(c.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, (ms + 999) / 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 4 * ms);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_USE_SSL, c.tls == TlsMode::starttls ? static_cast<long>(CURLUSESSL_ALL)
                                                                  : static_cast<long>(CURLUSESSL_NONE));
  if (!c.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c.insecure ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c.insecure ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &cap);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  SlistPtr rcpt;
  std::string from = "<" + c.mail_from + ">";
  if (!c.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, c.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.password.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    rcpt.reset(curl_slist_append(nullptr, ("<" + c.rcpt + ">").c_str()));
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &cap);
  }
  CURLcode rc = curl_easy_perform(h);
  out.completed = rc == CURLE_OK;
  if (rc != CURLE_OK) out.error = curl_easy_strerror(rc);
  return out;
}

}  // namespace mailprobe::net
