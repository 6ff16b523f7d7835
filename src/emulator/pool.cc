#include "src/emulator/pool.h"

#include <algorithm>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/emulator/errors.h"

namespace zerostart::emulator {

Pool::Pool(PoolOptions options) : options_(std::move(options)) {}

Pool::~Pool() { Stop(); }

void Pool::Start() {
  std::shared_ptr<Environment> eager;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_ || stopping_) return;
    started_ = true;
    // Lambda Managed Instances initialise environments before traffic arrives.
    if (options_.eager || options_.max_concurrency > 0) eager = NewEnvironmentLocked();
  }
  if (eager) eager->Start();
  AsyncEventOptions async = options_.async;
  // As many attempts at once as the pool can run; more would only be throttled.
  async.max_concurrent_attempts =
      std::min(kMaxConcurrency, options_.concurrency * std::max(1, options_.max_concurrency));
  async_ = std::make_unique<AsyncEventQueue>(
      std::move(async), [this](std::shared_ptr<Invocation> invocation) { return Invoke(std::move(invocation)); },
      options_.sink);
  janitor_ = std::thread([this] { JanitorMain(); });
}

void Pool::Stop() {
  std::vector<std::shared_ptr<Invocation>> answered;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& environment : environments_) environment->ShutdownLocked(&answered);
  }
  for (auto& invocation : answered) DeliverAnswer(mutex_, invocation);
  // Its running attempts were just answered; pending ones are dropped.
  if (async_) async_->Stop();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    gone_cv_.wait(lock, [this] { return environments_.empty(); });
  }
  janitor_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
}

InvokeResult Pool::ThrottleResult() const {
  InvokeResult result;
  result.http_status = 429;
  result.body = ThrottleErrorJson(lambda::kThrottleReasonReservedConcurrency);
  result.content_type = std::string(lambda::kJsonContentType);
  result.exception = std::string(lambda::kTooManyRequestsException);
  return result;
}

std::shared_ptr<Environment> Pool::NewEnvironmentLocked() {
  EnvironmentOptions environment;
  environment.config = &options_.config;
  environment.function = &options_.function;
  environment.sink = options_.sink;
  environment.max_concurrency = options_.max_concurrency;
  environment.freeze = options_.freeze;
  environment.idle_timeout = options_.idle_timeout;
  environment.enforce_limits = options_.enforce_limits;
  environment.make_function_side = options_.make_function_side;
  environment.function_arn = options_.function_arn;
  environment.extensions = options_.extensions;
  environment.reassign = [this](std::vector<std::shared_ptr<Invocation>> invocations) {
    Reassign(std::move(invocations));
  };
  environment.on_dead = [this](Environment* dead) { OnDead(dead); };
  auto created = std::make_shared<Environment>(std::move(environment), mutex_, ++next_id_);
  environments_.push_back(created);
  return created;
}

std::shared_ptr<Environment> Pool::PlaceLocked(const std::shared_ptr<Invocation>& invocation,
                                               const std::function<void()>& admitted, bool* created) {
  std::shared_ptr<Environment> warm;
  std::optional<std::chrono::steady_clock::time_point> warm_idle_since;
  std::shared_ptr<Environment> starting;
  int live = 0;
  for (const auto& environment : environments_) {
    if (!environment->IsLiveLocked()) continue;
    ++live;
    if (environment->id() <= retired_through_id_) continue;  // retired: no new invoke
    if (!environment->HasRoomLocked() || environment->HasOrphanLocked(invocation->request_id)) continue;
    if (!environment->IsReadyLocked()) {
      if (!starting) starting = environment;
      continue;
    }
    // The environment idle the shortest time (busy ones with room first): the others stay idle
    // and can be reclaimed, as Lambda's scheduler lets unused environments go.
    std::optional<std::chrono::steady_clock::time_point> idle_since = environment->IdleSinceLocked();
    if (!warm || (warm_idle_since && (!idle_since || *idle_since > *warm_idle_since))) {
      warm = environment;
      warm_idle_since = idle_since;
    }
  }
  std::shared_ptr<Environment> chosen = warm ? warm : starting;
  if (!chosen) {
    if (live >= options_.concurrency) return nullptr;
    chosen = NewEnvironmentLocked();
    *created = true;
  }
  if (admitted) admitted();
  chosen->AssignLocked(invocation);
  return chosen;
}

