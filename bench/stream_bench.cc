// zs_stream_bench: streamed responses through `zerostart serve`, as a caller sees them, on both
// streaming paths:
//   sdk  POST /2021-11-15/functions/function/response-streaming-invocations
//        (InvokeWithResponseStream: a chunked body of event-stream messages, decoded with
//        src/eventstream's Decoder as an SDK would)
//   url  GET /lambda-url/function/?<query> (a Function URL: the function's HTTP response, chunked)
// The function is bench/stream_bench_function.cc (its header comment has its parameters); each
// `zerostart serve` is a child process (--no-limits, as the foundation benchmark runs it), and
// the client is this process: a raw socket and src/http's Parser, one request in flight.
//
// Figures:
//   ttfb    one invoke = the function writes one 64-byte chunk, then works W ms. Latency = the
//           caller's CLOCK_MONOTONIC once the chunk is read and decoded minus the function's,
//           read just before its Write (one clock for all processes of the machine). On the url
//           path also: head latency = the HTTP head read minus the function's clock just before
//           StartHttpResponse (its first byte). The paths alternate invoke by invoke.
//   bulk    --stream-bandwidth 0: the function writes N bytes in Writes of S bytes; rate = N /
//           (request sent -> end of the response read), and the CPU time the emulator, the
//           function and this client spent (from /proc, clock ticks).
//   capped  the default cap (6 MiB at full speed, then 2 MiB/s): N bytes; the time of the first
//           5 MiB, of the 6th, and the rate from 7 MiB to the end, as the caller receives them.
//
//   zs_stream_bench --zerostart BIN --function BIN [--invokes 50] [--work-ms 20]
//                   [--long-invokes 3] [--long-work-ms 1000] [--bulk-bytes 104857600]
//                   [--bulk-chunk 1048576] [--bulk-runs 5] [--capped-bytes 16777216]
//
// --bulk-runs 0 or --capped-bytes 0 leaves that part out.
// Prints Markdown tables on stdout (progress on stderr). Exit status: 0; 1 when a serve or an
// invoke fails (a wrong status, a function error, a short stream); 2 for bad arguments.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/child_process.h"
#include "bench/proc_stats.h"
#include "src/common/net.h"
#include "src/eventstream/decoder.h"
#include "src/eventstream/lambda_events.h"
#include "src/http/parser.h"
#include "src/benchmark/invoke_client.h"
#include "src/benchmark/stats.h"

extern char** environ;

