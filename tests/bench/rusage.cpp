// Runs a command with posix_spawn (no copy of the caller's memory, unlike
// fork from Python, whose RSS would otherwise count in the child's peak) and
// prints its own CPU time and peak RSS on stderr as one line:
//   RUSAGE maxrss_kib=N cpu_us=N
// Exit status is the command's. Used by tests/bench/check_bench.py.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rusage COMMAND [ARGS...]\n");
    return 2;
  }
  pid_t pid;
  if (posix_spawnp(&pid, argv[1], nullptr, nullptr, argv + 1, environ) != 0) return 127;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) return 127;
  long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  std::fprintf(stderr, "RUSAGE maxrss_kib=%ld cpu_us=%ld\n", ru.ru_maxrss, cpu);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
