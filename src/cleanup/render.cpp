#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cleanup/run_cleanup.hpp"

namespace mailprobe::cleanup {

std::string render_json(const CleanupReport& rep, const CleanupConfig& cfg) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  int found = 0, deleted = 0;
  for (const auto& m : rep.mailboxes) {
    found += m.found;
    deleted += m.deleted;
  }
  w.StartObject();
  w.Key("command");
  w.String("cleanup");
  w.Key("time");
  w.String(iso8601_utc(rep.time).c_str());
  w.Key("success");
  w.Bool(!rep.failure);
  w.Key("result");
  w.String(std::string(to_string(rep.failure ? rep.failure->result : Result::success)).c_str());
  w.Key("result_code");
  w.Int(result_code(rep.failure ? rep.failure->result : Result::success));
  if (rep.failure) {
    w.Key("stage");
    w.String(std::string(to_string(rep.failure->stage)).c_str());
    w.Key("error");
    w.String(rep.failure->reply_text.c_str());
  }
  w.Key("imap_server");
  w.String(rep.server.c_str());
  w.Key("dry_run");
  w.Bool(cfg.dry_run);
  w.Key("older_than_seconds");
  w.Int64(cfg.older_than.count());
  w.Key("found");
  w.Int(found);
  w.Key("deleted");
  w.Int(deleted);
  w.Key("mailboxes");
  w.StartArray();
  for (const auto& m : rep.mailboxes) {
    w.StartObject();
    w.Key("mailbox");
    w.String(m.mailbox.c_str());
    w.Key("role");
    w.String(m.role.c_str());
    w.Key("candidates");
    w.Int(m.candidates);
    w.Key("found");
    w.Int(m.found);
    w.Key("deleted");
    w.Int(m.deleted);
    w.Key("action");
    w.String(m.action.c_str());
    if (!m.error.empty()) {
      w.Key("error");
      w.String(m.error.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

std::string render_text(const CleanupReport& rep, const CleanupConfig& cfg) {
  std::string out = "mailprobe cleanup: ";
  out += rep.failure ? "FAILED (" + std::string(to_string(rep.failure->result)) + " at " +
                           std::string(to_string(rep.failure->stage)) + ": " + rep.failure->reply_text + ")"
                     : std::string("ok");
  out += cfg.dry_run ? " [dry run]\n" : "\n";
  for (const auto& m : rep.mailboxes) {
    out += "  " + m.mailbox + " (" + m.role + "): " + std::to_string(m.found) + " old probe(s) of " +
           std::to_string(m.candidates) + " with a token header, " + std::to_string(m.deleted) + " deleted (" +
           m.action + ")\n";
  }
  return out;
}

}  // namespace mailprobe::cleanup