namespace zerostart::bench {
namespace {

constexpr size_t kStampBytes = 64;  // the ttfb chunk (stream_bench_function.cc)
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kUnthrottledBytes = 6 * kMiB;           // Lambda's, as the emulator applies it
constexpr uint64_t kDefaultBandwidth = 2 * kMiB;           // zerostart serve's default cap
constexpr size_t kReadBytes = 256 * 1024;

int64_t MonotonicNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

struct Options {
  std::string zerostart;
  std::string function;
  int invokes = 50;
  int work_ms = 20;
  int long_invokes = 3;
  int long_work_ms = 1000;
  uint64_t bulk_bytes = 100 * kMiB;
  uint64_t bulk_chunk = kMiB;
  int bulk_runs = 5;
  uint64_t capped_bytes = 16 * kMiB;
};

// ---------------------------------------------------------------------------------------------
// `zerostart serve` as a child process.

// The first child of any thread of `pid` (the function process of a serve: the emulator spawns
// it from one of its threads), or -1.
pid_t FirstChild(pid_t pid) {
  const std::vector<pid_t> children = Children(pid);
  return children.empty() ? -1 : children.front();
}

class Serve {
 public:
  // Starts `zerostart serve` on a free port with the given --stream-bandwidth and waits until
  // it accepts connections.
  static Result<std::unique_ptr<Serve>> Start(const Options& options, uint64_t bandwidth) {
    // A free port: bound and released at once (serve binds it a moment later).
    ZS_ASSIGN_OR_RETURN(UniqueFd probe, net::Listen({"127.0.0.1", 0}));
    ZS_ASSIGN_OR_RETURN(uint16_t port, net::LocalPort(probe.get()));
    probe.Reset();
    ChildOptions child;
    child.argv = {options.zerostart, "serve", "--port", std::to_string(port), "--no-limits",
                  "--timeout", "120", "--stream-bandwidth", std::to_string(bandwidth), "--",
                  options.function};
    for (char** entry = environ; *entry != nullptr; ++entry) child.env.emplace_back(*entry);
    ZS_ASSIGN_OR_RETURN(ChildProcess process, ChildProcess::Spawn(child));
    std::unique_ptr<Serve> serve(new Serve(std::move(process), port));
    for (int i = 0; i < 400; ++i) {
      if (net::Connect({"127.0.0.1", port}).ok()) return serve;
      int status = 0;
      if (serve->process_.Exited(&status)) {
        return UnavailableError("zerostart serve exited at start (status " + std::to_string(status) + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return UnavailableError("zerostart serve did not listen on port " + std::to_string(port));
  }

  // SIGTERM (serve stops the function's process group itself), then SIGKILL after 3 s.
  ~Serve() {
    ::kill(process_.pid(), SIGTERM);
    for (int i = 0; i < 300 && !process_.Exited(nullptr); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    process_.KillAndReap();
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }

 private:
  Serve(ChildProcess process, uint16_t port) : process_(std::move(process)), port_(port) {}
  ChildProcess process_;
  uint16_t port_;
};

// ---------------------------------------------------------------------------------------------
// The client: one kept-alive connection, one request in flight.

class Client {
 public:
  using OnHead = std::function<void(const http::Response&)>;
  using OnBody = std::function<Status(std::string_view)>;

  static Result<Client> Connect(uint16_t port) {
    ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
    return Client(std::move(fd));
  }

  // Sends `request`, then reads the response: on_head once its head is parsed, on_body with
  // each piece of body as it is read. Returns the response (its body already handed out).
  Result<http::Response> Exchange(std::string_view request, const OnHead& on_head, const OnBody& on_body) {
    ZS_RETURN_IF_ERROR(net::WriteAll(fd_.get(), request));
    bool head_seen = false;
    for (;;) {
      if (begin_ < end_) {
        ZS_ASSIGN_OR_RETURN(size_t used, parser_.Feed(std::string_view(buffer_.get() + begin_, end_ - begin_)));
        begin_ += used;
      }
      if (!head_seen && parser_.head_complete()) {
        head_seen = true;
        on_head(parser_.response());
      }
      body_.clear();
      parser_.TakeBodyBytes(&body_);
      if (!body_.empty()) ZS_RETURN_IF_ERROR(on_body(body_));
      if (parser_.done()) return parser_.TakeResponse();
      begin_ = end_ = 0;
      ZS_ASSIGN_OR_RETURN(size_t got, net::ReadSome(fd_.get(), buffer_.get(), kReadBytes));
      if (got == 0) return UnavailableError("the emulator closed the connection mid-response");
      end_ = got;
    }
  }

 private:
  explicit Client(UniqueFd fd)
      : fd_(std::move(fd)),
        parser_(http::Parser::Kind::kResponse, http::Limits{64 * 1024, 100, uint64_t{1} << 40}),
        buffer_(std::make_unique_for_overwrite<char[]>(kReadBytes)) {}

  UniqueFd fd_;
  http::Parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  std::string body_;
};

enum class Path { kSdk, kUrl };
const char* PathName(Path path) { return path == Path::kSdk ? "InvokeWithResponseStream" : "Function URL"; }

std::string RequestFor(Path path, std::string_view query) {
  if (path == Path::kUrl) {
    return "GET /lambda-url/function/?" + std::string(query) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
  std::string body = "{\"bench\":\"";
  body += query;
  body += "\"}";
  return benchmark::StreamInvokeBytes(std::move(body));
}

// One streamed invoke: `on_bytes` sees the function's bytes as the caller receives them (sdk:
// the payloads of PayloadChunk events, each right after it is decoded; url: the HTTP body),
// `on_head` the time the HTTP head was read. Fails on a status other than 200, a function
// error (InvokeComplete's ErrorCode) or a stream that does not end properly.
Status Invoke(Client& client, Path path, std::string_view query,
              const std::function<void(int64_t)>& on_head,
              const std::function<void(std::string_view)>& on_bytes) {
  eventstream::Decoder decoder;
  std::vector<eventstream::Message> messages;
  bool complete = false;
  std::string error;
  Client::OnBody body = [&](std::string_view bytes) -> Status {
    if (path == Path::kUrl) {
      on_bytes(bytes);
      return OkStatus();
    }
    messages.clear();
    ZS_RETURN_IF_ERROR(decoder.Feed(bytes, &messages));
    for (const eventstream::Message& message : messages) {
      std::string_view type = message.StringHeader(eventstream::kEventTypeHeader).value_or("");
      if (type == eventstream::kPayloadChunkEvent) {
        on_bytes(message.payload);
      } else if (type == eventstream::kInvokeCompleteEvent) {
        complete = true;
        if (message.payload.find("ErrorCode") != std::string::npos) error = message.payload;
      }
    }
    return OkStatus();
  };
  Result<http::Response> response =
      client.Exchange(RequestFor(path, query), [&](const http::Response&) { on_head(MonotonicNs()); }, body);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return InternalError(std::string(PathName(path)) + ": HTTP " + std::to_string(response->status));
  }
  if (path == Path::kSdk) {
    ZS_RETURN_IF_ERROR(decoder.Finish());
    if (!complete) return InternalError("no InvokeComplete event");
    if (!error.empty()) return InternalError("function error: " + error);
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The figures.

struct TtfbSeries {
  std::vector<double> chunk_us;  // function's Write -> chunk decoded by the caller
  std::vector<double> head_us;   // url: StartHttpResponse -> HTTP head read
  std::vector<double> total_ms;  // request sent -> response ended
};

// Parses "t0=<ns> t1=<ns>" at the start of the ttfb chunk.
bool ParseStamp(std::string_view chunk, int64_t* t0, int64_t* t1) {
  std::string text(chunk.substr(0, kStampBytes));
  long long a = 0, b = 0;
  if (std::sscanf(text.c_str(), "t0=%lld t1=%lld", &a, &b) != 2) return false;
  *t0 = a;
  *t1 = b;
  return true;
}

Status TtfbOnce(Client& client, Path path, std::string_view query, TtfbSeries* series) {
  std::string received;
  int64_t received_at = 0;
  int64_t head_at = 0;
  const int64_t sent = MonotonicNs();
  ZS_RETURN_IF_ERROR(Invoke(
      client, path, query, [&](int64_t now) { head_at = now; },
      [&](std::string_view bytes) {
        if (received.size() >= kStampBytes) return;
        received.append(bytes);
        if (received.size() >= kStampBytes) received_at = MonotonicNs();
      }));
  const int64_t ended = MonotonicNs();
  int64_t t0 = 0, t1 = 0;
  if (received_at == 0 || !ParseStamp(received, &t0, &t1)) {
    return InternalError(std::string(PathName(path)) + ": no time stamp chunk in the response");
  }
  series->chunk_us.push_back(static_cast<double>(received_at - t1) / 1e3);
  if (path == Path::kUrl) series->head_us.push_back(static_cast<double>(head_at - t0) / 1e3);
  series->total_ms.push_back(static_cast<double>(ended - sent) / 1e6);
  return OkStatus();
}

struct TtfbCase {
  std::string label;
  std::string query;
  int invokes;
};

struct BulkRun {
  double seconds = 0;          // request sent -> response ended
  // Request sent -> the end of MiB i + 1 received (mib_s[0]: the first MiB).
  std::vector<double> mib_s;
  uint64_t bytes = 0;
  uint64_t emulator_ticks = 0;
  uint64_t function_ticks = 0;
  uint64_t client_ticks = 0;
};

Result<BulkRun> BulkOnce(Client& client, Path path, uint64_t bytes, uint64_t chunk, pid_t serve_pid,
                         pid_t function_pid, bool verify) {
  const std::string query = "mode=bulk&bytes=" + std::to_string(bytes) + "&chunk_bytes=" + std::to_string(chunk);
  BulkRun run;
  bool pattern_ok = true;
  // The function writes the same `chunk` bytes again and again: byte i of each is i % 251.
  std::string expected;
  if (verify) {
    expected.resize(static_cast<size_t>(chunk));
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<char>(i % 251);
  }
  const uint64_t emulator0 = CpuTicks(serve_pid), function0 = CpuTicks(function_pid);
  const uint64_t client0 = CpuTicks(::getpid());
  const int64_t sent = MonotonicNs();
  ZS_RETURN_IF_ERROR(Invoke(
      client, path, query, [](int64_t) {},
      [&](std::string_view bytes) {
        std::string_view piece = bytes;
        for (uint64_t offset = run.bytes; verify && !piece.empty();) {
          const size_t at = static_cast<size_t>(offset % chunk);
          const size_t n = std::min(piece.size(), expected.size() - at);
          if (piece.substr(0, n) != std::string_view(expected).substr(at, n)) pattern_ok = false;
          piece.remove_prefix(n);
          offset += n;
        }
        run.bytes += bytes.size();
        if (run.bytes >= (run.mib_s.size() + 1) * kMiB) {
          const double at = static_cast<double>(MonotonicNs() - sent) / 1e9;
          while (run.bytes >= (run.mib_s.size() + 1) * kMiB) run.mib_s.push_back(at);
        }
      }));
  const int64_t ended = MonotonicNs();
  run.emulator_ticks = CpuTicks(serve_pid) - emulator0;
  run.function_ticks = CpuTicks(function_pid) - function0;
  run.client_ticks = CpuTicks(::getpid()) - client0;
  if (run.bytes != bytes) {
    return InternalError(std::string(PathName(path)) + ": received " + std::to_string(run.bytes) + " of " +
                         std::to_string(bytes) + " bytes");
  }
  if (!pattern_ok) return InternalError(std::string(PathName(path)) + ": the bytes differ from those written");
  run.seconds = static_cast<double>(ended - sent) / 1e9;
  return run;
}

std::string Us(double us) {
  char text[32];
  std::snprintf(text, sizeof(text), us < 10000 ? "%.1f µs" : "%.2f ms", us < 10000 ? us : us / 1000);
  return text;
}

void PrintTtfbRow(const std::string& path, const TtfbCase& c, const std::string& what,
                  const std::vector<double>& us, const std::vector<double>& total_ms) {
  benchmark::Summary s = benchmark::Summarize(us);
  benchmark::Summary t = benchmark::Summarize(total_ms);
  std::printf("| %s | %s | %s | %zu | %s | **%s** | %s | %s | %.1f ms |\n", path.c_str(), c.label.c_str(),
              what.c_str(), s.count, Us(s.min).c_str(), Us(s.median).c_str(), Us(s.p90).c_str(),
              Us(s.max).c_str(), t.median);
}

void PrintBulk(const Options& options, const std::vector<std::vector<BulkRun>>& bulk) {
  const Path paths[] = {Path::kSdk, Path::kUrl};
  const long ticks_per_s = ::sysconf(_SC_CLK_TCK);
  std::printf("\n### Throughput, `--stream-bandwidth 0` (%llu bytes in Writes of %llu bytes)\n\n",
              static_cast<unsigned long long>(options.bulk_bytes), static_cast<unsigned long long>(options.bulk_chunk));
  std::printf("| path | runs | median | min | max | runs (MB/s) | first 6 MiB (median) |"
              " CPU ms per run: emulator / function / client |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (size_t p = 0; p < 2; ++p) {
    std::vector<double> rates;
    std::vector<double> first_6mib_ms;
    std::string each;
    uint64_t emulator = 0, function = 0, client = 0;
    for (const BulkRun& run : bulk[p]) {
      rates.push_back(static_cast<double>(run.bytes) / run.seconds / 1e6);
      first_6mib_ms.push_back(run.mib_s[5] * 1e3);
      char text[32];
      std::snprintf(text, sizeof(text), "%s%.0f", each.empty() ? "" : ", ", rates.back());
      each += text;
      emulator += run.emulator_ticks;
      function += run.function_ticks;
      client += run.client_ticks;
    }
    benchmark::Summary s = benchmark::Summarize(rates);
    const double per_run_ms = 1000.0 / static_cast<double>(ticks_per_s) / static_cast<double>(bulk[p].size());
    std::printf("| %s | %zu | **%.0f MB/s** | %.0f MB/s | %.0f MB/s | %s | %.1f ms | %.0f / %.0f / %.0f |\n",
                PathName(paths[p]), s.count, s.median, s.min, s.max, each.c_str(),
                benchmark::Summarize(first_6mib_ms).median, static_cast<double>(emulator) * per_run_ms,
                static_cast<double>(function) * per_run_ms, static_cast<double>(client) * per_run_ms);
  }
}

void PrintCapped(const Options& options, const std::vector<BulkRun>& capped) {
  const Path paths[] = {Path::kSdk, Path::kUrl};
  // The cap is paced on the emulator's reads of the function's body (64 KiB at most each): the
  // piece that crosses 6 MiB is held until the cap allows all of it, so the 6 MiB mark itself
  // arrives up to 64 KiB / cap late. Hence the free part is timed to 5 MiB and the capped rate
  // from 7 MiB on.
  std::printf("\n### Default cap (%llu bytes; first 6 MiB at full speed, then %.0f MiB/s)\n\n",
              static_cast<unsigned long long>(options.capped_bytes),
              static_cast<double>(kDefaultBandwidth) / static_cast<double>(kMiB));
  std::printf("| path | total | first 5 MiB | rate of the first 5 MiB | 6th MiB | rate from 7 MiB to the end |"
              " vs the cap |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t p = 0; p < 2; ++p) {
    const BulkRun& run = capped[p];
    const double after = static_cast<double>(run.bytes - 7 * kMiB) / kMiB / (run.seconds - run.mib_s[6]);
    std::printf("| %s | %.3f s | %.1f ms | %.0f MiB/s | %.1f ms | %.3f MiB/s | %.3fx |\n", PathName(paths[p]),
                run.seconds, run.mib_s[4] * 1e3, 5 / run.mib_s[4], (run.mib_s[5] - run.mib_s[4]) * 1e3, after,
                after / (static_cast<double>(kDefaultBandwidth) / kMiB));
  }
}

int Run(const Options& options) {
  const Path paths[] = {Path::kSdk, Path::kUrl};
  const std::vector<TtfbCase> cases = {
      {"1 chunk, then " + std::to_string(options.work_ms) + " ms busy",
       "mode=ttfb&work=busy&work_ms=" + std::to_string(options.work_ms), options.invokes},
      {"1 chunk, then " + std::to_string(options.work_ms) + " ms asleep",
       "mode=ttfb&work=sleep&work_ms=" + std::to_string(options.work_ms), options.invokes},
      {"1 chunk, then " + std::to_string(options.long_work_ms) + " ms busy",
       "mode=ttfb&work=busy&work_ms=" + std::to_string(options.long_work_ms), options.long_invokes},
  };
  auto fail = [](const Status& status) {
    std::fprintf(stderr, "zs_stream_bench: %s\n", status.ToString().c_str());
    return 1;
  };

  // --- Time to first byte and the capped stream: serve with its default cap. ---
  std::vector<TtfbSeries> series(cases.size() * 2);
  std::vector<BulkRun> capped(2);
  {
    std::fprintf(stderr, "zs_stream_bench: serve (default --stream-bandwidth %llu)\n",
                 static_cast<unsigned long long>(kDefaultBandwidth));
    Result<std::unique_ptr<Serve>> serve = Serve::Start(options, kDefaultBandwidth);
    if (!serve.ok()) return fail(serve.status());
    Result<Client> client = Client::Connect((*serve)->port());
    if (!client.ok()) return fail(client.status());
    // Warm-up: the first invoke starts the function.
    for (int i = 0; i < 5; ++i) {
      for (Path path : paths) {
        TtfbSeries discard;
        Status warm = TtfbOnce(*client, path, "mode=ttfb&work=sleep&work_ms=1", &discard);
        if (!warm.ok()) return fail(warm);
      }
    }
    for (size_t c = 0; c < cases.size(); ++c) {
      std::fprintf(stderr, "zs_stream_bench: ttfb %s x %d per path\n", cases[c].label.c_str(), cases[c].invokes);
      for (int i = 0; i < cases[c].invokes; ++i) {
        for (size_t p = 0; p < 2; ++p) {
          Status once = TtfbOnce(*client, paths[p], cases[c].query, &series[c * 2 + p]);
          if (!once.ok()) return fail(once);
        }
      }
    }
    if (options.capped_bytes > 0) {
      std::fprintf(stderr, "zs_stream_bench: capped stream of %llu bytes per path\n",
                   static_cast<unsigned long long>(options.capped_bytes));
    }
    for (size_t p = 0; p < 2 && options.capped_bytes > 0; ++p) {
      // Warm-up: 6 MiB, all of it below the cap, so that the connections' buffers have grown
      // as they have in the uncapped runs (which have a warm-up of their own).
      Result<BulkRun> warm = BulkOnce(*client, paths[p], kUnthrottledBytes, options.bulk_chunk, -1, -1,
                                      /*verify=*/true);
      if (!warm.ok()) return fail(warm.status());
      Result<BulkRun> run = BulkOnce(*client, paths[p], options.capped_bytes, options.bulk_chunk, (*serve)->pid(),
                                     FirstChild((*serve)->pid()), /*verify=*/false);
      if (!run.ok()) return fail(run.status());
      capped[p] = *run;
    }
  }

  // --- Throughput, uncapped. ---
  std::vector<std::vector<BulkRun>> bulk(2);
  if (options.bulk_runs > 0) {
    std::fprintf(stderr, "zs_stream_bench: serve --stream-bandwidth 0; %d x %llu bytes per path\n",
                 options.bulk_runs, static_cast<unsigned long long>(options.bulk_bytes));
    Result<std::unique_ptr<Serve>> serve = Serve::Start(options, 0);
    if (!serve.ok()) return fail(serve.status());
    Result<Client> client = Client::Connect((*serve)->port());
    if (!client.ok()) return fail(client.status());
    pid_t function_pid = -1;
    for (size_t p = 0; p < 2; ++p) {  // warm-up, with the bytes checked
      Result<BulkRun> run = BulkOnce(*client, paths[p], options.bulk_bytes, options.bulk_chunk, (*serve)->pid(),
                                     function_pid, /*verify=*/true);
      if (!run.ok()) return fail(run.status());
      function_pid = FirstChild((*serve)->pid());
    }
    for (int i = 0; i < options.bulk_runs; ++i) {
      for (size_t p = 0; p < 2; ++p) {
        Result<BulkRun> run = BulkOnce(*client, paths[p], options.bulk_bytes, options.bulk_chunk, (*serve)->pid(),
                                       function_pid, /*verify=*/false);
        if (!run.ok()) return fail(run.status());
        bulk[p].push_back(*run);
      }
    }
  }

  // --- Tables. ---
  std::printf("### Time to first byte (function's Write -> chunk decoded by the caller)\n\n");
  std::printf("| path | function | figure | invokes | min | p50 | p90 | max | invoke p50 |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (size_t c = 0; c < cases.size(); ++c) {
    for (size_t p = 0; p < 2 && cases[c].invokes > 0; ++p) {
      const TtfbSeries& s = series[c * 2 + p];
      PrintTtfbRow(PathName(paths[p]), cases[c], "Write → chunk", s.chunk_us, s.total_ms);
      if (paths[p] == Path::kUrl) {
        PrintTtfbRow(PathName(paths[p]), cases[c], "StartHttpResponse → HTTP head", s.head_us, s.total_ms);
      }
    }
  }
  if (options.bulk_runs > 0) PrintBulk(options, bulk);
  if (options.capped_bytes > 0) PrintCapped(options, capped);
  return 0;
}

void Usage() {
  std::fputs(
      "usage: zs_stream_bench --zerostart BIN --function BIN [--invokes N] [--work-ms MS]\n"
      "                       [--long-invokes N] [--long-work-ms MS] [--bulk-bytes N]\n"
      "                       [--bulk-chunk N] [--bulk-runs N] [--capped-bytes N]\n",
      stderr);
}

int Main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    const char* value = argv[i + 1];
    const long long number = std::atoll(value);
    if (arg == "--zerostart") options.zerostart = value;
    else if (arg == "--function") options.function = value;
    else if (arg == "--invokes") options.invokes = static_cast<int>(number);
    else if (arg == "--work-ms") options.work_ms = static_cast<int>(number);
    else if (arg == "--long-invokes") options.long_invokes = static_cast<int>(number);
    else if (arg == "--long-work-ms") options.long_work_ms = static_cast<int>(number);
    else if (arg == "--bulk-bytes") options.bulk_bytes = static_cast<uint64_t>(number);
    else if (arg == "--bulk-chunk") options.bulk_chunk = static_cast<uint64_t>(number);
    else if (arg == "--bulk-runs") options.bulk_runs = static_cast<int>(number);
    else if (arg == "--capped-bytes") options.capped_bytes = static_cast<uint64_t>(number);
    else {
      std::fprintf(stderr, "zs_stream_bench: unknown option '%s'\n", argv[i]);
      Usage();
      return 2;
    }
  }
  if (options.zerostart.empty() || options.function.empty() || options.invokes < 1 || options.long_invokes < 0 ||
      options.bulk_runs < 0 || options.bulk_chunk < 1 || options.bulk_bytes < kUnthrottledBytes ||
      (options.capped_bytes != 0 && options.capped_bytes < 8 * kMiB)) {
    Usage();
    return 2;
  }
  return Run(options);
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) { return zerostart::bench::Main(argc, argv); }
