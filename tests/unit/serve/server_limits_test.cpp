// Issue 17: the connection-level limits of `mailprobe serve` - the failure
// boundary, per-address and descriptor caps, time bounds on drip-fed input.
// Loopback sockets only (127.0.0.1, ports picked by the kernel).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "serve/connection.hpp"
#include "serve/server.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;
using namespace std::chrono_literals;

namespace {

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Reads until `want` appears, the peer closes or `limit` passes.
std::string read_until(int fd, std::string_view want, std::chrono::milliseconds limit = 5000ms) {
  std::string got;
  auto end = std::chrono::steady_clock::now() + limit;
  while (got.find(want) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

ServerOptions plain_options() {
  ServerOptions o;
  o.tls = false;
  o.smtps_port = o.imaps_port = -1;
  o.log = nullptr;
  return o;
}

struct ThrowingSink : DeliverySink {
  Status deliver(const Delivery&) override { throw std::runtime_error("sink exploded"); }
};

}  // namespace

TEST_SUITE("serve::limits") {
  TEST_CASE("failure boundary: an exception in a session ends it with 421, not the process") {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    ::fcntl(sv[0], F_SETFL, O_NONBLOCK);
    int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    Users users = Users::demo();
    Faults faults;
    ThrowingSink sink;
    std::atomic<bool> stopping{false};
    std::FILE* log = std::tmpfile();
    ConnectionContext ctx;
    ctx.users = &users;
    ctx.faults = &faults;
    ctx.sink = &sink;
    ctx.stopping = &stopping;
    ctx.log = log;
    ctx.max_message_size = 1 << 20;
    std::thread t([&] { run_connection(sv[0], wake, Protocol::smtp, false, "192.0.2.7", ctx); });
    std::string in = "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<alice@x>\r\nDATA\r\n";
    ::send(sv[1], in.data(), in.size(), 0);
    CHECK(read_until(sv[1], "354").find("354") != std::string::npos);
    std::string body = "Subject: x\r\n\r\nhi\r\n.\r\n";
    ::send(sv[1], body.data(), body.size(), 0);
    std::string bye = read_until(sv[1], "\r\n");
    CHECK(bye == "421 4.3.0 Internal server error, closing connection\r\n");
    t.join();  // the session ended; this thread, and the process, go on
    std::rewind(log);
    char line[256] = {};
    REQUIRE(std::fgets(line, sizeof line, log));
    CHECK(std::string(line).find("SMTP session from 192.0.2.7 ended by an internal error: sink exploded") !=
          std::string::npos);
    std::fclose(log);
    ::close(sv[1]);
    ::close(wake);
  }

  TEST_CASE("per-address cap: the next client from the same address gets 421 / BYE") {
    ServerOptions o = plain_options();
    o.max_connections_per_ip = 2;
    auto s = Server::start(o);
    REQUIRE(s);
    Ports p = s.value()->ports();
    std::vector<int> fds;
    for (int i = 0; i < 2; ++i) {
      fds.push_back(connect_to(p.smtp));
      CHECK(read_until(fds.back(), "\r\n").rfind("220 ", 0) == 0);
    }
    int third = connect_to(p.smtp);
    CHECK(read_until(third, "\r\n") == "421 4.7.0 too many connections from your address\r\n");
    int imap = connect_to(p.imap);
    CHECK(read_until(imap, "\r\n") == "* BYE too many connections from your address\r\n");
    for (int fd : {third, imap}) ::close(fd);
    ::close(fds[0]);
    // A slot is free again once the session has ended (the acceptor reaps it).
    std::string greet;
    for (int i = 0; i < 50 && greet.rfind("220 ", 0) != 0; ++i) {
      std::this_thread::sleep_for(20ms);
      int again = connect_to(p.smtp);
      greet = read_until(again, "\r\n");
      ::close(again);
    }
    CHECK(greet.rfind("220 ", 0) == 0);
    ::close(fds[1]);
    s.value()->stop();
  }

  TEST_CASE("drip-feed: a command line must be complete within line_timeout, however steady the bytes") {
    ServerOptions o = plain_options();
    o.line_timeout = 400ms;
    auto s = Server::start(o);
    REQUIRE(s);
    int fd = connect_to(s.value()->ports().smtp);
    read_until(fd, "\r\n");
    auto t0 = std::chrono::steady_clock::now();
    std::string got;
    for (int i = 0; i < 30 && got.empty(); ++i) {
      ::send(fd, "N", 1, MSG_NOSIGNAL);  // one byte every 100 ms: never silent
      got = read_until(fd, "\r\n", 100ms);
    }
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(got.rfind("421 ", 0) == 0);
    CHECK(took < 2s);
    ::close(fd);
    s.value()->stop();
  }

  TEST_CASE("drip-feed: a DATA body must be complete within data_timeout, whole lines or not") {
    ServerOptions o = plain_options();
    o.data_timeout = 600ms;
    auto s = Server::start(o);
    REQUIRE(s);
    int fd = connect_to(s.value()->ports().smtp);
    read_until(fd, "\r\n");
    std::string in = "HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<alice@x>\r\nDATA\r\n";
    ::send(fd, in.data(), in.size(), MSG_NOSIGNAL);
    REQUIRE(read_until(fd, "354").find("354") != std::string::npos);
    auto t0 = std::chrono::steady_clock::now();
    std::string got;
    for (int i = 0; i < 40 && got.find("421") == std::string::npos; ++i) {
      ::send(fd, "line\r\n", 6, MSG_NOSIGNAL);  // complete lines, every 100 ms
      got += read_until(fd, "421", 100ms);
    }
    CHECK(got.find("421 ") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    ::close(fd);
    s.value()->stop();
  }

  TEST_CASE("RLIMIT_NOFILE: the cap follows the descriptor limit and EMFILE is answered, not spun on") {
    // In a child: the descriptor limit is process-wide.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      rlimit rl{200, 200};
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::_exit(2);
      ServerOptions o = plain_options();
      auto s = Server::start(o);
      if (!s) ::_exit(3);
      if (s.value()->max_connections() != (200 - 64) / 2) ::_exit(4);
      int port = s.value()->ports().smtp;
      // Use up every descriptor but one, which the client socket takes.
      std::vector<int> hog;
      for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) hog.push_back(fd);
      ::close(hog.back());
      hog.pop_back();
      int c = connect_to(port);
      if (c < 0) ::_exit(5);
      std::string got = read_until(c, "\r\n");
      rusage before{}, after{};
      ::getrusage(RUSAGE_SELF, &before);
      std::this_thread::sleep_for(500ms);
      ::getrusage(RUSAGE_SELF, &after);
      double cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) + (after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
                   ((after.ru_utime.tv_usec - before.ru_utime.tv_usec) + (after.ru_stime.tv_usec - before.ru_stime.tv_usec)) / 1e6;
      if (got != "421 4.3.2 Server out of resources, try later\r\n") ::_exit(6);
      if (cpu > 0.2) ::_exit(7);
      ::close(c);
      for (int fd : hog) ::close(fd);
      s.value()->stop();
      ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}
