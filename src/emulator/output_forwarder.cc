#include "src/emulator/output_forwarder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <string_view>

namespace zerostart::emulator {
namespace {

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

OutputForwarder::OutputForwarder(UniqueFd stdout_pipe, UniqueFd stderr_pipe, LogSink* sink)
    : sink_(sink) {
  streams_[0].fd = std::move(stdout_pipe);
  streams_[0].is_stdout = true;
  streams_[1].fd = std::move(stderr_pipe);
  streams_[1].is_stdout = false;
  for (Stream& stream : streams_) {
    stream.open = stream.fd.valid();
    if (stream.open) SetNonBlocking(stream.fd.get());
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_.Reset(wake[0]);
    wake_write_.Reset(wake[1]);
  }
  thread_ = std::thread([this] { Run(); });
}

OutputForwarder::~OutputForwarder() { Stop(std::chrono::milliseconds(0)); }

void OutputForwarder::Run() {
  for (;;) {
    pollfd fds[3];
    nfds_t count = 0;
    int index[2] = {-1, -1};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int i = 0; i < 2; ++i) {
        if (!streams_[i].open) continue;
        index[i] = static_cast<int>(count);
        fds[count++] = {streams_[i].fd.get(), POLLIN, 0};
      }
    }
    if (count == 0) break;  // both pipes at end of stream
    nfds_t wake_index = count;
    fds[count++] = {wake_read_.get(), POLLIN, 0};
    int rc = ::poll(fds, count, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[wake_index].revents != 0) break;  // Stop() gave up waiting for end of stream
    std::lock_guard<std::mutex> lock(mutex_);
    for (int i = 0; i < 2; ++i) {
      if (index[i] >= 0 && fds[index[i]].revents != 0) Drain(streams_[i], /*flush_partial=*/false);
    }
  }
  std::lock_guard<std::mutex> lock(state_mutex_);
  finished_ = true;
  finished_cv_.notify_all();
}

void OutputForwarder::Drain(Stream& stream, bool flush_partial) {
  char buffer[64 * 1024];
  std::string out;
  while (stream.open) {
    ssize_t n = ::read(stream.fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {  // end of stream (or an error, which ends it too)
      stream.open = false;
      flush_partial = true;
      break;
    }
    std::string_view chunk(buffer, static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        stream.partial.append(chunk);
        chunk = {};
      } else {
        stream.partial.append(chunk.substr(0, newline + 1));
        chunk.remove_prefix(newline + 1);
        out += stream.partial;
        stream.partial.clear();
      }
      while (stream.partial.size() >= kMaxLineBytes) {
        out.append(stream.partial, 0, kMaxLineBytes);
        out += '\n';
        stream.partial.erase(0, kMaxLineBytes);
      }
    }
  }
  if (flush_partial && !stream.partial.empty()) {
    out += stream.partial;
    out += '\n';
    stream.partial.clear();
  }
  if (out.empty()) return;
  if (stream.is_stdout) {
    sink_->WriteStdout(out);
  } else {
    sink_->WriteStderr(out);
  }
}

void OutputForwarder::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Stream& stream : streams_) Drain(stream, /*flush_partial=*/true);
}

void OutputForwarder::Stop(std::chrono::milliseconds grace) {
  {
    std::unique_lock<std::mutex> lock(state_mutex_);
    if (stopped_) return;
    stopped_ = true;
    finished_cv_.wait_for(lock, grace, [this] { return finished_; });
  }
  if (wake_write_.valid()) {
    char byte = 1;
    (void)::write(wake_write_.get(), &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
  Flush();
}

}  // namespace zerostart::emulator
