#include <doctest/doctest.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "probe/verdict.hpp"

using namespace mailprobe;
using namespace mailprobe::probe;

TEST_SUITE("probe::transport_of") {
  TEST_CASE("each libcurl outcome maps to one transport kind, without a socket") {
    auto facts = [](CURLcode rc, long os_errno = 0) {
      net::TransferFacts f;
      f.code = rc;
      f.os_errno = os_errno;
      return f;
    };
    const std::vector<std::pair<net::TransferFacts, Transport>> rows = {
        {facts(CURLE_OK), Transport::ok},
        {facts(CURLE_COULDNT_RESOLVE_HOST), Transport::dns},
        {facts(CURLE_COULDNT_CONNECT, ECONNREFUSED), Transport::refused},
        {facts(CURLE_COULDNT_CONNECT, ENETUNREACH), Transport::connect_failed},
        {facts(CURLE_OPERATION_TIMEDOUT), Transport::timeout},
        {facts(CURLE_GOT_NOTHING), Transport::closed},
        {facts(CURLE_RECV_ERROR), Transport::closed},
        {facts(CURLE_SSL_CONNECT_ERROR), Transport::tls},
        {facts(CURLE_PEER_FAILED_VERIFICATION), Transport::tls_verify},
        {facts(CURLE_USE_SSL_FAILED), Transport::starttls_failed},
        {facts(CURLE_LOGIN_DENIED), Transport::login_denied},
        {facts(CURLE_WEIRD_SERVER_REPLY), Transport::reply_error},
        {facts(CURLE_OUT_OF_MEMORY), Transport::other},
    };
    for (const auto& [f, want] : rows) {
      CAPTURE(static_cast<int>(f.code));
      CHECK(transport_of(f) == want);
    }
  }
}
