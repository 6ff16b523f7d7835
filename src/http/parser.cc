#include "src/http/parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "src/http/chars.h"

namespace zerostart::http {
namespace {

// A chunk-size line is a few hex digits; extensions are allowed but nobody sends kilobytes.
constexpr size_t kMaxChunkLineBytes = 4096;
// The most a chunk reserves ahead of its bytes (above any buffered Lambda payload).
constexpr uint64_t kReadAheadBytes = 8 << 20;

// `text` for an error message: at most 64 bytes, non-printable bytes as \xNN.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < 64; ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7F && u != '\\') {
      out.push_back(text[i]);
    } else {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  out += text.size() > 64 ? "'..." : "'";
  return out;
}

std::string_view TrimSpaceOrTab(std::string_view text) {
  while (!text.empty() && chars::IsSpaceOrTab(text.front())) text.remove_prefix(1);
  while (!text.empty() && chars::IsSpaceOrTab(text.back())) text.remove_suffix(1);
  return text;
}

// Removes the line's CR, if it ends in CRLF rather than a bare LF.
std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The end of the head (index just past its blank line) in `text`, searching for line ends from
// `from`; npos if the blank line has not arrived yet. A line end is LF or CRLF.
size_t FindHeadEnd(std::string_view text, size_t from) {
  while (from < text.size()) {
    const void* found = std::memchr(text.data() + from, '\n', text.size() - from);
    if (found == nullptr) return std::string_view::npos;
    size_t i = static_cast<size_t>(static_cast<const char*>(found) - text.data());
    if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2;
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') return i + 3;
    from = i + 1;
  }
  return std::string_view::npos;
}

// Reads a version "HTTP/1.0" or "HTTP/1.1" and returns its minor digit, or -1.
int ParseVersion(std::string_view text) {
  if (text.size() != 8 || text.substr(0, 7) != "HTTP/1.") return -1;
  if (text[7] == '0') return 0;
  if (text[7] == '1') return 1;
  return -1;
}

Status BadVersion(std::string_view text) {
  return InvalidArgumentError("unsupported HTTP version " + Quote(text) +
                              " (only HTTP/1.0 and HTTP/1.1)");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// For sizes seen while streaming, where the count at the moment of failure would depend on how
// the bytes were split into reads.
Status OverLimit(std::string_view what, size_t limit) {
  return ResourceExhaustedError(std::string(what) + " exceeds the limit of " +
                                std::to_string(limit) + " bytes");
}

Status OverLimit(std::string_view what, uint64_t size, size_t limit) {
  return ResourceExhaustedError(std::string(what) + " of " + std::to_string(size) +
                                " bytes exceeds the limit of " + std::to_string(limit) + " bytes");
}

}  // namespace

Parser::Parser(Kind kind, Limits limits)
    : kind_(kind), limits_(limits), body_limit_(limits.max_body_bytes) {}

bool Parser::head_complete() const { return head_complete_; }
bool Parser::done() const { return state_ == State::kDone; }
bool Parser::started() const { return started_; }
void Parser::ExpectNoBody() { no_body_ = true; }

Status Parser::Fail(Status status) {
  state_ = State::kFailed;
  error_ = status;
  return status;
}

Result<size_t> Parser::Feed(std::string_view data) {
  if (state_ == State::kFailed) return error_;
  size_t used = 0;
  if (state_ == State::kHead) {
    Result<size_t> head = FeedHead(data);
    if (!head.ok()) return Fail(head.status());
    used = *head;
  }
  // Each pass consumes at least one byte or completes the message; kHead cannot recur here
  // because FeedHead either consumed everything or finished the head.
  while (used < data.size() && state_ != State::kDone && state_ != State::kHead) {
    std::string_view rest = data.substr(used);
    if (state_ == State::kBodyLength) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
      body().append(rest.data(), n);
      remaining_ -= n;
      used += n;
      if (remaining_ == 0) state_ = State::kDone;
    } else if (state_ == State::kBodyEof) {
      if (rest.size() > body_limit_ - std::min(body_limit_, body_bytes())) {
        return Fail(OverLimit("response body", body_limit_));
      }
      body().append(rest);
      used += rest.size();
    } else {
      Result<size_t> chunked = FeedChunked(rest);
      if (!chunked.ok()) return Fail(chunked.status());
      used += *chunked;
    }
  }
  return used;
}

