#include "imap/session.hpp"

namespace mailprobe::imap {

std::string Session::next_tag() {
  std::string tag("m");
  tag += std::to_string(++counter_);
  return tag;
}

void Session::observe(const Response& r) {
  if (auto n = exists_count(r)) {
    if (*n > exists_) new_mail_ = true;
    exists_ = *n;
  } else if (expunge_number(r)) {
    ++expunges_;
    // RFC 3501 §7.4.1: each EXPUNGE shrinks the mailbox by one, so an arrival
    // right after another client's expunge still shows as a rise in EXISTS.
    if (exists_ > 0) --exists_;
  }
}

bool Session::take_new_mail() {
  bool v = new_mail_;
  new_mail_ = false;
  return v;
}

Outcome<Response> Session::read_one(const Deadline& dl, Stage stage) {
  while (true) {
    if (auto r = reader_.next()) {
      observe(*r);
      if (r->kind == Response::Kind::untagged && r->status() == "BYE")
        return Failure(stage, Result::connection_closed, "server said BYE: " + r->status_text());
      return *r;
    }
    if (reader_.overflow()) return Failure(stage, Result::protocol_error, "IMAP response line too long");
    if (dl.expired()) return Failure(stage, Result::timeout, "no complete IMAP response before the deadline");
    auto bytes = t_.recv(dl, stage);
    if (!bytes) return bytes.error();
    reader_.feed(bytes.value());
  }
}

Outcome<std::vector<Response>> Session::command(std::string_view cmd, const Deadline& dl, Stage stage) {
  std::string tag = next_tag();
  std::string line = tag + " " + std::string(cmd) + "\r\n";
  if (auto s = t_.send(line, dl, stage); !s) return s.error();
  std::vector<Response> out;
  while (true) {
    auto r = read_one(dl, stage);
    if (!r) return r.error();
    out.push_back(r.value());
    const Response& last = out.back();
    if (last.kind == Response::Kind::tagged && last.tag == tag) {
      std::string st = last.status();
      if (st == "OK") return out;
      Result kind = st == "NO" ? Result::imap_no : st == "BAD" ? Result::imap_bad : Result::protocol_error;
      return Failure(stage, kind, last.text);
    }
  }
}

Outcome<std::string> Session::send_command(std::string_view cmd, const Deadline& dl, Stage stage) {
  std::string tag = next_tag();
  if (auto s = t_.send(tag + " " + std::string(cmd) + "\r\n", dl, stage); !s) return s.error();
  return tag;
}

Outcome<std::optional<Response>> Session::next_response(const Deadline& until, Stage stage) {
  while (true) {
    if (auto r = reader_.next()) {
      observe(*r);
      if (r->kind == Response::Kind::untagged && r->status() == "BYE")
        return Failure(stage, Result::connection_closed, "server said BYE: " + r->status_text());
      return std::optional<Response>(std::move(*r));
    }
    if (reader_.overflow()) return Failure(stage, Result::protocol_error, "IMAP response line too long");
    if (until.expired()) return std::optional<Response>();
    auto bytes = t_.recv(until, stage);
    if (!bytes) return bytes.error();
    reader_.feed(bytes.value());
  }
}

Status Session::idle_start(const Deadline& dl) {
  idle_tag_ = next_tag();
  if (auto s = t_.send(idle_tag_ + " IDLE\r\n", dl, Stage::imap_wait); !s) return s;
  while (true) {
    auto r = read_one(dl, Stage::imap_wait);
    if (!r) return r.error();
    if (r->kind == Response::Kind::continuation) return ok();
    if (r->kind == Response::Kind::tagged && r->tag == idle_tag_)
      return Failure(Stage::imap_wait, r->status() == "BAD" ? Result::imap_bad : Result::imap_no,
                     "IDLE refused: " + r->text);
  }
}

Outcome<bool> Session::idle_wait(const Deadline& until) {
  while (true) {
    // Responses already buffered count before waiting for more.
    while (auto r = reader_.next()) {
      observe(*r);
      if (r->kind == Response::Kind::untagged && r->status() == "BYE")
        return Failure(Stage::imap_wait, Result::connection_closed, "server said BYE: " + r->status_text());
    }
    if (take_new_mail()) return true;
    if (until.expired()) return false;
    auto bytes = t_.recv(until, Stage::imap_wait);
    if (!bytes) return bytes.error();
    reader_.feed(bytes.value());
  }
}

Status Session::idle_done(const Deadline& dl) {
  if (auto s = t_.send("DONE\r\n", dl, Stage::imap_wait); !s) return s;
  while (true) {
    auto r = read_one(dl, Stage::imap_wait);
    if (!r) return r.error();
    if (r->kind == Response::Kind::tagged && r->tag == idle_tag_) {
      if (r->status() == "OK") return ok();
      return Failure(Stage::imap_wait, Result::imap_no, "IDLE ended with: " + r->text);
    }
  }
}

}  // namespace mailprobe::imap
