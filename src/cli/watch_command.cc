#include "src/cli/watch_command.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <cerrno>
#include <cstring>

#include "src/cli/build_runner.h"
#include "src/cli/file_watcher.h"
#include "src/cli/key_values.h"
#include "src/cli/temp_parent.h"
#include "src/common/unique_fd.h"
#include "src/emulator/emulator.h"
#include "src/emulator/log_sink.h"

namespace zerostart::cli {
namespace {

namespace fs = std::filesystem;

// Changes within this long of each other are one edit (an editor's save is several events; a
// `git checkout` many): the build starts once the tree has been quiet this long.
constexpr int kQuietMs = 200;
constexpr int kMaxEditMs = 2000;
// How often environments of an older binary that were busy are checked for being idle (the pool
// says nothing when an invoke ends).
constexpr int kRetirePollMs = 250;

void Say(const std::string& line) { std::fprintf(stderr, "zerostart watch: %s\n", line.c_str()); }

// The function as served: a copy of the build's binary in a private folder, replaced by rename
// after each successful build, so that a failed or half-written build never reaches the emulator.
class StagedBinary {
 public:
  static Result<StagedBinary> Make(const std::string& name) {
    std::string pattern = TempParent() + "/zerostart-watch.XXXXXX";  // where serve unpacks zips
    if (::mkdtemp(pattern.data()) == nullptr) return InternalError("cannot make a temporary folder");
    return StagedBinary(pattern, name);
  }
  StagedBinary(StagedBinary&& other) noexcept : dir_(std::exchange(other.dir_, "")), name_(other.name_) {}
  ~StagedBinary() {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  std::string path() const { return dir_ + "/" + name_; }
  // Whether `built` holds the same bytes as the staged copy (a build that changed nothing).
  bool Same(const std::string& built) const {
    std::ifstream a(built, std::ios::binary);
    std::ifstream b(path(), std::ios::binary);
    if (!a || !b) return false;
    return std::equal(std::istreambuf_iterator<char>(a), std::istreambuf_iterator<char>(),
                      std::istreambuf_iterator<char>(b), std::istreambuf_iterator<char>());
  }
  Status CopyFrom(const std::string& built) {
    std::error_code error;
    const std::string next = path() + ".next";
    fs::copy_file(built, next, fs::copy_options::overwrite_existing, error);
    if (!error) fs::permissions(next, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                          fs::perms::others_read | fs::perms::others_exec, error);
    if (!error) fs::rename(next, path(), error);
    if (error) return InternalError("cannot copy " + built + ": " + error.message());
    return OkStatus();
  }

 private:
  StagedBinary(std::string dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}
  std::string dir_;
  std::string name_;
};

// "src/handler.cc changed", "src/a.cc, src/b.h changed": the files that exist after the edit
// (an editor's or sed's temporary files come and go), else the first path seen.
std::string Describe(std::vector<std::string> paths, const fs::path& project) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<std::string> shown;
  std::error_code error;
  for (const std::string& path : paths) {
    if (fs::exists(path, error)) shown.push_back(fs::relative(path, project, error).string());
  }
  if (shown.empty()) shown.push_back(fs::relative(paths.front(), project, error).string() + " (removed)");
  std::string text;
  for (size_t i = 0; i < shown.size() && i < 3; ++i) text += (i == 0 ? "" : ", ") + shown[i];
  if (shown.size() > 3) text += " and " + std::to_string(shown.size() - 3) + " more";
  return text + " changed";
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app, WatchOptions* options) {
  CLI::App* watch = app.add_subcommand(
      "watch", "Serve a function and rebuild it when its sources change (the next invoke runs the new binary)");
  watch->add_option("FUNCTION", options->function, "The function binary the build makes, e.g. build/my-fn")
      ->required();
  watch->add_option("--project", options->project, "The folder whose sources are watched")->capture_default_str();
  watch->add_option("--build-dir", options->build_dir, "The build folder, relative to --project (not watched)")
      ->capture_default_str();
  watch->add_option("--build", options->build_command,
                    "The build command, run by /bin/sh in --project (default: cmake --build BUILD_DIR)");
  watch->add_option("--port", options->port, "Invoke API port (0: any free port)")->capture_default_str();
  watch->add_option("--host", options->host, "Invoke API address (numeric)")->capture_default_str();
  watch->add_option("--memory", options->memory_mb, "Memory size in MB (Lambda's CPU share and limit)")
      ->check(CLI::Range(128, 10240))
      ->capture_default_str();
  watch->add_option("--timeout", options->timeout_seconds, "Timeout per invoke, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  watch->add_option("--env", options->env, "Environment variable K=V for the function (repeatable)");
  watch->add_flag("--no-limits", options->no_limits, "Measure memory and CPU but enforce no limit");
  return watch;
}

int RunWatch(const WatchOptions& options, const std::vector<std::string>& env) {
  std::error_code error;
  fs::path project = fs::absolute(options.project, error).lexically_normal();
  if (project.has_relative_path() && project.filename().empty()) project = project.parent_path();  // "dir/" -> "dir"
  if (!fs::is_directory(project, error)) {
    std::fprintf(stderr, "zerostart watch: --project %s is not a folder\n", options.project.c_str());
    return 2;
  }
  const fs::path build_dir = (project / options.build_dir).lexically_normal();
  const std::string function = fs::absolute(options.function, error).lexically_normal().string();
  const std::string build_command =
      options.build_command.empty() ? "cmake --build '" + build_dir.string() + "'" : options.build_command;
  emulator::EmulatorOptions base;
  base.function.memory_mb = options.memory_mb;
  base.function.timeout_seconds = options.timeout_seconds;
  base.function.name = fs::path(function).filename().string();
  Result<EnvMap> overrides = ParseKeyValues(options.env, "--env");
  if (!overrides.ok()) {
    std::fprintf(stderr, "zerostart watch: %s\n", overrides.status().message().c_str());
    return 2;
  }
  base.function.env_overrides = std::move(overrides).value();
  base.enforce_limits = !options.no_limits;

  // Signals arrive on a descriptor: the build and the wait for changes both watch it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  UniqueFd signals(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (signals.get() < 0) {
    std::fprintf(stderr, "zerostart watch: signalfd: %s\n", std::strerror(errno));
    return 1;
  }
  // A build folder that is the project itself would make every build a change to rebuild for.
  if (build_dir == project) {
    std::fprintf(stderr, "zerostart watch: --build-dir must be a folder inside --project, not the project itself\n");
    return 2;
  }

  // The build's outputs are not sources: the build folder, and the binary wherever it is.
  Result<std::unique_ptr<FileWatcher>> watcher =
      FileWatcher::Open(project.string(), {build_dir.string(), function, function + ".next"});
  if (!watcher.ok()) {
    std::fprintf(stderr, "zerostart watch: %s\n", watcher.status().message().c_str());
    return 1;
  }
  Result<StagedBinary> staged = StagedBinary::Make(base.function.name);
  if (!staged.ok()) {
    std::fprintf(stderr, "zerostart watch: %s\n", staged.status().message().c_str());
    return 1;
  }
  emulator::FdLogSink sink(STDOUT_FILENO, STDERR_FILENO);
  base.sink = &sink;

  // Builds; on success stages the new binary. False when interrupted.
  auto build = [&](bool* built) -> bool {
    Say("building: " + build_command);
    BuildOutcome outcome = RunBuild(build_command, project.string(), env, signals.get());
    if (outcome.interrupted) return false;
    *built = false;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f s", outcome.seconds);
    if (!outcome.ok) {
      std::fwrite(outcome.output.data(), 1, outcome.output.size(), stderr);
      Say("the build failed (" + outcome.what + ", " + seconds + "); still serving the previous binary");
      return true;
    }
    if (staged->Same(function)) {
      Say("built in " + std::string(seconds) + "; the binary is unchanged");
      return true;
    }
    if (Status copied = staged->CopyFrom(function); !copied.ok()) {
      Say("built in " + std::string(seconds) + ", but " + copied.message() + "; still serving the previous binary");
      return true;
    }
    Say("built in " + std::string(seconds));
    *built = true;
    return true;
  };

  bool built = false;
  if (!build(&built)) return 0;
  if (!built && (!fs::exists(function, error) || !staged->CopyFrom(function).ok())) {
    Say("nothing to serve: " + function + " was not built");
    return 1;
  }
  // One emulator for the whole session: it spawns the staged path, so a rebuilt binary only
  // needs the old environments retired.
  base.function.path = staged->path();
  base.invoke_address = {options.host, options.port};
  auto started = emulator::Emulator::Start(std::move(base));
  if (!started.ok()) {
    Say("cannot serve: " + started.status().message());
    return 1;
  }
  std::unique_ptr<emulator::Emulator> running = std::move(started).value();
  const uint16_t port = running->invoke_port();
  Say("serving " + function + " on http://" + options.host + ":" + std::to_string(port) +
      "; watching " + project.string() + " (Ctrl-C stops)");

  // Waits up to `ms` (-1: for ever) for a change or a stop signal: true when a signal came.
  auto wait = [&](int ms, bool* changed) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {(*watcher)->fd(), POLLIN, 0}};
    *changed = false;
    if (::poll(fds, 2, ms) < 0) return false;
    *changed = (fds[1].revents & POLLIN) != 0;
    return (fds[0].revents & POLLIN) != 0;
  };
  bool stop = false;
  int retiring = 0;  // environments of an older binary still answering an invoke
  while (!stop) {
    bool changed = false;
    if (wait(retiring > 0 ? kRetirePollMs : -1, &changed)) break;
    if (retiring > 0) retiring = running->pool().FinishRetiring();
    if (!changed) continue;
    FileWatcher::Changes changes = (*watcher)->Read();
    // Collect the rest of the edit: until the tree is quiet, for at most kMaxEditMs (a tree that
    // never rests is built as it is then).
    const auto edit_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(kMaxEditMs);
    while (!changes.root_gone && std::chrono::steady_clock::now() < edit_end) {
      if (wait(kQuietMs, &changed)) {
        stop = true;
        break;
      }
      if (!changed) break;
      FileWatcher::Changes more = (*watcher)->Read();
      changes.root_gone = more.root_gone;
      changes.paths.insert(changes.paths.end(), more.paths.begin(), more.paths.end());
    }
    if (stop) break;
    if (changes.root_gone) {
      Say(project.string() + " is gone (deleted or moved); stopping");
      running->Stop();
      return 1;
    }
    if (changes.paths.empty()) continue;
    Say(Describe(changes.paths, project));
    if (!build(&built)) break;
    if (!built) continue;
    // The old binary's environments get no more invokes and go as soon as they are idle (an
    // invoke in flight finishes first); the next invoke starts the new binary, which replaced
    // the staged copy by rename.
    retiring = running->pool().RetireEnvironments();
    Say("the next invoke starts the new binary");
  }
  running->Stop();
  return 0;
}

}  // namespace zerostart::cli
