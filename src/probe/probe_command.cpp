#include <cstdio>

#include "cli/commands.hpp"

namespace mailprobe {

// Not implemented yet: replaced by the real command.
int run_probe_command(int, char**) {
  std::fprintf(stderr, "mailprobe: this command is not implemented yet\n");
  return 3;
}

}  // namespace mailprobe
