#include "probe/seed_json.hpp"

#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace mailprobe::probe {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void kv(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string seconds_text(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", us < 0 ? 0.0 : static_cast<double>(us) / 1e6);
  return buf;
}

std::string py_str_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\' || c == q) out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (c == '\r') { out += "\\r"; continue; }
    if (c == '\t') { out += "\\t"; continue; }
    out += c;
  }
  out += q;
  return out;
}

std::string join_nl(const std::vector<std::string>& lines) {
  // smtplib joins the lines of a multi-line reply with b"\n".
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

void op(Writer& w, const char* key, const Step& s, bool ehlo, const ProbeResult& r) {
  w.Key(key);
  w.StartObject();
  kv(w, "status_code", s.answered ? std::to_string(s.code) : "");
  if (ehlo) {
    const auto& caps = r.smtp->effective_caps();
    kv(w, "status_msg", python_list_repr(caps ? caps->keywords : std::vector<std::string>{}));
    if (caps && caps->size_advertised) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(caps->size) / 1048576.0);
      kv(w, "SIZE", buf);
    }
  } else {
    kv(w, "status_msg", python_bytes_repr(join_nl(s.lines)));
  }
  w.EndObject();
}

bool dialogue_started(const ProbeResult& r) {
  return r.smtp && r.smtp->ehlo.answered;
}

void body(Writer& w, const ProbeResult& r) {
  w.StartObject();
  kv(w, "target_host", r.host);
  kv(w, "target_port", std::to_string(r.port));
  if (!r.success() && !dialogue_started(r)) {
    // The seed's failure shape (it could not connect or greet).
    kv(w, "retcode", "ERROR: on port " + std::to_string(r.port) + " can't connect.");
    std::string err;
    if (r.result == Result::dns_error) err = "[Errno -2] Name or service not known";
    else if (r.result == Result::connection_refused) err = "[Errno 111] Connection refused";
    else if (r.result == Result::timeout) err = "timed out";
    else err = std::string(to_string(r.result)) + ": " + r.error;
    kv(w, "errcode", err);
    w.EndObject();
    return;
  }
  kv(w, "IP_address", r.ip);
  if (r.send_requested) {
    kv(w, "sendmail_op", r.send_code ? std::to_string(*r.send_code) + " " + r.send_text : r.send_text);
  }
  kv(w, "connected_time", r.connected_at ? iso8601_utc(*r.connected_at) : "");
  const SmtpDialogue& d = *r.smtp;
  const Step& ehlo = d.ehlo_tls.sent ? d.ehlo_tls : d.ehlo;
  std::string server_msg;
  if (ehlo.answered && !ehlo.lines.empty())
    server_msg = std::to_string(ehlo.code) + (ehlo.lines.size() > 1 ? "-" : " ") + ehlo.lines.front();
  kv(w, "server_msg", server_msg);
  op(w, "ehlo_op", ehlo, true, r);
  op(w, "noop_op", d.noop, false, r);
  kv(w, "response_time", seconds_text(d.noop.micros));
  op(w, "quit_op", d.quit, false, r);
  kv(w, "duration", seconds_text(r.total_us));
  if (!r.success()) {
    // Not in the seed's success example: a failure after the dialogue began.
    kv(w, "retcode", "ERROR: on port " + std::to_string(r.port) + " " + std::string(to_string(r.stage)) + " failed.");
    kv(w, "errcode", std::string(to_string(r.result)) + ": " + r.error);
  }
  w.EndObject();
}

}  // namespace

std::string python_bytes_repr(std::string_view s) {
  std::string out = "b";
  out += py_str_repr(s);
  return out;
}

std::string python_list_repr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += py_str_repr(items[i]);
  }
  return out + "]";
}

std::string to_seed_json(const ProbeResult& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("output");
  body(w, r);
  w.Key("queue");
  body(w, r);
  w.EndObject();
  return buf.GetString();
}

}  // namespace mailprobe::probe
