#include "src/emulator/telemetry.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "src/common/net.h"
#include "src/common/spawn.h"
#include "src/common/unique_fd.h"
#include "src/emulator/platform_records.h"
#include "src/http/connection.h"

namespace zerostart::emulator {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const RecordTime kEventTime{std::chrono::milliseconds(1714564800123)};

// A Telemetry API destination written for these tests: accepts one connection at a time, reads
// the POST, keeps its body, and answers 200, or (holding) waits until Release() to answer.
class FakeDestination {
 public:
  explicit FakeDestination(bool holding = false) : holding_(holding) {
    Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
    EXPECT_TRUE(listener.ok()) << listener.status().ToString();
    listener_ = std::move(listener).value();
    port_ = net::LocalPort(listener_.get()).value();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeDestination() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if (connection_fd_ >= 0) (void)::shutdown(connection_fd_, SHUT_RDWR);
      changed_.notify_all();
    }
    (void)::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string uri() const { return "http://sandbox.localdomain:" + std::to_string(port_) + "/in"; }

  // The next batch received, parsed; nullopt if none came within `timeout`.
  std::optional<json> NextBatch(milliseconds timeout = milliseconds(10000)) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [this] { return !bodies_.empty(); })) return std::nullopt;
    json batch = json::parse(bodies_.front(), nullptr, false);
    bodies_.pop_front();
    return batch;
  }
  // Requests received (those held included).
  int requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // Answers the held request and every later one at once.
  void Release() {
    std::lock_guard lock(mutex_);
    holding_ = false;
    changed_.notify_all();
  }

 private:
  void Serve() {
    for (;;) {
      Result<UniqueFd> accepted = net::Accept(listener_.get());
      if (!accepted.ok()) return;
      http::Connection connection(std::move(accepted).value());
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        connection_fd_ = connection.fd();
      }
      Result<http::Request> request = connection.ReadRequest();
      std::unique_lock lock(mutex_);
      if (request.ok()) {
        ++requests_;
        EXPECT_EQ(request->method, "POST");
        EXPECT_EQ(request->target, "/in");
        EXPECT_EQ(request->headers.Get("Content-Type").value_or(""), "application/json");
        bodies_.push_back(request->body);
        changed_.notify_all();
        changed_.wait(lock, [this] { return !holding_ || stopping_; });
        if (!stopping_) {
          http::Response answer;
          answer.body = "OK";
          (void)connection.Write(answer);
        }
      }
      connection_fd_ = -1;
    }
  }

  UniqueFd listener_;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> bodies_;
  int requests_ = 0;
  bool holding_;
  bool stopping_ = false;
  int connection_fd_ = -1;
  std::thread thread_;
};

// A port on which nothing listens (bound, then closed).
uint16_t RefusingPort() {
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
  EXPECT_TRUE(listener.ok());
  return net::LocalPort(listener->get()).value();
}

std::string SubscriptionBody(const std::string& uri, const json& types, int max_items = 1000,
                             int timeout_ms = 25) {
  return json({{"schemaVersion", "2022-12-13"},
               {"types", types},
               {"buffering", {{"maxItems", max_items}, {"maxBytes", 262144}, {"timeoutMs", timeout_ms}}},
               {"destination", {{"protocol", "HTTP"}, {"URI", uri}}}})
      .dump();
}

std::string FunctionLine(int i) {
  return LogLineEvent(kEventTime, LogSource::kFunction, "line " + std::to_string(i));
}

// Collects the hub's notices.
class Notices {
 public:
  TelemetryHub::Notice Sink() {
    return [this](std::string message) {
      std::lock_guard lock(mutex_);
      messages_.push_back(std::move(message));
      changed_.notify_all();
    };
  }
  bool WaitForOne(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return !messages_.empty(); });
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
};

