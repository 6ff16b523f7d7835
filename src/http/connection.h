// Connection: blocking HTTP/1.1 over one TCP socket, with keep-alive. Reads whole messages
// (buffering any bytes of the next pipelined message) and writes whole messages.
//
// Ownership: owns the socket. Thread safety: one reader and one writer thread at most; not
// otherwise synchronised.
#ifndef ZEROSTART_SRC_HTTP_CONNECTION_H_
#define ZEROSTART_SRC_HTTP_CONNECTION_H_

#include <string>

#include "src/common/unique_fd.h"
#include "src/http/message.h"
#include "src/http/parser.h"
#include "zerostart/status.h"

namespace zerostart::http {

class Connection {
 public:
  explicit Connection(UniqueFd fd, Limits limits = {});
  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;

  // Reads the next request. Answers "Expect: 100-continue" with "100 Continue" once the head
  // has arrived. Errors: Unavailable when the peer closed (or reset) the connection before
  // the first byte of a request; InvalidArgument for malformed bytes or a close mid-message;
  // ResourceExhausted over the limits. After an error the connection must be closed.
  Result<Request> ReadRequest();
  // Reads the next response (1xx interim responses are skipped). `head_request` = the request
  // was HEAD (no body follows). Errors as for ReadRequest.
  Result<Response> ReadResponse(bool head_request = false);

  // Writes one message (Content-Length added as in SerializeXHead). Unavailable when the peer
  // is gone.
  Status Write(const Request& request);
  Status Write(const Response& response);

  // Shuts down both directions (wakes a thread blocked in Read* on this connection) without
  // closing the fd; the destructor closes it.
  void Shutdown();

  int fd() const { return fd_.get(); }

 private:
  template <typename Message>
  Result<Message> ReadMessage(Parser& parser, bool answer_continue);

  UniqueFd fd_;
  Limits limits_;
  std::string buffer_;   // bytes read but not yet fed to a parser
  size_t buffer_pos_ = 0;
};

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_CONNECTION_H_
