#include "policy/dns_answer.hpp"

#include <arpa/nameser.h>
#include <resolv.h>

namespace mailprobe::policy {

Outcome<RrAnswer> parse_rr_answer(std::span<const unsigned char> message, std::uint16_t type) {
  ns_msg msg;
  if (ns_initparse(message.data(), static_cast<int>(message.size()), &msg) != 0)
    return Failure(Stage::none, Result::dns_error, "malformed DNS response");
  RrAnswer out;
  out.rcode = ns_msg_getflag(msg, ns_f_rcode);
  out.authenticated = ns_msg_getflag(msg, ns_f_ad) != 0;
  int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
      return Failure(Stage::none, Result::dns_error, "malformed DNS answer record");
    // CNAMEs (and their RRSIGs) may precede the wanted RRset.
    if (ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in) continue;
    const unsigned char* d = ns_rr_rdata(rr);
    out.rdata.emplace_back(d, d + ns_rr_rdlen(rr));
  }
  return out;
}

Outcome<std::string> txt_text(std::span<const unsigned char> rdata) {
  std::string out;
  std::size_t pos = 0;
  while (pos < rdata.size()) {
    std::size_t n = rdata[pos];
    if (pos + 1 + n > rdata.size()) return Failure(Stage::none, Result::dns_error, "TXT string runs past its record");
    out.append(reinterpret_cast<const char*>(rdata.data() + pos + 1), n);
    pos += 1 + n;
  }
  return out;
}

}  // namespace mailprobe::policy
