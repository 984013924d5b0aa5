#include "net/curl_handle.hpp"

namespace mailprobe::net {

void apply_bearer(CURL* h, const Credentials& creds) {
  // libcurl 7.88 considers the bearer mechanisms only with a user name set
  // (Curl_sasl_start). AUTH=<mech> in the login options narrows its choice to
  // that one mechanism, so a server without it gets no AUTH at all instead of
  // an empty-password PLAIN. CURLOPT_HTTPAUTH stays untouched: setting it to
  // CURLAUTH_BEARER makes 7.88 prefer OAUTHBEARER whatever the login options
  // say (curl#10259, fixed in 8.6.0).
  std::string options = "AUTH=" + std::string(net::sasl_name(creds.mechanism));
  curl_easy_setopt(h, CURLOPT_USERNAME, creds.username.c_str());
  curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, creds.bearer.c_str());
  curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, options.c_str());  // libcurl copies strings
  // SASL-IR on: libcurl itself drops an SMTP initial response longer than
  // 504 bytes and sends it after the 334 (RFC 4954 §4, smtp.c maxirlen).
  curl_easy_setopt(h, CURLOPT_SASL_IR, 1L);
}

}  // namespace mailprobe::net