TEST(TelemetryHubTest, SubscribeAnswersAsLambda) {
  TelemetryHub hub(nullptr);
  EXPECT_FALSE(hub.HasSubscribers());
  TelemetrySubscribeAnswer bad = hub.Subscribe("ext", "{\"schemaVersion\":\"2022-12-13\"}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_type, "ValidationError");
  json bad_body = json::parse(bad.body);
  EXPECT_EQ(bad_body["errorType"], "ValidationError");
  EXPECT_THAT(bad_body["errorMessage"].get<std::string>(), HasSubstr("types is required"));
  EXPECT_EQ(hub.Subscribe("ext", std::string(1 << 20, '{')).status, 400);
  EXPECT_FALSE(hub.HasSubscribers());

  FakeDestination destination;
  TelemetrySubscribeAnswer ok = hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"}));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "\"OK\"");
  EXPECT_EQ(ok.error_type, "");
  EXPECT_TRUE(hub.HasSubscribers());
  EXPECT_TRUE(hub.HasSubscribers(TelemetryCategory::kFunction));
  EXPECT_FALSE(hub.HasSubscribers(TelemetryCategory::kPlatform));

  hub.FlushAndStop(Clock::now() + milliseconds(1000));
  EXPECT_FALSE(hub.HasSubscribers());
  TelemetrySubscribeAnswer closed = hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"}));
  EXPECT_EQ(closed.status, 403);
  EXPECT_EQ(closed.error_type, "Telemetry.SubscriptionClosed");
}

// A real peer not written here: Python's http.server, which prints each POST it gets as one
// line "<path>\t<Content-Type>\t<body>" after a first line "port <n>".
class PythonDestination {
 public:
  static constexpr const char* kPython = "/usr/bin/python3";

  bool Start() {
    if (::access(kPython, X_OK) != 0) return false;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end_.Reset(fds[0]);
    UniqueFd write_end(fds[1]);
    SpawnSpec spec;
    spec.argv = {kPython, "-c", kScript};
    spec.env = {"PYTHONDONTWRITEBYTECODE=1"};
    spec.stdout_fd = write_end.get();
    spec.stderr_fd = 2;
    Result<pid_t> pid = SpawnProcessGroup(spec);
    if (!pid.ok()) return false;
    pid_ = *pid;
    std::optional<std::string> first = ReadLine(milliseconds(20000));
    if (!first || first->rfind("port ", 0) != 0) return false;
    port_ = static_cast<uint16_t>(std::stoi(first->substr(5)));
    return true;
  }
  ~PythonDestination() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  uint16_t port() const { return port_; }

  // The next line the server printed, without its newline.
  std::optional<std::string> ReadLine(milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
      size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd readable{.fd = read_end_.get(), .events = POLLIN, .revents = 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[65536];
      const ssize_t n = ::read(read_end_.get(), buffer, sizeof(buffer));
      if (n <= 0) return std::nullopt;
      pending_.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  static constexpr const char* kScript = R"(
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        sys.stdout.write(self.path + '\t' + self.headers.get('Content-Type', '') + '\t' +
                         body.decode('utf-8') + '\n')
        sys.stdout.flush()
        self.send_response(200)
        self.send_header('Content-Length', '4')
        self.end_headers()
        self.wfile.write(b'"OK"')
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
print('port', server.server_address[1], flush=True)
server.serve_forever()
)";

  pid_t pid_ = -1;
  UniqueFd read_end_;
  std::string pending_;
  uint16_t port_ = 0;
};

TEST(TelemetryHubTest, DeliversToPythonHttpServer) {
  PythonDestination python;
  if (!python.Start()) GTEST_SKIP() << "needs " << PythonDestination::kPython;
  TelemetryHub hub(nullptr);
  const std::string uri = "http://sandbox.localdomain:" + std::to_string(python.port()) + "/t?x=1";
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(uri, {"platform", "function"})).status, 200);
  hub.Publish(TelemetryCategory::kPlatform, StartEvent(kEventTime, "r-1", "$LATEST"));
  hub.Publish(TelemetryCategory::kFunction,
              LogLineEvent(kEventTime, LogSource::kFunction, "{\"level\":\"INFO\",\"message\":\"hi\"}"));
  hub.Publish(TelemetryCategory::kExtension, LogLineEvent(kEventTime, LogSource::kExtension, "no"));

  // The three wanted events may come in one batch or several; collect them.
  std::vector<json> events;
  while (events.size() < 3) {
    std::optional<std::string> line = python.ReadLine(milliseconds(10000));
    ASSERT_TRUE(line.has_value()) << "got " << events.size() << " events";
    const size_t tab1 = line->find('\t');
    const size_t tab2 = line->find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << *line;
    EXPECT_EQ(line->substr(0, tab1), "/t?x=1");
    EXPECT_EQ(line->substr(tab1 + 1, tab2 - tab1 - 1), "application/json");
    json batch = json::parse(line->substr(tab2 + 1), nullptr, false);
    ASSERT_TRUE(batch.is_array()) << *line;
    for (json& event : batch) events.push_back(std::move(event));
  }
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "platform.telemetrySubscription");
  EXPECT_EQ(events[0]["record"]["name"], "ext");
  EXPECT_EQ(events[0]["record"]["types"], json({"platform", "function"}));
  EXPECT_EQ(events[1]["type"], "platform.start");
  EXPECT_EQ(events[1]["record"]["requestId"], "r-1");
  EXPECT_EQ(events[2]["type"], "function");
  EXPECT_EQ(events[2]["record"]["message"], "hi");
  hub.FlushAndStop(Clock::now() + milliseconds(2000));
  EXPECT_FALSE(hub.StatsOf("ext").has_value());
}

