#include "policy/expect_run.hpp"

#include <curl/curl.h>

#include "net/curl_handle.hpp"

namespace mailprobe::policy {

namespace {

struct Capture {
  probe::Transcript transcript;
  std::string partial_in, partial_out;
  bool data_reached = false;
};

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto& cap = *static_cast<Capture*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    net::split_lines(cap.partial_out, data, size, [&cap](std::string line) {
      cap.transcript.push_back({SteadyClock::now(), probe::Dir::out, probe::redact_command(line)});
    });
  } else if (type == CURLINFO_HEADER_IN) {
    net::split_lines(cap.partial_in, data, size, [&cap](std::string line) {
      cap.transcript.push_back({SteadyClock::now(), probe::Dir::in, std::move(line)});
    });
  }
  return 0;
}

/// libcurl asks for the body only after DATA got 354: stop right there.
std::size_t on_read(char*, std::size_t, std::size_t, void* user) {
  static_cast<Capture*>(user)->data_reached = true;
  return CURL_READFUNC_ABORT;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

ExpectOutcome run_expectation(const Expectation& e, const ExpectConfig& c) {
  net::CurlPtr curl(curl_easy_init());
  if (!curl) return {false, 0, "curl_easy_init failed"};
  CURL* h = curl.get();
  // tls_required talks plaintext on purpose; the others use the probe's mode.
  net::TlsMode tls = e.kind == ExpectKind::tls_required ? net::TlsMode::none : c.tls;
  std::string url = std::string(tls == net::TlsMode::tls ? "smtps" : "smtp") + "://" + bracketed(c.host) + ":" +
                    std::to_string(c.port) + "/" + c.ehlo_name;
  Capture cap;
  long ms = static_cast<long>(c.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, (ms + 999) / 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 4 * ms);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_USE_SSL, tls == net::TlsMode::starttls ? static_cast<long>(CURLUSESSL_ALL)
                                                                     : static_cast<long>(CURLUSESSL_NONE));
  if (!c.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c.insecure ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c.insecure ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &cap);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  net::SlistPtr rcpt;
  std::string from = "<" + c.mail_from + ">";
  if (e.kind == ExpectKind::auth_refused) {
    curl_easy_setopt(h, CURLOPT_USERNAME, c.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.password.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    rcpt.reset(curl_slist_append(nullptr, ("<" + e.address + ">").c_str()));
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &cap);
  }
  CURLcode rc = curl_easy_perform(h);
  auto dialogue = pair_replies(cap.transcript);
  if (dialogue.empty() && rc != CURLE_OK)
    return {false, 0, std::string("no dialogue: ") + curl_easy_strerror(rc)};
  if (cap.data_reached && (dialogue.empty() || dialogue.back().verb != "DATA")) {
    // The 354 came through the header callback but was not logged as a line.
    dialogue.push_back({"DATA", 354, ""});
  }
  auto out = judge_dialogue(e.kind, dialogue);
  if (!out.met && out.reply_code == 0 && rc != CURLE_OK) out.detail += " (" + std::string(curl_easy_strerror(rc)) + ")";
  return out;
}

}  // namespace mailprobe::policy
