// zs_chaos: the chaos run (chaos.h) from the command line, for as long as asked — `make soak`
// runs it for ten minutes; the test suite runs a short one.
//
//   zs_chaos --zerostart BIN --faulty BIN [--seed N] [--seconds S] [--clients C] [--vandals V]
//            [--memory MB] [--timeout S] [--protocol runtime-api|go1x] [--no-kill] [--json FILE] [--markdown FILE]
//
// Prints the table of faults and answers and every problem found; exits 1 if there was one.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>

#include "tests/chaos/chaos.h"

int main(int argc, char** argv) {
  zerostart::chaos::ChaosOptions options;
  std::string json_path, markdown_path;
  CLI::App app{"zerostart serve under faults from every side: one right answer per invoke, nothing left behind"};
  app.add_option("--zerostart", options.zerostart, "the zerostart binary")->required();
  app.add_option("--faulty", options.faulty, "the test function faulty")->required();
  app.add_option("--seed", options.seed, "seed of every choice")->capture_default_str();
  app.add_option("--seconds", options.seconds, "length of the chaos phase")->capture_default_str();
  app.add_option("--clients", options.clients, "invoking clients")->capture_default_str()->check(CLI::Range(1, 64));
  app.add_option("--vandals", options.vandals, "clients doing client-side faults")->capture_default_str()->check(CLI::Range(0, 16));
  app.add_option("--memory", options.memory_mb, "serve --memory")->capture_default_str()->check(CLI::Range(128, 10240));
  app.add_option("--timeout", options.timeout_seconds, "serve --timeout")->capture_default_str()->check(CLI::Range(1, 900));
  app.add_option("--protocol", options.protocol, "serve --protocol")->capture_default_str()->check(CLI::IsMember({"runtime-api", "go1x"}));
  app.add_flag("--no-kill{false}", options.kill, "do not SIGKILL function processes (no answer may say killed)");
  app.add_option("--json", json_path, "write the result here");
  app.add_option("--markdown", markdown_path, "write the table here");
  CLI11_PARSE(app, argc, argv);

  char scratch[] = "/tmp/zs_chaos_XXXXXX";
  if (::mkdtemp(scratch) == nullptr) {
    std::perror("zs_chaos: mkdtemp");
    return 1;
  }
  options.scratch_dir = scratch;
  options.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  auto result = zerostart::chaos::RunChaos(options);
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  if (!result.ok()) {
    std::fprintf(stderr, "zs_chaos: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf("%s, seed %llu, %.1f s, memory limit %s: %llu whole invokes, %llu answers, %llu REPORTs; lost %llu, "
              "answered twice %llu, unexpected %llu; after: %llu/%llu ok, fds %zu -> %zu, threads %zu -> %zu, "
              "environments %zu, leftovers %zu, serve stopped: %s\n\n%s",
              result->protocol.c_str(), static_cast<unsigned long long>(result->seed), result->seconds,
              result->limits_enforced ? "enforced" : "not enforced here",
              static_cast<unsigned long long>(result->invokes), static_cast<unsigned long long>(result->answered),
              static_cast<unsigned long long>(result->reports), static_cast<unsigned long long>(result->lost),
              static_cast<unsigned long long>(result->duplicated), static_cast<unsigned long long>(result->unexpected),
              static_cast<unsigned long long>(result->health_ok), static_cast<unsigned long long>(result->health_invokes),
              result->fds_before, result->fds_after, result->threads_before, result->threads_after,
              result->environments_after, result->leftovers.size(), result->serve_stopped.c_str(),
              result->Table().c_str());
  for (const std::string& problem : result->problems) std::printf("PROBLEM: %s\n", problem.c_str());
  if (!json_path.empty()) std::ofstream(json_path) << result->ToJson().dump(1) << "\n";
  if (!markdown_path.empty()) std::ofstream(markdown_path) << result->Table();
  return result->ok() ? 0 : 1;
}
