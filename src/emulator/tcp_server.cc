#include "src/emulator/tcp_server.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>

namespace zerostart::emulator {

Result<std::unique_ptr<TcpServer>> TcpServer::Listen(const net::HostPort& address,
                                                     http::Limits limits, Handler handler) {
  ZS_ASSIGN_OR_RETURN(UniqueFd listener, net::Listen(address));
  ZS_ASSIGN_OR_RETURN(uint16_t port, net::LocalPort(listener.get()));
  return std::unique_ptr<TcpServer>(new TcpServer(std::move(listener), port, limits, std::move(handler)));
}

TcpServer::TcpServer(UniqueFd listener, uint16_t port, http::Limits limits, Handler handler)
    : listener_(std::move(listener)), port_(port), limits_(limits), handler_(std::move(handler)) {}

TcpServer::~TcpServer() { Stop(); }

void TcpServer::Start() { accept_thread_ = std::thread([this] { AcceptMain(); }); }

void TcpServer::AcceptMain() {
  for (bool stop = false; !stop;) {
    auto accepted = net::Accept(listener_.get());
    std::list<Client> finished;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ReapFinishedLocked(finished);
      if (!accepted.ok() || stopping_) {
        stop = true;  // Stop() shut the listener down
      } else {
        clients_.emplace_back();
        Client& client = clients_.back();
        client.connection = std::make_unique<http::Connection>(std::move(accepted).value(), limits_);
        client.thread = std::thread([this, &client] {
          handler_(*client.connection);
          // The peer learns at once that the connection is over (e.g. after Connection:
          // close); the fd itself is closed when the next accept reaps this client.
          client.connection->Shutdown();
          std::lock_guard<std::mutex> done_lock(mutex_);
          client.finished = true;
        });
      }
    }
    // Threads of finished connections have returned from the handler; join them here.
    for (Client& done : finished) done.thread.join();
  }
}

void TcpServer::ReapFinishedLocked(std::list<Client>& finished) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto next = std::next(it);
    if (it->finished) finished.splice(finished.end(), clients_, it);
    it = next;
  }
}

void TcpServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    // Wakes accept(2) with an error (Linux), so the accept thread ends.
    ::shutdown(listener_.get(), SHUT_RDWR);
    // Only the receiving side: a thread blocked reading wakes up (end of stream), while one
    // that is about to write its last answer (e.g. the shutdown error for a queued invoke) can
    // still send it.
    for (Client& client : clients_) ::shutdown(client.connection->fd(), SHUT_RD);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  std::list<Client> clients;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    clients.swap(clients_);
  }
  for (Client& client : clients) {
    if (client.thread.joinable()) client.thread.join();
  }
}

void LingeringClose(http::Connection& connection) {
  int fd = connection.fd();
  ::shutdown(fd, SHUT_WR);
  timeval timeout{};
  timeout.tv_sec = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  constexpr size_t kMaxDiscard = 64 * 1024 * 1024;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char buffer[64 * 1024];
  size_t discarded = 0;
  while (discarded < kMaxDiscard && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;  // end of stream, error or SO_RCVTIMEO
    discarded += static_cast<size_t>(n);
  }
}

Status WriteHeadAndBody(http::Connection& connection, const std::string& head, std::string_view body) {
  return net::WriteAll2(connection.fd(), head, body);
}

}  // namespace zerostart::emulator
