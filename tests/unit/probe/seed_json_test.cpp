#include <doctest/doctest.h>

#include <string>

#include "probe/seed_json.hpp"

using namespace mailprobe;
using namespace mailprobe::probe;

TEST_SUITE("probe::seed_json") {
  TEST_CASE("Python reprs match smtplib output") {
    CHECK(python_bytes_repr("2.0.0 OK") == "b'2.0.0 OK'");
    CHECK(python_bytes_repr("it's") == "b\"it's\"");
    CHECK(python_bytes_repr("a\nb") == "b'a\\nb'");
    CHECK(python_list_repr({"PIPELINING", "SIZE 33554432"}) == "['PIPELINING', 'SIZE 33554432']");
    CHECK(python_list_repr({}) == "[]");
  }

  TEST_CASE("a connect failure uses the seed's retcode/errcode shape") {
    ProbeResult r;
    r.host = "kazi.fit.vutbr.cz123";
    r.port = 25;
    r.result = Result::dns_error;
    r.stage = Stage::smtp_connect;
    auto j = to_seed_json(r);
    CHECK(j == "{\"output\":{\"target_host\":\"kazi.fit.vutbr.cz123\",\"target_port\":\"25\","
               "\"retcode\":\"ERROR: on port 25 can't connect.\",\"errcode\":\"[Errno -2] Name or "
               "service not known\"},\"queue\":{\"target_host\":\"kazi.fit.vutbr.cz123\","
               "\"target_port\":\"25\",\"retcode\":\"ERROR: on port 25 can't connect.\","
               "\"errcode\":\"[Errno -2] Name or service not known\"}}");
  }
}