Result<size_t> Parser::FeedHead(std::string_view data) {
  size_t skipped = 0;
  if (!started_) {
    // RFC 9112 §2.2: ignore empty lines before a start line (some clients send an extra CRLF
    // after a body). They are not part of a message: a close after them is a clean close.
    while (skipped < data.size() && (data[skipped] == '\r' || data[skipped] == '\n')) ++skipped;
    skipped_ += skipped;
    if (skipped_ > limits_.max_head_bytes) {
      return OverLimit("run of blank lines before a start line", limits_.max_head_bytes);
    }
    data.remove_prefix(skipped);
    if (data.empty()) return skipped;
    started_ = true;
  }
  if (head_buf_.empty()) {
    // The common case: the whole head is in this read; parse it in place.
    size_t end = FindHeadEnd(data, 0);
    if (end != std::string_view::npos) {
      if (end > limits_.max_head_bytes) return OverLimit("message head", limits_.max_head_bytes);
      ZS_RETURN_IF_ERROR(ParseHead(data.substr(0, end)));
      return skipped + end;
    }
    if (data.size() > limits_.max_head_bytes) {
      return OverLimit("message head", limits_.max_head_bytes);
    }
    head_buf_.assign(data);
    return skipped + data.size();
  }
  // A head split over reads: buffer at most one byte over the limit, and search only the
  // region where a blank line could have been completed.
  size_t old_size = head_buf_.size();
  size_t take = std::min(data.size(), limits_.max_head_bytes + 1 - old_size);
  head_buf_.append(data.substr(0, take));
  size_t end = FindHeadEnd(head_buf_, old_size >= 3 ? old_size - 3 : 0);
  if (end != std::string_view::npos) {
    if (end > limits_.max_head_bytes) return OverLimit("message head", limits_.max_head_bytes);
    ZS_RETURN_IF_ERROR(ParseHead(std::string_view(head_buf_).substr(0, end)));
    head_buf_.clear();
    return skipped + (end - old_size);
  }
  if (head_buf_.size() > limits_.max_head_bytes) {
    return OverLimit("message head", limits_.max_head_bytes);
  }
  return skipped + take;
}

Status Parser::ParseHead(std::string_view head) {
  // `head` ends with a blank line, so every line below ends in LF.
  size_t pos = 0;
  auto next_line = [&] {
    size_t lf = head.find('\n', pos);
    std::string_view line = StripCr(head.substr(pos, lf - pos));
    pos = lf + 1;
    return line;
  };
  std::string_view start = next_line();
  ZS_RETURN_IF_ERROR(kind_ == Kind::kRequest ? ParseRequestLine(start) : ParseStatusLine(start));
  // One allocation for the header list instead of a regrowth every few headers.
  size_t header_lines = 0;
  for (size_t at = pos; (at = head.find('\n', at) + 1) < head.size();) ++header_lines;
  if (header_lines > 0) {
    (kind_ == Kind::kRequest ? request_.headers : response_.headers)
        .reserve(std::min(header_lines, limits_.max_header_count));
  }
  for (std::string_view line = next_line(); !line.empty(); line = next_line()) {
    ZS_RETURN_IF_ERROR(ParseHeaderLine(line, /*trailer=*/false));
  }
  head_complete_ = true;
  return StartBody();
}

Status Parser::ParseRequestLine(std::string_view line) {
  // method SP request-target SP HTTP-version, single spaces (RFC 9112 §3).
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp1 == 0 || sp2 == sp1 + 1) {
    return InvalidArgumentError("malformed request line " + Quote(line) +
                                ": expected 'METHOD target HTTP/1.x'");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!chars::AllToken(method)) {
    return InvalidArgumentError("invalid method " + Quote(method) + " in request line");
  }
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      return InvalidArgumentError("invalid character in request target " + Quote(target));
    }
  }
  version_minor_ = ParseVersion(version);
  if (version_minor_ < 0) return BadVersion(version);
  request_.method.assign(method);
  request_.target.assign(target);
  return OkStatus();
}