TEST(TelemetryHubTest, BatchesByCountThenFlushesTheRestAtStop) {
  FakeDestination destination;
  TelemetryHub hub(nullptr);
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"}, 1000, 30000)).status,
            200);
  for (int i = 0; i < 1005; ++i) hub.Publish(TelemetryCategory::kFunction, FunctionLine(i));
  // 1000 records (maxItems) go at once, long before the 30 s timeout.
  std::optional<json> batch = destination.NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 1000u);
  EXPECT_EQ((*batch)[0]["record"], "line 0");
  EXPECT_EQ((*batch)[999]["record"], "line 999");
  // The other 5 wait for their timeout; FlushAndStop sends them.
  EXPECT_EQ(destination.NextBatch(milliseconds(200)), std::nullopt);
  EXPECT_EQ(hub.StatsOf("ext")->buffered_records, 5u);
  hub.FlushAndStop(Clock::now() + milliseconds(5000));
  batch = destination.NextBatch(milliseconds(0));
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 5u);
  EXPECT_EQ((*batch)[4]["record"], "line 1004");
}

TEST(TelemetryHubTest, BatchesByTimeout) {
  FakeDestination destination;
  TelemetryHub hub(nullptr);
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"}, 1000, 200)).status,
            200);
  const Clock::time_point published = Clock::now();
  for (int i = 0; i < 3; ++i) hub.Publish(TelemetryCategory::kFunction, FunctionLine(i));
  std::optional<json> batch = destination.NextBatch();
  const auto waited = Clock::now() - published;
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->size(), 3u);
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(5000));
  // The destination has the batch before the sender has its answer: wait for the count.
  const Clock::time_point deadline = Clock::now() + milliseconds(5000);
  while (hub.StatsOf("ext")->delivered_batches == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(hub.StatsOf("ext")->delivered_batches, 1u);
}

TEST(TelemetryHubTest, OnlyTheSubscribedCategoriesAndResubscriptionReplaces) {
  FakeDestination first;
  FakeDestination second;
  TelemetryHub hub(nullptr);
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(first.uri(), {"extension"})).status, 200);
  hub.Publish(TelemetryCategory::kPlatform, StartEvent(kEventTime, "r-1", ""));
  hub.Publish(TelemetryCategory::kExtension, LogLineEvent(kEventTime, LogSource::kExtension, "e1"));
  std::optional<json> batch = first.NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0]["type"], "extension");

  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(second.uri(), {"platform", "extension"})).status, 200);
  hub.Publish(TelemetryCategory::kExtension, LogLineEvent(kEventTime, LogSource::kExtension, "e2"));
  batch = second.NextBatch();
  ASSERT_TRUE(batch.has_value());
  std::vector<std::string> types;
  for (const json& event : *batch) types.push_back(event["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"platform.telemetrySubscription", "extension"}));
  hub.FlushAndStop(Clock::now() + milliseconds(2000));
  EXPECT_EQ(first.requests(), 1);
}

// Publishes `count` function events; returns the longest single Publish call.
Clock::duration PublishMany(TelemetryHub& hub, int count) {
  Clock::duration longest{};
  const std::string event = LogLineEvent(kEventTime, LogSource::kFunction, std::string(100, 'x'));
  for (int i = 0; i < count; ++i) {
    const Clock::time_point before = Clock::now();
    hub.Publish(TelemetryCategory::kFunction, event);
    longest = std::max(longest, Clock::now() - before);
  }
  return longest;
}

TEST(TelemetryHubTest, RefusingDestinationNeverBlocksPublish) {
  Notices notices;
  TelemetryHub hub(notices.Sink());
  const std::string uri = "http://sandbox.localdomain:" + std::to_string(RefusingPort()) + "/";
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(uri, {"function"})).status, 200);
  const Clock::time_point started = Clock::now();
  const Clock::duration longest = PublishMany(hub, 20000);
  EXPECT_LT(Clock::now() - started, milliseconds(3000));
  EXPECT_LT(longest, milliseconds(100));
  ASSERT_TRUE(notices.WaitForOne(milliseconds(10000)));
  PublishMany(hub, 2000);
  TelemetrySubscriberStats stats = hub.StatsOf("ext").value();
  // The buffer holds at most 4 batches (options' default), whatever was published.
  EXPECT_LE(stats.buffered_bytes, 4u * 262144u);
  EXPECT_LE(stats.buffered_records, 4u * 1000u);
  EXPECT_GT(stats.dropped_records, 10000u);
  EXPECT_EQ(stats.delivered_batches, 0u);
  const Clock::time_point stop = Clock::now();
  hub.FlushAndStop(stop + milliseconds(500));
  EXPECT_LT(Clock::now() - stop, milliseconds(1500));
  ASSERT_EQ(notices.messages().size(), 1u);
  EXPECT_THAT(notices.messages()[0], HasSubstr("zerostart: telemetry destination " + uri));
  EXPECT_THAT(notices.messages()[0], HasSubstr("refused"));
}

