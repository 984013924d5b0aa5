#include "message/probe_message.hpp"

#include <openssl/evp.h>

#include <ctime>
#include <vector>

#include "mailprobe_version.hpp"
#include "message/address.hpp"

namespace mailprobe::message {

namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

/// RFC 2047 §4.1 "B" encoded-word for a non-ASCII header value.
std::string encoded_word(std::string_view s) {
  std::vector<unsigned char> out(4 * ((s.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  return "=?UTF-8?B?" + std::string(reinterpret_cast<char*>(out.data()), n) + "?=";
}

/// Local time without zone, as seed 002 put it in the Subject.
std::string local_iso(WallClock::time_point t) {
  std::time_t secs = WallClock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::string subject(const ProbeSpec& spec) {
  return spec.prefix + " ### " + local_iso(spec.date) + " ### " + spec.token;
}

std::string message_id(const ProbeSpec& spec) {
  std::string domain(domain_of(spec.from));
  if (domain.empty()) domain = "mailprobe.invalid";
  return "<" + spec.token + ".mailprobe@" + domain + ">";
}

std::string compose(const ProbeSpec& spec) {
  std::string subj = subject(spec);
  if (!is_ascii(subj)) subj = encoded_word(subj);
  std::string label = spec.host_label.empty() ? "mailprobe" : "mailprobe on " + spec.host_label;
  if (!is_ascii(label)) label = encoded_word(label);
  std::string m;
  m.reserve(1024);
  auto header = [&m](std::string_view name, std::string_view value) {
    m.append(name).append(": ").append(value).append("\r\n");
  };
  header("Date", rfc5322_date(spec.date));
  header("From", "\"" + label + "\" <" + spec.from + ">");
  header("To", "<" + spec.to + ">");
  header("Subject", subj);
  header("Message-ID", message_id(spec));
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=us-ascii");
  header("Content-Transfer-Encoding", "7bit");
  header(kTokenHeader, spec.token);
  if (!spec.source.empty()) header(kSourceHeader, is_ascii(spec.source) ? spec.source : encoded_word(spec.source));
  header("Auto-Submitted", "auto-generated");  // RFC 3834: no auto-replies
  header("User-Agent", "mailprobe/" MAILPROBE_VERSION);
  m.append("\r\n");
  m.append("This is an automated end-to-end delivery probe sent by mailprobe.\r\n");
  m.append("It is deleted automatically once found. Token: ").append(spec.token).append("\r\n");
  return m;
}

}  // namespace mailprobe::message