Status Parser::ParseStatusLine(std::string_view line) {
  // HTTP-version SP 3DIGIT SP [reason-phrase]; a missing final SP is tolerated.
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.substr(0, 5) != "HTTP/") {
    return InvalidArgumentError("malformed status line " + Quote(line) +
                                ": expected 'HTTP/1.x NNN reason'");
  }
  version_minor_ = ParseVersion(line.substr(0, sp));
  if (version_minor_ < 0) return BadVersion(line.substr(0, sp));
  std::string_view rest = line.substr(sp + 1);
  bool digits = rest.size() >= 3 && std::all_of(rest.begin(), rest.begin() + 3,
                                                [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || rest[0] == '0' || (rest.size() > 3 && rest[3] != ' ')) {
    return InvalidArgumentError("malformed status code in status line " + Quote(line));
  }
  std::string_view reason = rest.size() > 3 ? rest.substr(4) : std::string_view();
  if (!chars::AllFieldChars(reason)) {
    return InvalidArgumentError("control character in reason phrase " + Quote(reason));
  }
  response_.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  response_.reason.assign(reason);
  return OkStatus();
}

Status Parser::ParseHeaderLine(std::string_view line, bool trailer) {
  const char* what = trailer ? "trailer" : "header";
  if (++header_count_ > limits_.max_header_count) {
    return ResourceExhaustedError(std::string("more than ") +
                                  std::to_string(limits_.max_header_count) + " " + what +
                                  " fields");
  }
  if (chars::IsSpaceOrTab(line.front())) {
    return InvalidArgumentError(std::string("obsolete line folding (a ") + what +
                                " line starting with whitespace) is not supported: " + Quote(line));
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + " line without a colon: " + Quote(line));
  }
  std::string_view name = line.substr(0, colon);
  if (name.empty()) {
    return InvalidArgumentError(std::string("empty ") + what + " name: " + Quote(line));
  }
  if (chars::IsSpaceOrTab(name.back())) {
    // RFC 9112 §5.1: MUST reject (a request-smuggling vector).
    return InvalidArgumentError(std::string("whitespace between ") + what +
                                " name and colon: " + Quote(line));
  }
  if (!chars::AllToken(name)) {
    return InvalidArgumentError(std::string("invalid character in ") + what + " name " +
                                Quote(name));
  }
  std::string_view value = TrimSpaceOrTab(line.substr(colon + 1));
  if (!chars::AllFieldChars(value)) {
    return InvalidArgumentError("control character in value of " + std::string(what) + " " +
                                Quote(name) + ": " + Quote(value));
  }
  if (trailer) {
    // Kept for the receiver (Lambda's streaming error trailers), but never interpreted here:
    // RFC 9110 §6.5.1 forbids framing fields such as Content-Length in trailers.
    Headers& trailers = kind_ == Kind::kRequest ? request_.trailers : response_.trailers;
    trailers.Add(std::string(name), std::string(value));
    return OkStatus();
  }
  if (name.size() == 14 && EqualsIgnoreCase(name, "Content-Length")) {
    ZS_RETURN_IF_ERROR(ParseContentLength(value));
  } else if (name.size() == 17 && EqualsIgnoreCase(name, "Transfer-Encoding")) {
    ZS_RETURN_IF_ERROR(ParseTransferEncoding(value));
  }
  Headers& headers = kind_ == Kind::kRequest ? request_.headers : response_.headers;
  headers.Add(std::string(name), std::string(value));
  return OkStatus();
}

Status Parser::ParseContentLength(std::string_view value) {
  // 1*DIGIT; a list ("5, 5") or repeated header is accepted only if all values agree (§6.3).
  for (size_t start = 0, comma = 0; comma != std::string_view::npos; start = comma + 1) {
    comma = value.find(',', start);
    std::string_view item = TrimSpaceOrTab(value.substr(start, comma - start));
    if (item.empty() ||
        !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return InvalidArgumentError("invalid Content-Length " + Quote(value));
    }
    uint64_t length = 0;
    for (char c : item) {
      auto digit = static_cast<uint64_t>(c - '0');
      if (length > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        return InvalidArgumentError("Content-Length " + Quote(value) + " overflows 64 bits");
      }
      length = length * 10 + digit;
    }
    if (has_content_length_ && length != content_length_) {
      return InvalidArgumentError("conflicting Content-Length values " +
                                  std::to_string(content_length_) + " and " +
                                  std::to_string(length));
    }
    has_content_length_ = true;
    content_length_ = length;
  }
  return OkStatus();
}

