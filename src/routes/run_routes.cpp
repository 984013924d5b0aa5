#include "routes/run_routes.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "check/run_check.hpp"
#include "routes/mailbox_group.hpp"
#include "routes/shared_route.hpp"

namespace mailprobe::routes {

using std::chrono::milliseconds;

std::chrono::milliseconds random_delay(milliseconds max) {
  if (max <= milliseconds(0)) return milliseconds(0);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> d(0, max.count());
  return milliseconds(d(rng));
}

bool sleep_unless_stopped(milliseconds d, const std::atomic<bool>* stop) {
  const auto until = SteadyClock::now() + d;
  while (SteadyClock::now() < until) {
    if (stop && stop->load()) return false;
    std::this_thread::sleep_for(std::min(milliseconds(20), std::chrono::duration_cast<milliseconds>(until - SteadyClock::now()) + milliseconds(1)));
  }
  return !(stop && stop->load());
}

namespace {

/// Runs `job(i)` for i in [0, n) on at most `width` threads.
template <typename Job>
void for_each_bounded(std::size_t n, int width, Job job) {
  std::atomic<std::size_t> next{0};
  const std::size_t threads = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, width)));
  std::vector<std::jthread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) job(i);
    });
}

}  // namespace

std::vector<check::CheckReport> run_routes(const std::vector<check::CheckConfig>& routes, const RunOptions& opt,
                                           RunStats* stats, check::Goodbyes* later) {
  // Which routes share which group.
  std::map<std::string, std::size_t> by_key;
  std::vector<const check::CheckConfig*> group_cfg;
  std::vector<int> group_of(routes.size(), -1);
  milliseconds longest{0};
  for (std::size_t i = 0; i < routes.size(); ++i) {
    longest = std::max(longest, routes[i].timeout);
    if (routes[i].bounce_creds.present()) continue;
    auto [it, fresh] = by_key.emplace(group_key(routes[i]), group_cfg.size());
    if (fresh) group_cfg.push_back(&routes[i]);
    group_of[i] = static_cast<int>(it->second);
  }
  // The watchers outlive every member: the longest timeout, the jitter and a margin.
  const Deadline group_deadline = Deadline::in(longest + opt.jitter + milliseconds(5000));

  // Per submission account (a rough key: the pool counts per exact session
  // key), as many sessions opened ahead as its routes will use at once (at
  // most kSessionsPerAccount): across a WAN a session set up on demand costs
  // six round trips or so, a transaction two.
  struct Submitter {
    const check::CheckConfig* cfg;
    int routes = 0;
  };
  std::map<std::string, Submitter> submitters;
  for (std::size_t i = 0; i < routes.size(); ++i)
    if (group_of[i] >= 0 && shares_submission(routes[i]))
      ++submitters.try_emplace(submitter_key(routes[i]), Submitter{&routes[i]}).first->second.routes;
  struct Warm {
    const check::CheckConfig* cfg;
    int want;
  };
  std::vector<Warm> warm;
  for (const auto& [key, sub] : submitters) {
    const int want = std::min({sub.routes, kSessionsPerAccount, std::max(1, opt.concurrency)});
    for (int k = 1; k <= want; ++k) warm.push_back({sub.cfg, want});
  }

  // Open every group first (in parallel): a route sends only once its
  // mailbox is watched. The SMTP sessions set up meanwhile (no envelope),
  // as a single check overlaps its legs: the two kinds are bounded by
  // --concurrency each, not together, so even one at a time still overlaps.
  auto pool = std::make_shared<SubmissionPool>();
  // Each account's sessions QUIT once its last route has sent.
  for (const auto& [key, sub] : submitters) pool->expect(key, sub.routes);
  std::vector<std::unique_ptr<MailboxGroup>> groups(group_cfg.size());
  {
    std::jthread warming([&] {
      for_each_bounded(warm.size(), opt.concurrency,
                       [&](std::size_t j) { prewarm_submission(*warm[j].cfg, *pool, opt.stop, warm[j].want); });
    });
    for_each_bounded(groups.size(), opt.concurrency, [&](std::size_t j) {
      groups[j] = std::make_unique<MailboxGroup>(*group_cfg[j], group_deadline, opt.stop);
    });
  }

  std::vector<SharedRun> runs(routes.size());
  for_each_bounded(routes.size(), opt.concurrency, [&](std::size_t i) {
    const check::CheckConfig& cfg = routes[i];
    if (opt.jitter > milliseconds(0)) (void)sleep_unless_stopped(random_delay(opt.jitter), opt.stop);
    if (group_of[i] < 0) runs[i].report = check::run_check(cfg, {}, opt.stop, {}, &runs[i].goodbyes);
    else runs[i] = run_shared_route(cfg, *groups[static_cast<std::size_t>(group_of[i])], pool.get(), opt.stop);
  });

  // Every transaction is over: the SMTP sessions QUIT while the rest winds
  // down (and, with `later`, while the caller prints).
  auto quit_smtp = std::make_unique<std::jthread>([pool] { pool->close(); });
  // Late-probe accounting needs the connections, not the watchers; only
  // then must the watchers stop before the reports are final.
  bool settles = false;
  for (std::size_t i = 0; i < routes.size(); ++i) settles = settles || (group_of[i] >= 0 && !routes[i].state_file.empty());
  if (settles) {
    for (auto& g : groups) g->close();
    for (std::size_t i = 0; i < routes.size(); ++i)
      if (group_of[i] >= 0) settle(runs[i], routes[i], *groups[static_cast<std::size_t>(group_of[i])]);
  }
  std::vector<check::CheckReport> out;
  out.reserve(routes.size());
  for (auto& r : runs) out.push_back(std::move(r.report));
  if (stats) {
    stats->groups = static_cast<int>(groups.size());
    for (const auto& g : groups) stats->imap_connections += g->connections();
    stats->smtp_sessions = pool->sessions_opened();
  }
  // Every watcher stops (its NOOPs in flight answered) and logs out, all
  // groups at once: about one round trip, which the records need not wait for.
  auto farewell = [groups = std::move(groups), width = opt.concurrency] {
    for_each_bounded(groups.size(), width, [&](std::size_t g) { groups[g]->logout(); });
  };
  if (!later) {
    farewell();
    return out;
  }
  later->adopt(std::make_unique<std::jthread>(std::move(farewell)));
  later->adopt(std::move(quit_smtp));
  for (auto& r : runs) later->adopt(std::move(r.goodbyes));
  return out;
}

}  // namespace mailprobe::routes