void Pool::Admit(const std::shared_ptr<Invocation>& invocation, const std::function<void()>& admitted) {
  std::shared_ptr<Environment> environment;
  bool created = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (invocation->done) return;  // answered meanwhile (e.g. by Stop)
    if (!stopping_) {
      environment = PlaceLocked(invocation, admitted, &created);
      if (!environment) ++throttled_;
    }
    if (!environment) {
      invocation->done = true;
      invocation->result = stopping_ ? ShutdownResult() : ThrottleResult();
    }
  }
  if (created) {
    // Its supervisor thread starts outside the lock: making a thread takes the address space's
    // lock, which a burst of cold starts must not hold every other invoke up behind.
    environment->Start();
  } else if (environment) {
    environment->NotifyAssigned();
  } else {
    DeliverAnswer(mutex_, invocation);
  }
}

InvokeResult Pool::Invoke(std::shared_ptr<Invocation> invocation, const std::function<void()>& admitted) {
  Admit(invocation, admitted);
  std::unique_lock<std::mutex> lock(mutex_);
  invocation->done_cv.wait(lock, [&] { return invocation->delivered; });
  return std::move(invocation->result);
}

void Pool::InvokeAsync(std::shared_ptr<Invocation> invocation) {
  invocation->async = true;
  // Refused only once Stop() has begun: the event is dropped, as Stop drops pending ones.
  (void)async_->Submit(invocation);
}

void Pool::Reassign(std::vector<std::shared_ptr<Invocation>> invocations) {
  for (const auto& invocation : invocations) Admit(invocation, {});
}

void Pool::OnDead(Environment* environment) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dead_.push_back(environment);
  }
  janitor_cv_.notify_all();
}

void Pool::JanitorMain() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    janitor_cv_.wait(lock, [this] { return !dead_.empty() || (stopping_ && environments_.empty()); });
    if (dead_.empty()) return;
    std::vector<Environment*> dead = std::move(dead_);
    dead_.clear();
    std::vector<std::shared_ptr<Environment>> released;
    for (Environment* environment : dead) {
      auto it = std::find_if(environments_.begin(), environments_.end(),
                             [&](const std::shared_ptr<Environment>& e) { return e.get() == environment; });
      if (it == environments_.end()) continue;
      released.push_back(std::move(*it));
      environments_.erase(it);
    }
    lock.unlock();
    released.clear();  // joins their supervisors (which have finished)
    lock.lock();
    gone_cv_.notify_all();
  }
}

int Pool::RetireEnvironments() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    retired_through_id_ = next_id_;
  }
  return FinishRetiring();
}

int Pool::FinishRetiring() {
  std::vector<std::shared_ptr<Environment>> retired;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& environment : environments_) {
      if (environment->id() <= retired_through_id_ && environment->IsLiveLocked()) retired.push_back(environment);
    }
  }
  // Retire() takes the mutex the environments share with the pool.
  int busy = 0;
  for (const auto& environment : retired) {
    if (!environment->Retire() && environment->IsLive()) ++busy;
  }
  return busy;
}

Pool::Stats Pool::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  Stats stats;
  for (const auto& environment : environments_) {
    if (!environment->IsLiveLocked()) continue;
    ++stats.environments;
    if (!environment->IdleSinceLocked()) ++stats.busy;
  }
  stats.started = next_id_;
  stats.throttled = throttled_;
  return stats;
}

std::vector<Pool::EnvironmentInfo> Pool::Environments() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<EnvironmentInfo> infos;
  for (const auto& environment : environments_) {
    if (!environment->IsLiveLocked()) continue;
    EnvironmentInfo info;
    info.id = environment->id();
    info.runtime_api = environment->RuntimeApiLocked();
    info.group_dirs = environment->GroupDirsLocked();
    info.ready = environment->IsReadyLocked();
    info.frozen = environment->FrozenLocked();
    infos.push_back(std::move(info));
  }
  return infos;
}

bool Pool::WaitForNoEnvironments(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return gone_cv_.wait_for(lock, timeout, [this] { return environments_.empty(); });
}

}  // namespace zerostart::emulator