Status Parser::ParseTransferEncoding(std::string_view value) {
  // We decode exactly one coding, chunked, which must then be the last one (§6.1).
  has_transfer_encoding_ = true;
  std::string_view rest = value;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view coding = TrimSpaceOrTab(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (coding.empty()) continue;  // list syntax allows empty elements
    if (!EqualsIgnoreCase(coding, "chunked")) {
      return InvalidArgumentError("unsupported transfer-coding " + Quote(coding) +
                                  " (only chunked is supported)");
    }
    if (chunked_) return InvalidArgumentError("transfer-coding chunked applied more than once");
    chunked_ = true;
  }
  return OkStatus();
}

Status Parser::StartBody() {
  if (has_transfer_encoding_ && has_content_length_) {
    return InvalidArgumentError("message has both Content-Length and Transfer-Encoding");
  }
  if (has_transfer_encoding_ && !chunked_) {
    return InvalidArgumentError("Transfer-Encoding names no transfer-coding");
  }
  if (kind_ == Kind::kResponse) {
    if (no_body_ || !StatusAllowsBody(response_.status)) {
      state_ = State::kDone;
      return OkStatus();
    }
  }
  if (chunked_) {
    state_ = State::kChunkSize;
  } else if (has_content_length_) {
    if (content_length_ > body_limit_) {
      return OverLimit("Content-Length", content_length_, body_limit_);
    }
    remaining_ = content_length_;
    body().reserve(static_cast<size_t>(content_length_));
    state_ = remaining_ == 0 ? State::kDone : State::kBodyLength;
  } else {
    state_ = kind_ == Kind::kRequest ? State::kDone : State::kBodyEof;
  }
  return OkStatus();
}

Result<size_t> Parser::FeedChunked(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && state_ != State::kDone) {
    char c = data[i];
    switch (state_) {
      case State::kChunkSize: {
        int digit = HexValue(c);
        if (digit < 0) {
          if (!chunk_digits_) {
            return InvalidArgumentError("expected a hex chunk size, got " +
                                        Quote(data.substr(i, 1)));
          }
          if (c != ';' && c != '\r' && c != '\n' && !chars::IsSpaceOrTab(c)) {
            return InvalidArgumentError("invalid character " + Quote(data.substr(i, 1)) +
                                        " after chunk size");
          }
          state_ = State::kChunkExt;  // not consumed: kChunkExt reads it
          break;
        }
        if (remaining_ > (std::numeric_limits<uint64_t>::max() >> 4)) {
          return InvalidArgumentError("chunk size overflows 64 bits");
        }
        remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
        chunk_digits_ = true;
        if (++chunk_line_bytes_ > kMaxChunkLineBytes) {
          return OverLimit("chunk-size line", kMaxChunkLineBytes);
        }
        ++i;
        break;
      }
      case State::kChunkExt:
        ++i;
        if (c == '\n') {
          ZS_RETURN_IF_ERROR(EndChunkSizeLine());
        } else if (chunk_cr_ || (!chars::IsFieldChar(c) && c != '\r')) {
          return InvalidArgumentError("control character in chunk-size line");
        } else {
          chunk_cr_ = c == '\r';
          if (++chunk_line_bytes_ > kMaxChunkLineBytes) {
            return OverLimit("chunk-size line", kMaxChunkLineBytes);
          }
        }
        break;
      case State::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - i));
        body().append(data.data() + i, n);
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd:
      case State::kChunkDataLf:
        if (c == '\r' && state_ == State::kChunkDataEnd) {
          state_ = State::kChunkDataLf;
        } else if (c == '\n') {
          state_ = State::kChunkSize;
        } else {
          return InvalidArgumentError("missing CRLF after chunk data (got " +
                                      Quote(data.substr(i, 1)) + ")");
        }
        ++i;
        break;
      case State::kTrailer: {
        const void* lf = std::memchr(data.data() + i, '\n', data.size() - i);
        size_t end =
            lf ? static_cast<size_t>(static_cast<const char*>(lf) - data.data()) + 1 : data.size();
        trailer_bytes_ += end - i;
        if (trailer_bytes_ > limits_.max_head_bytes) {
          return OverLimit("trailer section", limits_.max_head_bytes);
        }
        line_buf_.append(data.data() + i, end - i);
        i = end;
        if (lf) ZS_RETURN_IF_ERROR(EndTrailerLine());
        break;
      }
      default:
        return InternalError("HTTP parser: unexpected state in chunked body");
    }
  }
  return i;
}

