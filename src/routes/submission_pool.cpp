#include "routes/submission_pool.hpp"

#include <algorithm>
#include <thread>

namespace mailprobe::routes {

std::string session_key(const smtp::SendRequest& r) {
  // Separator: a NUL never appears in a validated flag value or a token.
  std::string k;
  for (const std::string* part : {&r.server.host, &r.connect_to, &r.helo, &r.creds.username, &r.creds.password,
                                  &r.creds.bearer, &r.tls.ca_file})
    k += *part + '\0';
  k += std::to_string(r.server.port) + '\0' + std::string(net::to_string(r.server.tls)) + '\0' +
       std::string(net::to_string(r.creds.mechanism)) + '\0' + (r.tls.insecure ? "1" : "0");
  return k;
}

SubmissionPool::~SubmissionPool() { close(); }

int SubmissionPool::sessions_opened() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opened_;
}

std::unique_ptr<smtp::Session> SubmissionPool::open_session(const std::string& key, smtp::SendRequest setup,
                                                            std::optional<smtp::SendReport>& failed) {
  setup.message.clear();
  setup.before_mail = {};
  setup.on_accepted = {};
  auto s = std::make_unique<smtp::Session>(setup);
  if (s->ready()) return s;
  // The session could not be set up (connect, TLS, greeting, AUTH): an
  // account-wide fact, so the account's other routes get it at once instead
  // of each trying again behind the cap (a server that delays failed AUTHs
  // by 2 s would otherwise hold 30 routes for 20 s).
  smtp::SendReport report = s->send(setup);  // the set-up failure; nothing is sent
  s->close();
  std::lock_guard<std::mutex> lock(mu_);
  Account& a = accounts_[key];
  --a.open;
  if (!a.failed) a.failed = report;
  failed = a.failed;
  cv_.notify_all();
  return nullptr;
}

void SubmissionPool::prewarm(const smtp::SendRequest& setup, int want) {
  const std::string key = session_key(setup);
  {
    std::lock_guard<std::mutex> lock(mu_);
    Account& a = accounts_[key];
    if (a.open >= std::min(want, kSessionsPerAccount) || a.failed) return;
    ++a.open;
    ++opened_;
  }
  std::optional<smtp::SendReport> failed;
  if (auto s = open_session(key, setup, failed)) give_back(key, std::move(s));
}

void SubmissionPool::give_back(const std::string& key, std::unique_ptr<smtp::Session> s) {
  std::lock_guard<std::mutex> lock(mu_);
  give_back_locked(key, std::move(s));
}

void SubmissionPool::give_back_locked(const std::string& key, std::unique_ptr<smtp::Session> s) {
  Account& a = accounts_[key];
  cv_.notify_all();
  if (s->ready()) {
    a.idle.push_back(std::move(s));
    return;
  }
  --a.open;
  // Not reusable: its QUIT (a server may hold the 221) on a thread of its
  // own, which close() joins, so no route waits for it.
  goodbyes_.emplace_back([s = std::shared_ptr<smtp::Session>(std::move(s))] { s->close(); });
}

void SubmissionPool::expect(const std::string& account, int n) {
  std::lock_guard<std::mutex> lock(mu_);
  plans_[account].remaining += n;
}

void SubmissionPool::finished(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = plans_.find(account);
  if (it == plans_.end() || --it->second.remaining > 0) return;
  for (const auto& key : it->second.keys) {
    Account& a = accounts_[key];
    if (a.open != static_cast<int>(a.idle.size())) continue;  // one is still lent out or being set up
    for (auto& sess : a.idle)
      goodbyes_.emplace_back([s = std::shared_ptr<smtp::Session>(std::move(sess))] { s->close(); });
    a.idle.clear();
    a.open = 0;
  }
  plans_.erase(it);
}

void SubmissionPool::lead(const std::string& key, std::unique_ptr<smtp::Session> s,
                          std::unique_lock<std::mutex>& lock) {
  Account& a = accounts_[key];
  std::vector<Waiter*> batch;
  while (!a.queue.empty() && batch.size() < kMaxBatch) {
    Waiter* w = a.queue.front();
    a.queue.pop_front();
    w->taken = true;
    batch.push_back(w);
  }
  lock.unlock();
  std::vector<const smtp::SendRequest*> reqs;
  for (Waiter* w : batch) reqs.push_back(w->req);
  std::vector<bool> retry;
  std::vector<smtp::SendReport> reports = s->send_batch(reqs, retry);
  lock.lock();
  give_back_locked(key, std::move(s));
  // Requests the server did not take go back to the front, in order; each
  // is bounded (a server that keeps closing sessions gets its failure).
  for (std::size_t i = batch.size(); i-- > 0;) {
    Waiter* w = batch[i];
    w->taken = false;
    if (retry[i] && ++w->attempts <= 2 * kSessionsPerAccount && !w->req->deadline.expired()) {
      a.queue.push_front(w);
    } else {
      w->report = std::move(reports[i]);
      w->done = true;
    }
  }
  cv_.notify_all();
}

smtp::SendReport SubmissionPool::send(const smtp::SendRequest& req, const std::string& account) {
  const std::string key = session_key(req);
  std::unique_lock<std::mutex> lock(mu_);
  if (!account.empty())
    if (auto it = plans_.find(account); it != plans_.end()) it->second.keys.insert(key);
  Waiter me;
  me.req = &req;
  Account& a = accounts_[key];
  a.queue.push_back(&me);
  auto leave_queue = [&] {
    auto it = std::find(a.queue.begin(), a.queue.end(), &me);
    if (it != a.queue.end()) a.queue.erase(it);
  };
  while (!me.done) {
    if (me.taken) {  // another route's flight carries it: its I/O is bounded
      cv_.wait(lock);
      continue;
    }
    if (!a.idle.empty()) {
      auto session = std::move(a.idle.back());
      a.idle.pop_back();
      lead(key, std::move(session), lock);
      continue;
    }
    if (a.failed) {
      leave_queue();
      return *a.failed;
    }
    if (a.open < kSessionsPerAccount) {
      ++a.open;
      ++opened_;
      lock.unlock();
      // Set up outside the lock: one handshake must not hold up the others.
      std::optional<smtp::SendReport> failed;
      auto session = open_session(key, req, failed);
      lock.lock();
      if (session) lead(key, std::move(session), lock);
      continue;  // on failure a.failed is set
    }
    if (req.deadline.expired() || (req.stop && req.stop->load())) {
      leave_queue();
      smtp::SendReport r;
      r.started = r.finished = Stamp::now();
      r.failure = (req.stop && req.stop->load())
                      ? Failure(Stage::smtp_connect, Result::timeout, "stopped by signal before an SMTP session came free")
                      : Failure(Stage::smtp_connect, Result::timeout,
                                "no SMTP session of this account came free before the deadline");
      return r;
    }
    // Short slices: nobody notifies us of the stop flag.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return std::move(me.report);
}

void SubmissionPool::close() {
  std::vector<std::unique_ptr<smtp::Session>> all;
  std::vector<std::jthread> started;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, a] : accounts_) {
      for (auto& s : a.idle) all.push_back(std::move(s));
      a.idle.clear();
      a.open = 0;
    }
    started.swap(goodbyes_);  // joined below, with the rest
  }
  // In parallel: each QUIT waits for its 221 (a server may hold it).
  std::vector<std::jthread> quits;
  quits.reserve(all.size());
  for (auto& s : all) quits.emplace_back([&s] { s->close(); });
}

}  // namespace mailprobe::routes
