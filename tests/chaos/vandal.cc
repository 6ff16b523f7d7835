#include "tests/chaos/vandal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"

namespace zerostart::chaos {
namespace {

using benchmark::Answer;
using benchmark::InvokeOnce;
using Client = benchmark::RawConnection;

size_t Uniform(std::mt19937_64& random, size_t low, size_t high) {
  return std::uniform_int_distribution<size_t>(low, high)(random);
}

// A request no HTTP/1.1 server may accept (RFC 9112): bytes that are no request line, a
// version that is no version, a header line without a colon, a Content-Length that is no number or
// disagrees with another, a chunk size that is no hex number, both framings at once (the
// smuggling case, which RFC 9112 section 6.1 lets a server refuse).
std::string MalformedRequest(std::mt19937_64& random) {
  const std::string line =
      "POST " + std::string(lambda::kInvokePath) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  std::string digits = std::to_string(Uniform(random, 1, 99999));
  switch (Uniform(random, 0, 7)) {
    case 0: {
      std::string junk;
      for (size_t i = Uniform(random, 1, 64); i > 0; --i) {
        const size_t byte = Uniform(random, 0, 63);  // control bytes and the upper half
        junk += static_cast<char>(byte < 32 ? byte : byte + 160);
      }
      if (junk[0] == '\r' || junk[0] == '\n') junk[0] = '\x01';  // not an empty line
      return junk + "\r\n\r\n";
    }
    case 1: return line + "Content-Length: -" + digits + "\r\n\r\n";
    case 2: return line + "Content-Length: " + digits + "zz\r\n\r\n";
    case 3: return line + "Header Without A Colon " + digits + "\r\n\r\n";
    case 4: return "POST " + std::string(lambda::kInvokePath) + " HTTP/1." + digits + "x\r\n\r\n";
    case 5: return line + "Transfer-Encoding: chunked\r\n\r\nzz" + digits + "\r\nhello\r\n0\r\n\r\n";
    case 6: return line + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    default: return line + "Content-Length: 5\r\nContent-Length: " + digits + "\r\n\r\nhello";
  }
}

std::string NameOfFailure(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return std::string(kClosed);
  return "no answer in time (" + status.ToString() + ")";
}

// Sends a whole invoke whose answer is far larger than this socket takes in at once, reads the
// answer's head and leaves: serve is then mid-body. A small answer (a function error) is read
// whole and named.
void LeaveMidResponse(Client& client, std::string_view request, std::string_view event, VandalReport* report) {
  if (Status written = net::WriteAll(client.fd.get(), request); !written.ok()) {
    report->answer = NameOfFailure(written);
    return;
  }
  char buffer[4096];
  while (!client.parser.head_complete()) {
    Result<size_t> got = net::ReadSome(client.fd.get(), buffer, sizeof(buffer));
    if (!got.ok() || *got == 0) {
      report->answer = NameOfFailure(got.ok() ? UnavailableError("closed") : got.status());
      return;
    }
    Result<size_t> used = client.parser.Feed(std::string_view(buffer, *got));
    if (!used.ok()) {
      report->answer = "unparsable answer: " + used.status().ToString();
      return;
    }
    if (client.parser.done()) {
      const Answer answer = benchmark::AnswerFrom(client.parser.TakeResponse());
      report->answer = NameOf(answer, event);
      report->request_id = answer.request_id;
      return;
    }
  }
  const http::Response& head = client.parser.response();
  report->request_id = std::string(head.headers.Get(lambda::kRequestIdResponseHeader).value_or(""));
  report->answer = head.status == 200 && !head.headers.Get(lambda::kFunctionErrorHeader)
                       ? std::string(kHeadThenGone)
                       : "HTTP " + std::to_string(head.status) + " head";
}

}  // namespace

Result<Client> ConnectClient(uint16_t port, int answer_timeout_ms, bool small_window) {
  UniqueFd fd;
  if (small_window) {
    // net::Connect sets no buffer sizes, and a receive window must be set before connect().
    fd.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return InternalError(std::string("socket: ") + std::strerror(errno));
    const int bytes = 4096;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      return UnavailableError(std::string("connect: ") + std::strerror(errno));
    }
  } else {
    ZS_ASSIGN_OR_RETURN(fd, net::Connect({"127.0.0.1", port}));
  }
  timeval timeout{answer_timeout_ms / 1000, (answer_timeout_ms % 1000) * 1000};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return Client(std::move(fd));
}

VandalReport Vandalize(Fault fault, uint16_t port, std::string_view tag, int answer_timeout_ms,
                       std::mt19937_64& random) {
  VandalReport report;
  report.answer = kNotRead;
  const bool leave_mid_response = fault == Fault::kDisconnectMidResponse;
  Result<Client> connected = ConnectClient(port, answer_timeout_ms, /*small_window=*/leave_mid_response);
  if (!connected.ok()) {
    report.answer = "cannot connect: " + connected.status().ToString();
    return report;
  }
  Client& client = *connected;

  size_t pad = Uniform(random, 0, 4096);
  // Leaving mid-response: larger than the most a socket's send buffer holds (net.ipv4.tcp_wmem's
  // 4 MiB by default) and under the 6 MB payload limit, so serve is mid-body when the client leaves.
  if (leave_mid_response) pad = Uniform(random, 5 * 1024, 5 * 1024 + 512) * 1024;
  const std::string event = EventFor(fault, tag, pad, 0);
  const std::string request = benchmark::InvokeBytes(event);
  const size_t head = request.size() - event.size();
  // Reads the one answer, after writing `rest` (if any), and names it.
  auto answer_after = [&](std::string_view rest) {
    Result<Answer> answer = InvokeOnce(client, rest);
    if (!answer.ok()) {
      report.answer = NameOfFailure(answer.status());
      return;
    }
    report.answer = NameOf(*answer, event);
    report.request_id = answer->request_id;
    // One request, one answer: nothing more may follow (serve closes after a malformed one).
    char extra = 0;
    if (::recv(client.fd.get(), &extra, 1, MSG_DONTWAIT) > 0) report.answer += " and more bytes after it";
  };

  switch (fault) {
    case Fault::kDisconnectMidRequest:
      // Anywhere from inside the head to the body's last byte but one.
      (void)net::WriteAll(client.fd.get(), std::string_view(request).substr(0, Uniform(random, 1, request.size() - 1)));
      break;
    case Fault::kDisconnectMidResponse:
      report.ran = true;
      LeaveMidResponse(client, request, event, &report);
      break;
    case Fault::kMalformed:
      answer_after(MalformedRequest(random));
      break;
    case Fault::kTruncated:
      // The head cut short, then the end of the stream: the request can never be complete.
      (void)net::WriteAll(client.fd.get(), std::string_view(request).substr(0, Uniform(random, 1, head - 1)));
      ::shutdown(client.fd.get(), SHUT_WR);
      answer_after("");
      break;
    case Fault::kStall: {
      const size_t cut = Uniform(random, head, request.size() - 1);
      (void)net::WriteAll(client.fd.get(), std::string_view(request).substr(0, cut));
      std::this_thread::sleep_for(std::chrono::milliseconds(Uniform(random, 50, 1000)));
      report.ran = true;
      answer_after(std::string_view(request).substr(cut));
      break;
    }
    default:
      report.answer = "not a client fault";
      break;
  }
  return report;
}

}  // namespace zerostart::chaos
