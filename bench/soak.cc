// zs_soak: a long run of `zerostart serve` under steady load, checking Lambda's promise on every
// invoke — exactly one answer, the right one — and that nothing grows: serve's resident memory,
// its descriptors and threads, the function processes' memory.
//
//   zs_soak --zerostart BIN --function BIN [--invokes N] [--clients C] [--concurrency E]
//           [--protocol runtime-api|go1x] [--stream] [--warmup W] [--sample-ms MS]
//           [--json FILE] [--csv FILE]
//
// C clients (threads, one kept-open connection each) send N invokes in all through a pool of up
// to E environments (`serve --concurrency E --no-limits`), sizes cycling through 2 B, 16 B,
// 1 KiB, 64 KiB and, every 1,000th invoke, 1 MiB. By default each is an Invoke of the echo
// function with a JSON payload of that size (`""` for 2 B); the answer must be 200 with the
// payload echoed. With --stream each is an InvokeWithResponseStream of the streamer test
// function (tests/functions/streamer) asking for that many bytes in up to 16 chunks, chunk i
// made of the letter 'a' + i % 26; the answer must be 200, its event stream well formed (the
// project's decoder), its PayloadChunk events must reassemble to exactly those bytes, and
// exactly one InvokeComplete, without an error, must end it. Every answer must carry a request
// id no other answer had. With --warmup, W invokes of 1 MiB go first, checked the same but
// neither timed nor sampled: every environment then holds the buffers of the largest payload,
// which a short run would otherwise count as growth. A sampler reads serve's VmRSS, open
// descriptors and threads, and the function processes' VmRSS, every MS milliseconds (default
// 1000; a short run wants more samples). Prints a summary (invokes/s, lost, duplicated, wrong,
// growth after warm-up); --json writes it with every sample, --csv the samples alone (for a
// chart). Growth compares medians: the samples between 10 % and 20 % of the invokes against
// the last 10 % (single samples swing with the allocator). Exits 1 if any invoke was lost,
// answered twice or wrongly, or if serve's RSS grew 1 % or more after warm-up.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/serve_process.h"
#include "bench/proc_stats.h"
#include "src/eventstream/decoder.h"
#include "src/eventstream/lambda_events.h"

