// TcpServer: a listening socket, an accept thread, and one thread per connection running a
// handler over an http::Connection. Used for both of the emulator's listeners (Invoke API and
// Runtime API); connections are few and long-lived (keep-alive), so a thread each is cheap.
// Thread safety: Stop() and port() may be called from any thread.
#ifndef ZEROSTART_SRC_EMULATOR_TCP_SERVER_H_
#define ZEROSTART_SRC_EMULATOR_TCP_SERVER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "src/common/net.h"
#include "src/common/unique_fd.h"
#include "src/http/connection.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

class TcpServer {
 public:
  // Runs on the connection's own thread; the connection is closed when it returns.
  using Handler = std::function<void(http::Connection& connection)>;

  // Binds and listens (port 0 = any free port). Unavailable with the OS reason when the address
  // is taken or cannot be bound; InvalidArgument for a host that is not numeric.
  static Result<std::unique_ptr<TcpServer>> Listen(const net::HostPort& address, http::Limits limits,
                                                   Handler handler);
  // Stop().
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  uint16_t port() const { return port_; }

  // Starts accepting.
  void Start();
  // Stops accepting, shuts down the receiving side of every open connection (waking a thread
  // blocked reading; one writing still completes), joins all threads. Idempotent.
  void Stop();

 private:
  struct Client {
    std::unique_ptr<http::Connection> connection;
    std::thread thread;
    bool finished = false;  // guarded by mutex_
  };

  TcpServer(UniqueFd listener, uint16_t port, http::Limits limits, Handler handler);
  void AcceptMain();
  // REQUIRES: mutex_ held. Joins the threads of finished connections.
  void ReapFinishedLocked(std::list<Client>& finished);

  UniqueFd listener_;
  uint16_t port_;
  http::Limits limits_;
  Handler handler_;
  std::mutex mutex_;
  bool stopping_ = false;       // guarded by mutex_
  std::list<Client> clients_;   // guarded by mutex_
  std::thread accept_thread_;
};

// After answering a request whose body was too large to read (or malformed), closes the
// connection so that the peer still sees the answer: shuts down our sending side, then reads and
// discards what the peer is still sending (at most 64 MiB or 2 s) before the fd is closed —
// closing with unread data would reset the connection and could destroy the answer in flight.
void LingeringClose(http::Connection& connection);

// Writes `head` then `body` in one writev, without copying the body (for large payloads).
Status WriteHeadAndBody(http::Connection& connection, const std::string& head, std::string_view body);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_TCP_SERVER_H_
