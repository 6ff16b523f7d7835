// zs_soak: a long run of `zerostart serve` under steady load, checking Lambda's promise on every
// invoke — exactly one answer, the right one — and that nothing grows: serve's resident memory,
// its descriptors and threads, the function processes' memory.
//
//   zs_soak --zerostart BIN --function BIN [--invokes N] [--clients C] [--concurrency E]
//           [--protocol runtime-api|go1x] [--json FILE] [--csv FILE]
//
// C clients (threads, one kept-open connection each) send N invokes in all through a pool of up
// to E environments (`serve --concurrency E --no-limits`), echo payloads cycling through 2 B
// (`""`), 16 B, 1 KiB, 64 KiB and, every 1,000th invoke, 1 MiB. Every answer must be 200 with the payload
// echoed and a request id no other answer had. A sampler reads serve's VmRSS, open descriptors
// and threads, and the function processes' VmRSS, once a second. Prints a summary (invokes/s,
// lost, duplicated, wrong, growth after warm-up); --json writes it
// with every sample, --csv the samples alone (for a chart). Growth compares medians: the samples
// between 10 % and 20 % of the invokes against the last 10 % (single samples swing with the
// allocator). Exits 1 if any invoke was lost, answered twice or wrongly, or if serve's RSS grew
// 1 % or more after warm-up.
#include <unistd.h>

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

size_t SizeFor(uint64_t n) {
  if (n % 1000 == 999) return 1024 * 1024;
  static constexpr size_t kSizes[] = {2, 16, 1024, 16, 64 * 1024, 16, 1024, 16};
  return kSizes[n % std::size(kSizes)];
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
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // later flags win
  app.add_option("--zerostart", zerostart_bin, "the zerostart binary")->required();
  app.add_option("--function", function, "the echo function")->required();
  app.add_option("--invokes", invokes, "invokes in all")->capture_default_str();
  app.add_option("--clients", clients, "concurrent clients")->capture_default_str();
  app.add_option("--concurrency", concurrency, "environments at most (serve --concurrency)")->capture_default_str();
  app.add_option("--protocol", protocol, "runtime-api or go1x")->capture_default_str();
  app.add_option("--json", json_path, "write the summary and samples here");
  app.add_option("--csv", csv_path, "write the samples here");
  CLI11_PARSE(app, argc, argv);
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

  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> lost{0};
  std::atomic<uint64_t> wrong{0};
  std::mutex ids_mutex;
  std::unordered_set<std::string> ids;
  ids.reserve(invokes);
  uint64_t duplicated = 0;
  std::string first_problem;
  std::atomic<bool> done{false};

  const auto start = std::chrono::steady_clock::now();
  auto seconds_since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<Sample> samples;
  std::thread sampler([&] {
    while (!done.load()) {
      samples.push_back(Measure(serve_pid, seconds_since(), answered.load()));
      for (int i = 0; i < 10 && !done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<std::string> local_ids;
      for (uint64_t n = next++; n < invokes; n = next++) {
        const std::string payload = Payload(SizeFor(n));
        zerostart::Result<Answer> answer =
            concurrency::InvokeOnce(connections[static_cast<size_t>(c)], concurrency::InvokeRequest(payload));
        if (!answer.ok()) {
          ++lost;
          std::lock_guard<std::mutex> lock(ids_mutex);
          if (first_problem.empty()) first_problem = "lost: " + answer.status().ToString();
          break;  // the connection is gone
        }
        ++answered;
        if (answer->status != 200 || answer->body != payload) {
          ++wrong;
          std::lock_guard<std::mutex> lock(ids_mutex);
          if (first_problem.empty()) first_problem = "wrong: HTTP " + std::to_string(answer->status) + " " + answer->body.substr(0, 200);
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
  const double elapsed = seconds_since();
  samples.push_back(Measure(serve_pid, elapsed, answered.load()));
  done = true;
  sampler.join();
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
  const uint64_t missing = invokes - answered.load();

  std::printf("invokes %llu in %.1f s: %.0f/s (%d clients, up to %d environments, %s)\n",
              static_cast<unsigned long long>(answered.load()), elapsed, static_cast<double>(answered.load()) / elapsed,
              clients, concurrency, protocol.c_str());
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
