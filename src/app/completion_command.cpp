// `mailprobe completion bash|zsh`: prints the shell completion script (the
// same text `meson install` puts in the shells' completion directories).

#include <cstdio>
#include <string>

#include "app/commands.hpp"
#include "app/usage_error.hpp"
#include "completion_scripts.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

int run_completion_command(int argc, char** argv) {
  std::string shell = argc == 2 ? argv[1] : "";
  if (shell == "--help" || shell == "-h") {
    std::puts("usage: mailprobe completion bash|zsh\n\n"
              "  bash: source <(mailprobe completion bash)   or save it as\n"
              "        /usr/share/bash-completion/completions/mailprobe\n"
              "  zsh:  mailprobe completion zsh > ~/.zfunc/_mailprobe   (a directory on $fpath)");
    return to_int(ExitCode::ok);
  }
  std::string_view script;
  if (shell == "bash") script = kBashCompletion;
  else if (shell == "zsh") script = kZshCompletion;
  else throw UsageError(argc < 2 ? "give the shell: mailprobe completion bash|zsh"
                                 : "unknown shell '" + std::string(argv[1]) + "': give bash or zsh");
  std::fwrite(script.data(), 1, script.size(), stdout);
  return to_int(ExitCode::ok);
}

}  // namespace mailprobe::app
