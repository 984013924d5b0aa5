#include "serve/delivery.hpp"

namespace mailprobe::serve {

StoreSink::StoreSink(MailStore& store, const Faults& faults, std::FILE* debug_out, std::FILE* log)
    : store_(store), faults_(faults), debug_out_(debug_out), log_(log) {
  if (faults_.delay_delivery.count() > 0) worker_ = std::thread([this] { run_delayed(); });
}

StoreSink::~StoreSink() { flush_and_stop(); }

void StoreSink::print_debug(const Delivery& d) {
  std::lock_guard<std::mutex> lock(print_mu_);
  if (log_) {
    std::string rcpts;
    for (const auto& r : d.recipients) rcpts += (rcpts.empty() ? "" : ",") + r.user;
    std::fprintf(log_, "mailprobe serve: queued %s from <%s> to %s (%zu bytes, message %zu of its session)\n",
                 d.queue_id.c_str(), d.mail_from.c_str(), rcpts.c_str(), d.data.size(), d.session_message);
    std::fflush(log_);
  }
  if (!debug_out_) return;
  // Seed 003's debugging server: envelope, then the message as received.
  std::string out = "---------- MESSAGE FOLLOWS ----------\n";
  out += "X-Queue-Id: " + d.queue_id + "\nX-Peer: " + d.peer_ip + "\nX-Helo: " + d.helo +
         "\nX-Mail-From: <" + d.mail_from + ">\n";
  for (const auto& r : d.recipients) out += "X-Rcpt-To: <" + r.address + ">\n";
  out += "\n";
  for (char c : d.data)
    if (c != '\r') out += c;
  out += "------------ END MESSAGE ------------\n";
  std::fwrite(out.data(), 1, out.size(), debug_out_);
  std::fflush(debug_out_);
}

Status StoreSink::deliver(const Delivery& d) {
  print_debug(d);
  for (const auto& r : d.recipients) {
    std::string bytes = received_header(d, r) + d.data;
    Folder folder = faults_.is_junk(bytes) ? Folder::junk : Folder::inbox;
    if (faults_.delay_delivery.count() > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stop_) {
        delayed_.emplace(std::chrono::steady_clock::now() + faults_.delay_delivery,
                         Pending{r.user, folder, std::move(bytes)});
        cv_.notify_one();
        continue;
      }
    }
    auto uid = store_.deliver(r.user, folder, std::move(bytes), {}, d.received_at);
    if (!uid) return uid.error();
  }
  return ok();
}

void StoreSink::run_delayed() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (delayed_.empty()) {
      if (stop_) return;
      cv_.wait(lock);
      continue;
    }
    auto due = delayed_.begin()->first;
    if (!stop_ && std::chrono::steady_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    Pending p = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    lock.unlock();
    (void)store_.deliver(p.user, p.folder, std::move(p.bytes));
    lock.lock();
  }
}

void StoreSink::flush_and_stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

}  // namespace mailprobe::serve