TEST(TelemetryHubTest, SilentDestinationNeverBlocksPublishNorStop) {
  FakeDestination destination(/*holding=*/true);
  Notices notices;
  TelemetryHub::Options options;
  options.io_timeout = milliseconds(60000);  // longer than the test: only Stop can end the wait
  TelemetryHub hub(notices.Sink(), options);
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"})).status, 200);
  PublishMany(hub, 1);
  ASSERT_TRUE(destination.NextBatch().has_value());  // the sender now waits for an answer
  const Clock::duration longest = PublishMany(hub, 20000);
  EXPECT_LT(longest, milliseconds(100));
  TelemetrySubscriberStats stats = hub.StatsOf("ext").value();
  EXPECT_EQ(stats.buffered_records, 4000u);
  EXPECT_EQ(stats.dropped_records, 16000u);
  const Clock::time_point stop = Clock::now();
  hub.FlushAndStop(stop + milliseconds(300));
  const auto took = Clock::now() - stop;
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(1000));
  // Stopping is not the destination's fault: no notice.
  EXPECT_TRUE(notices.messages().empty());
}

TEST(TelemetryHubTest, NextBatchStartsWithLogsDropped) {
  FakeDestination destination(/*holding=*/true);
  TelemetryHub hub(nullptr);
  ASSERT_EQ(hub.Subscribe("ext", SubscriptionBody(destination.uri(), {"function"})).status, 200);
  PublishMany(hub, 1);
  ASSERT_TRUE(destination.NextBatch().has_value());
  PublishMany(hub, 4100);  // 4000 fit in the buffer, 100 are dropped
  destination.Release();
  std::optional<json> batch = destination.NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 1001u);
  EXPECT_EQ((*batch)[0]["type"], "platform.logsDropped");
  EXPECT_EQ((*batch)[0]["record"]["droppedRecords"], 100);
  EXPECT_GT((*batch)[0]["record"]["droppedBytes"].get<uint64_t>(), 100u * 100u);
  EXPECT_THAT((*batch)[0]["record"]["reason"].get<std::string>(), HasSubstr("slower"));
  EXPECT_EQ((*batch)[1]["type"], "function");
  // The rest follows without another logsDropped.
  batch = destination.NextBatch();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ((*batch)[0]["type"], "function");
  hub.FlushAndStop(Clock::now() + milliseconds(5000));
  EXPECT_FALSE(hub.StatsOf("ext").has_value());
}

TEST(TelemetryHubTest, ConcurrentPublishersAndSubscribers) {
  FakeDestination destination;
  TelemetryHub hub(nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        hub.Publish(TelemetryCategory::kFunction, FunctionLine(i));
        if (i % 100 == 0) {
          (void)hub.Subscribe("ext" + std::to_string(t), SubscriptionBody(destination.uri(), {"function"}));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(hub.HasSubscribers(TelemetryCategory::kFunction));
  hub.FlushAndStop(Clock::now() + milliseconds(5000));
  EXPECT_GE(destination.requests(), 1);
}

}  // namespace
}  // namespace zerostart::emulator
