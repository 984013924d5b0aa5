#pragma once

// Which mailbox is the Junk folder: the SPECIAL-USE \Junk attribute (RFC 6154
// §2) wins; otherwise the first existing of the common names.

#include <string>
#include <vector>

#include "imap/response.hpp"

namespace mailprobe::insight {

/// Fallback names, in order of preference, when no mailbox carries \Junk.
const std::vector<std::string>& junk_fallback_names();

/// Picks from LIST "" "*" entries (imap::list_entry). Mailboxes flagged
/// \Noselect or \NonExistent are never chosen. Names match exactly first,
/// then case-insensitively, also below an "INBOX." / "INBOX/" namespace.
/// "" when there is no Junk folder.
std::string choose_junk_mailbox(const std::vector<imap::ListEntry>& entries);

}  // namespace mailprobe::insight