Status Parser::EndChunkSizeLine() {
  if (remaining_ > body_limit_ - std::min(body_limit_, body_bytes())) {
    return OverLimit("chunked body", body_bytes() + remaining_, body_limit_);
  }
  chunk_line_bytes_ = 0;
  chunk_digits_ = false;
  chunk_cr_ = false;
  if (remaining_ == 0) {
    state_ = State::kTrailer;
    header_count_ = 0;
    return OkStatus();
  }
  // Reserve once for a big chunk (libstdc++ still grows geometrically for many small ones), but
  // never far ahead of the bytes: a streamed body is taken as it arrives, and a chunk may
  // announce far more than will ever come.
  std::string& b = body();
  uint64_t ahead = std::min<uint64_t>(remaining_, kReadAheadBytes);
  if (ahead > b.capacity() - b.size()) b.reserve(b.size() + static_cast<size_t>(ahead));
  state_ = State::kChunkData;
  return OkStatus();
}

Status Parser::EndTrailerLine() {
  std::string_view line = StripCr(std::string_view(line_buf_).substr(0, line_buf_.size() - 1));
  if (line.empty()) {
    state_ = State::kDone;
  } else {
    ZS_RETURN_IF_ERROR(ParseHeaderLine(line, /*trailer=*/true));
  }
  line_buf_.clear();
  return OkStatus();
}

Status Parser::FinishAtEof() {
  switch (state_) {
    case State::kFailed:
      return error_;
    case State::kDone:
      return OkStatus();
    case State::kBodyEof:
      state_ = State::kDone;
      return OkStatus();
    case State::kHead:
      if (!started_) return UnavailableError("connection closed before a message started");
      return Fail(InvalidArgumentError("connection closed inside a message head"));
    case State::kBodyLength:
      return Fail(InvalidArgumentError("connection closed after " +
                                       std::to_string(content_length_ - remaining_) + " of " +
                                       std::to_string(content_length_) + " body bytes"));
    default:
      return Fail(InvalidArgumentError("connection closed inside a chunked body"));
  }
}

void Parser::ResetMessage() {
  request_ = Request{};
  response_ = Response{};
  state_ = State::kHead;
  started_ = false;
  head_complete_ = false;
  no_body_ = false;
  version_minor_ = 1;
  skipped_ = 0;
  head_buf_.clear();
  header_count_ = 0;
  has_content_length_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  content_length_ = 0;
  remaining_ = 0;
  chunk_line_bytes_ = 0;
  chunk_digits_ = false;
  chunk_cr_ = false;
  line_buf_.clear();
  trailer_bytes_ = 0;
  body_taken_ = 0;
  body_limit_ = limits_.max_body_bytes;
}

void Parser::TakeBodyBytes(std::string* out) {
  std::string& b = body();
  if (b.empty()) return;
  body_taken_ += b.size();
  if (out->empty()) {
    out->swap(b);  // no copy for the common case of an empty destination
  } else {
    out->append(b);
  }
  b.clear();
}

Request Parser::TakeRequest() {
  Request out = std::move(request_);
  ResetMessage();
  return out;
}

Response Parser::TakeResponse() {
  Response out = std::move(response_);
  ResetMessage();
  return out;
}

void Parser::Reset() {
  ResetMessage();
  error_ = OkStatus();
}

}  // namespace zerostart::http
