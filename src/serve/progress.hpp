#pragma once

// What a session is in the middle of, so that the connection loop can bound
// the time a client takes per unit of work and not only its silence: a client
// that drips one byte a second never falls silent, yet must finish a command
// line within the line timeout and a DATA body or IMAP literal within the
// data timeout (issue 17, "idle timeout counts silence, not progress").

namespace mailprobe::serve {

enum class Progress {
  idle,  // between commands: only the idle timeout applies
  line,  // part of a command line has arrived
  data,  // inside SMTP DATA or an IMAP command with literals
};

}  // namespace mailprobe::serve
