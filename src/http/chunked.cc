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

Status WriteChunk(int fd, std::span<const std::string_view> parts) {
  constexpr size_t kMaxParts = net::kMaxWriteParts - 2;
  if (parts.size() > kMaxParts) return InvalidArgumentError("too many parts for one chunk");
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  if (size == 0) return OkStatus();
  char size_line[24];
  std::string_view all[net::kMaxWriteParts];
  all[0] = std::string_view(size_line, FormatChunkSize(size, size_line));
  for (size_t i = 0; i < parts.size(); ++i) all[i + 1] = parts[i];
  all[parts.size() + 1] = kCrlf;
  return net::WriteAllParts(fd, std::span<const std::string_view>(all, parts.size() + 2));
}

Status WriteLastChunk(int fd, const Headers& trailers) {
  std::string last;
  AppendLastChunk(trailers, &last);
  return net::WriteAll(fd, last);
}

Status ChunkedWriter::Write(std::string_view data) {
  if (finished_) return FailedPreconditionError("chunked body already finished");
  ZS_RETURN_IF_ERROR(WriteChunk(fd_, std::span<const std::string_view>(&data, 1)));
  bytes_written_ += data.size();
  return OkStatus();
}

Status ChunkedWriter::Finish(const Headers& trailers) {
  if (finished_) return FailedPreconditionError("chunked body already finished");
  finished_ = true;
  return WriteLastChunk(fd_, trailers);
}

}  // namespace zerostart::http
