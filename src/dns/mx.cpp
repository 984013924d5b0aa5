#include "dns/mx.hpp"

#include <algorithm>

#include <arpa/nameser.h>
#include <resolv.h>

namespace mailprobe::dns {

Outcome<std::vector<MxRecord>> parse_mx_answer(std::span<const unsigned char> message) {
  ns_msg msg;
  if (ns_initparse(message.data(), static_cast<int>(message.size()), &msg) != 0)
    return Failure(Stage::none, Result::dns_error, "malformed DNS response");
  int rcode = ns_msg_getflag(msg, ns_f_rcode);
  if (rcode == ns_r_nxdomain) return Failure(Stage::none, Result::dns_error, "NXDOMAIN");
  if (rcode != ns_r_noerror)
    return Failure(Stage::none, Result::dns_error, "DNS rcode " + std::to_string(rcode));
  std::vector<MxRecord> out;
  int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
      return Failure(Stage::none, Result::dns_error, "malformed DNS answer record");
    // CNAMEs and other types may precede the MX set in an answer section.
    if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in) continue;
    if (ns_rr_rdlen(rr) < 3)
      return Failure(Stage::none, Result::dns_error, "short MX record");
    const unsigned char* rdata = ns_rr_rdata(rr);
    MxRecord mx;
    mx.preference = static_cast<std::uint16_t>(ns_get16(rdata));
    char name[NS_MAXDNAME];
    if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rdata + 2, name, sizeof name) < 0)
      return Failure(Stage::none, Result::dns_error, "malformed MX exchange name");
    mx.host = name;  // "" for the root name, i.e. a null MX
    if (!mx.host.empty() && mx.host.back() == '.') mx.host.pop_back();
    out.push_back(std::move(mx));
  }
  std::stable_sort(out.begin(), out.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference != b.preference ? a.preference < b.preference : a.host < b.host;
  });
  return out;
}

bool is_null_mx(const std::vector<MxRecord>& records) {
  return records.size() == 1 && records[0].host.empty() && !records[0].implicit;
}

}  // namespace mailprobe::dns
