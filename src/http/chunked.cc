#include "src/http/chunked.h"

#include <charconv>

#include "src/common/net.h"

namespace zerostart::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// "<hex size>\r\n" into `buffer`; returns its length.
size_t FormatChunkSize(size_t size, char (&buffer)[24]) {
  auto result = std::to_chars(buffer, buffer + 20, size, 16);
  *result.ptr++ = '\r';
  *result.ptr++ = '\n';
  return static_cast<size_t>(result.ptr - buffer);
}

}  // namespace

void AppendChunk(std::string_view data, std::string* out) {
  if (data.empty()) return;
  char size_line[24];
  out->append(size_line, FormatChunkSize(data.size(), size_line));
  out->append(data);
  out->append(kCrlf);
}

void AppendLastChunk(const Headers& trailers, std::string* out) {
  out->append("0\r\n");
  AppendHeaderFields(trailers, out);
  out->append(kCrlf);
}

Status ChunkedWriter::Write(std::string_view data) {
  if (finished_) return FailedPreconditionError("chunked body already finished");
  if (data.empty()) return OkStatus();
  char size_line[24];
  size_t n = FormatChunkSize(data.size(), size_line);
  ZS_RETURN_IF_ERROR(net::WriteAll3(fd_, std::string_view(size_line, n), data, kCrlf));
  bytes_written_ += data.size();
  return OkStatus();
}

Status ChunkedWriter::Finish(const Headers& trailers) {
  if (finished_) return FailedPreconditionError("chunked body already finished");
  finished_ = true;
  scratch_.clear();
  AppendLastChunk(trailers, &scratch_);
  return net::WriteAll(fd_, scratch_);
}

}  // namespace zerostart::http
