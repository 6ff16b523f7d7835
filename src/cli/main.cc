// zerostart: a local AWS Lambda (serve), its client (invoke), the Lambda packager (package),
// local power tuning of any function (bench), new projects (new) and serve-with-rebuild (watch).
// Argument parsing only.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "src/cli/bench_command.h"
#include "src/cli/invoke_command.h"
#include "src/cli/new_command.h"
#include "src/cli/package_command.h"
#include "src/cli/serve_command.h"
#include "src/cli/watch_command.h"

extern char** environ;

namespace {

// The prefix of the zerostart install this binary runs from (PREFIX/bin/zerostart beside
// PREFIX/lib*/cmake/zerostart), or "" (a build tree).
std::string InstalledPrefix() {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const fs::path prefix = exe.parent_path().parent_path();
  for (const char* lib : {"lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"}) {
    if (fs::is_directory(prefix / lib / "cmake" / "zerostart", error)) return prefix.string();
  }
  return "";
}

// This process's environment, "K=V" each: what the user's build runs with under `watch`.
std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) out.emplace_back(*entry);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zerostart: create, run, invoke, measure and package AWS Lambda functions"};
  app.require_subcommand(1);
  zerostart::cli::ServeOptions serve_options;
  zerostart::cli::InvokeOptions invoke_options;
  zerostart::cli::PackageOptions package_options;
  CLI::App* serve = zerostart::cli::AddServeCommand(app, &serve_options);
  CLI::App* invoke = zerostart::cli::AddInvokeCommand(app, &invoke_options);
  CLI::App* package = zerostart::cli::AddPackageCommand(app, &package_options);
  zerostart::cli::BenchOptions bench_options;
  CLI::App* bench = zerostart::cli::AddBenchCommand(app, &bench_options);
  zerostart::cli::NewOptions new_options;
  CLI::App* new_command = zerostart::cli::AddNewCommand(app, &new_options);
  zerostart::cli::WatchOptions watch_options;
  CLI::App* watch = zerostart::cli::AddWatchCommand(app, &watch_options);

  // `serve [OPTIONS] -- FUNCTION [ARGS...]`: everything after the first "--" is the function's
  // command line, untouched (CLI11 would parse it).
  std::vector<char*> args(argv, argv + argc);
  std::vector<std::string> after_dashes;
  auto dashes = std::find_if(args.begin() + 1, args.end(), [](const char* a) { return std::string(a) == "--"; });
  if (dashes != args.end()) {
    after_dashes.assign(dashes + 1, args.end());
    args.erase(dashes, args.end());
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (*serve) {
    std::vector<std::string> command = serve->remaining();
    command.insert(command.end(), after_dashes.begin(), after_dashes.end());
    return zerostart::cli::RunServe(serve_options, command);
  }
  if (!after_dashes.empty()) {
    std::fprintf(stderr, "zerostart: unexpected arguments after --\n");
    return 2;
  }
  if (*invoke) return zerostart::cli::RunInvoke(invoke_options);
  if (*package) return zerostart::cli::RunPackage(package_options);
  if (*bench) return zerostart::cli::RunBench(bench_options);
  if (*new_command) return zerostart::cli::RunNew(new_options, InstalledPrefix());
  if (*watch) return zerostart::cli::RunWatch(watch_options, ProcessEnvironment());
  return 2;
}