namespace zerostart::bench {
namespace {

using concurrency::Answer;
using concurrency::Client;

// An echo payload of exactly `size` bytes of JSON (an object holding a string of 'x'), or the
// empty JSON string "" for sizes below 9.
std::string Payload(size_t size) {
  if (size < 9) return R"("")";
  return R"({"k":")" + std::string(size - 8, 'x') + R"("})";
}

// The largest payload, every 1,000th invoke (and every warm-up invoke).
constexpr size_t kLargest = 1024 * 1024;

size_t SizeFor(uint64_t n) {
  if (n % 1000 == 999) return kLargest;
  static constexpr size_t kSizes[] = {2, 16, 1024, 16, 64 * 1024, 16, 1024, 16};
  return kSizes[n % std::size(kSizes)];
}

// One invoke: what is sent, and the bytes the answer must carry (the body, or for a stream
// what its PayloadChunk events reassemble to).
struct Call {
  std::string request;
  std::string expected;
};

// The streamer's event for `size` bytes: every size the soak uses is a multiple of its chunk
// count (1 chunk of 2 B, 2 of 8 B, then 16 chunks), so the chunks are equal.
Call StreamCall(size_t size) {
  const size_t chunks = std::clamp<size_t>(size / 8, 1, 16);
  const size_t chunk_bytes = size / chunks;
  Call call;
  std::string event = R"({"chunks":)" + std::to_string(chunks);
  event += R"(,"chunk_bytes":)" + std::to_string(chunk_bytes) + "}";
  call.request = benchmark::StreamInvokeBytes(std::move(event));
  call.expected.reserve(size);
  for (size_t i = 0; i < chunks; ++i) call.expected.append(chunk_bytes, static_cast<char>('a' + i % 26));
  return call;
}

Call CallFor(size_t size, bool stream) {
  if (stream) return StreamCall(size);
  Call call;
  call.expected = Payload(size);
  call.request = benchmark::InvokeBytes(call.expected);
  return call;
}

// Why a streamed answer's body is not the event stream it must be: empty when it is right.
std::string StreamProblem(std::string_view body, std::string_view expected) {
  eventstream::Decoder decoder;
  std::vector<eventstream::Message> events;
  Status decoded = decoder.Feed(body, &events);
  if (decoded.ok()) decoded = decoder.Finish();
  if (!decoded.ok()) return "event stream: " + decoded.ToString();
  std::string payload;
  size_t completes = 0;
  for (const eventstream::Message& event : events) {
    const std::string_view type = event.StringHeader(eventstream::kEventTypeHeader).value_or("");
    if (completes > 0) return "an event after InvokeComplete: " + std::string(type);
    if (type == eventstream::kPayloadChunkEvent) {
      payload += event.payload;
    } else if (type == eventstream::kInvokeCompleteEvent) {
      ++completes;
      // No ErrorCode, ErrorDetails or LogResult was asked for or may come: the end is "{}".
      if (event.payload != "{}") return "InvokeComplete " + event.payload.substr(0, 200);
    } else {
      return "an unknown event: " + std::string(type);
    }
  }
  if (completes == 0) return "no InvokeComplete";
  if (payload != expected) {
    return "the chunks reassemble to " + std::to_string(payload.size()) + " bytes (" + payload.substr(0, 40) +
           "...), not the " + std::to_string(expected.size()) + " expected";
  }
  return "";
}

// Why `answer` is not the right one for `call`: empty when it is.
std::string ProblemWith(const Answer& answer, const Call& call, bool stream) {
  if (answer.status != 200 || (!stream && answer.body != call.expected)) {
    return "HTTP " + std::to_string(answer.status) + " " + answer.body.substr(0, 200);
  }
  return stream ? StreamProblem(answer.body, call.expected) : "";
}

struct Sample {
  double seconds = 0;
  uint64_t invokes = 0;
  uint64_t serve_rss_kib = 0;
  size_t serve_fds = 0;
  uint64_t serve_threads = 0;
  uint64_t function_rss_kib = 0;
  size_t functions = 0;
};

Sample Measure(pid_t serve, double seconds, uint64_t invokes) {
  Sample sample;
  sample.seconds = seconds;
  sample.invokes = invokes;
  sample.serve_rss_kib = StatusField(serve, "VmRSS");
  sample.serve_fds = OpenFds(serve);
  sample.serve_threads = StatusField(serve, "Threads");
  for (pid_t child : Children(serve)) {
    sample.function_rss_kib += StatusField(child, "VmRSS");
    ++sample.functions;
  }
  return sample;
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) {
  using namespace zerostart::bench;
  CLI::App app{"A long run of zerostart serve: every invoke answered once, nothing growing"};
  std::string zerostart_bin, function, protocol = "runtime-api", json_path, csv_path;
  uint64_t invokes = 1000000;
  int clients = 16;
  int concurrency = 16;  // as many as clients: fewer would be throttled (429), as on Lambda
  bool stream = false;
  uint64_t warmup = 0;
  int sample_ms = 1000;
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // later flags win
  app.add_option("--zerostart", zerostart_bin, "the zerostart binary")->required();
  app.add_option("--function", function, "the echo function (with --stream: the streamer)")->required();
  app.add_option("--invokes", invokes, "invokes in all")->capture_default_str();
  app.add_option("--clients", clients, "concurrent clients")->capture_default_str();
  app.add_option("--concurrency", concurrency, "environments at most (serve --concurrency)")->capture_default_str();
  app.add_option("--protocol", protocol, "runtime-api or go1x")->capture_default_str();
  app.add_flag("--stream", stream, "InvokeWithResponseStream of the streamer test function");
  app.add_option("--warmup", warmup, "invokes of 1 MiB before the measured ones")->capture_default_str();
  app.add_option("--sample-ms", sample_ms, "milliseconds between samples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "write the summary and samples here");
  app.add_option("--csv", csv_path, "write the samples here");
  CLI11_PARSE(app, argc, argv);
  if (stream && protocol == "go1x") {
    std::fprintf(stderr, "zs_soak: --stream needs the Runtime API (go1.x functions do not stream)\n");
    return 2;
  }
  const std::string mode = stream ? "stream" : protocol;
  zerostart::bench::concurrency::StopServesOnSignal();

  auto serve = concurrency::ServeProcess::Start(
      {zerostart_bin,
       {"--no-limits", "--concurrency", std::to_string(concurrency), "--protocol", protocol},
       function,
       /*read_reports=*/false});
  if (!serve.ok()) {
    std::fprintf(stderr, "zs_soak: %s\n", serve.status().ToString().c_str());
    return 1;
  }
  const pid_t serve_pid = (*serve)->pid();
  auto opened = concurrency::OpenClients((*serve)->port(), static_cast<size_t>(clients));
  if (!opened.ok()) {
    std::fprintf(stderr, "zs_soak: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::vector<Client> connections = std::move(opened).value();

  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> lost{0};
  std::atomic<uint64_t> wrong{0};
  std::mutex ids_mutex;
  std::unordered_set<std::string> ids;
  ids.reserve(warmup + invokes);
  uint64_t duplicated = 0;
  std::string first_problem;
  std::atomic<bool> done{false};

  // Sends `count` invokes from all clients at once, invoke n of size_of(n) bytes, checking each.
  auto send = [&](uint64_t count, size_t (*size_of)(uint64_t)) {
    std::atomic<uint64_t> next{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        std::vector<std::string> local_ids;
        for (uint64_t n = next++; n < count; n = next++) {
          const Call call = CallFor(size_of(n), stream);
          zerostart::Result<Answer> answer =
              zerostart::benchmark::InvokeOnce(connections[static_cast<size_t>(c)], call.request);
          if (!answer.ok()) {
            ++lost;
            std::lock_guard<std::mutex> lock(ids_mutex);
            if (first_problem.empty()) first_problem = "lost: " + answer.status().ToString();
            break;  // the connection is gone
          }
          ++answered;
          if (std::string problem = ProblemWith(*answer, call, stream); !problem.empty()) {
            ++wrong;
            std::lock_guard<std::mutex> lock(ids_mutex);
            if (first_problem.empty()) first_problem = "wrong: " + problem;
          }
          local_ids.push_back(std::move(answer->request_id));
          if (local_ids.size() == 4096) {
            std::lock_guard<std::mutex> lock(ids_mutex);
            for (auto& id : local_ids) duplicated += ids.insert(std::move(id)).second ? 0 : 1;
            local_ids.clear();
          }
        }
        std::lock_guard<std::mutex> lock(ids_mutex);
        for (auto& id : local_ids) duplicated += ids.insert(std::move(id)).second ? 0 : 1;
      });
    }
    for (auto& thread : threads) thread.join();
  };
  send(warmup, [](uint64_t) { return kLargest; });
  const uint64_t warmup_answered = answered.exchange(0);

  const auto start = std::chrono::steady_clock::now();
  auto seconds_since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<Sample> samples;
  std::thread sampler([&] {
    while (!done.load()) {
      samples.push_back(Measure(serve_pid, seconds_since(), answered.load()));
      // In steps of at most 100 ms, so that the end of the run is not kept waiting.
      const int step = std::min(sample_ms, 100);
      for (int waited = 0; waited < sample_ms && !done.load(); waited += step) {
        std::this_thread::sleep_for(std::chrono::milliseconds(step));
      }
    }
  });
  send(invokes, SizeFor);
  const double elapsed = seconds_since();
  done = true;
  sampler.join();  // before the last sample: the sampler pushes to the same vector
  samples.push_back(Measure(serve_pid, elapsed, answered.load()));
  zerostart::Status stopped = (*serve)->Stop();

  // Growth after warm-up, robust to the allocator's swings from sample to sample: the median of
  // the samples taken between 10 % and 20 % of the invokes against the median of the last 10 %.
  auto median_of = [&](double from, double to, auto field) {
    std::vector<double> values;
    for (const Sample& sample : samples) {
      const double at = static_cast<double>(sample.invokes) / static_cast<double>(invokes);
      if (at >= from && at <= to) values.push_back(static_cast<double>(field(sample)));
    }
    return values.empty() ? 0.0 : concurrency::PercentileOf(values, 50);
  };
  auto serve_rss = [](const Sample& sample) { return sample.serve_rss_kib; };
  auto function_rss = [](const Sample& sample) { return sample.function_rss_kib; };
  const double warm_rss = median_of(0.1, 0.2, serve_rss);
  const double last_rss = median_of(0.9, 1.0, serve_rss);
  const double warm_function_rss = median_of(0.1, 0.2, function_rss);
  const double last_function_rss = median_of(0.9, 1.0, function_rss);
  auto growth = [](double before, double after) { return before > 0 ? (after - before) / before * 100 : 0.0; };
  const double rss_growth = growth(warm_rss, last_rss);
  const double function_growth = growth(warm_function_rss, last_function_rss);
  const Sample* warm = &samples.front();
  for (const Sample& sample : samples) {
    if (sample.invokes >= invokes / 10) {
      warm = &sample;
      break;
    }
  }
  const Sample& last = samples.back();
  const uint64_t missing = warmup + invokes - warmup_answered - answered.load();

  std::printf("invokes %llu in %.1f s: %.0f/s (%d clients, up to %d environments, %s; %llu warm-up invokes before)\n",
              static_cast<unsigned long long>(answered.load()), elapsed, static_cast<double>(answered.load()) / elapsed,
              clients, concurrency, mode.c_str(), static_cast<unsigned long long>(warmup_answered));
  std::printf("lost %llu, answered twice %llu, wrong %llu, unanswered %llu%s%s\n",
              static_cast<unsigned long long>(lost.load()), static_cast<unsigned long long>(duplicated),
              static_cast<unsigned long long>(wrong.load()), static_cast<unsigned long long>(missing),
              first_problem.empty() ? "" : "; first: ", first_problem.c_str());
  std::printf("serve RSS (median) %.0f -> %.0f KiB from 10-20 %% to the last 10 %% (%+.2f %%), fds %zu -> %zu, "
              "threads %llu -> %llu\n",
              warm_rss, last_rss, rss_growth, warm->serve_fds, last.serve_fds,
              static_cast<unsigned long long>(warm->serve_threads), static_cast<unsigned long long>(last.serve_threads));
  std::printf("functions (%zu) RSS (median) %.0f -> %.0f KiB (%+.2f %%); serve stopped: %s\n", last.functions,
              warm_function_rss, last_function_rss, function_growth, stopped.ToString().c_str());

  nlohmann::json samples_json = nlohmann::json::array();
  for (const Sample& s : samples) {
    samples_json.push_back({{"seconds", s.seconds}, {"invokes", s.invokes}, {"serve_rss_kib", s.serve_rss_kib},
                            {"serve_fds", s.serve_fds}, {"serve_threads", s.serve_threads},
                            {"function_rss_kib", s.function_rss_kib}, {"functions", s.functions}});
  }
  if (!json_path.empty()) {
    nlohmann::json out = {{"invokes", answered.load()}, {"seconds", elapsed},
                          {"per_second", static_cast<double>(answered.load()) / elapsed},
                          {"clients", clients}, {"concurrency", concurrency}, {"protocol", protocol},
                          {"mode", mode}, {"warmup", warmup_answered}, {"sample_ms", sample_ms},
                          {"lost", lost.load()}, {"duplicated", duplicated}, {"wrong", wrong.load()},
                          {"unanswered", missing}, {"serve_rss_growth_percent", rss_growth},
                          {"function_rss_growth_percent", function_growth}, {"samples", samples_json}};
    std::ofstream(json_path) << out.dump(1) << "\n";
  }
  if (!csv_path.empty()) {
    std::ofstream csv(csv_path);
    csv << "seconds,invokes,serve_rss_kib,serve_fds,serve_threads,function_rss_kib\n";
    for (const Sample& s : samples) {
      csv << s.seconds << ',' << s.invokes << ',' << s.serve_rss_kib << ',' << s.serve_fds << ','
          << s.serve_threads << ',' << s.function_rss_kib << '\n';
    }
  }
  const bool ok = lost.load() == 0 && duplicated == 0 && wrong.load() == 0 && missing == 0 && rss_growth < 1.0;
  return ok ? 0 : 1;
}
