#include "pipeline/dist/port.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred::dist {

namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* p) const { freeaddrinfo(p); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoDeleter>;

AddrInfo resolve(const std::string& addr, uint16_t port, int socktype, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(addr.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw Error(fmt::format("MASTER_ADDR '{}' does not resolve: {}", addr, gai_strerror(rc)));
  }
  return AddrInfo(found);
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void ensure_port_free(const std::string& addr, uint16_t port) {
  AddrInfo info = resolve(addr, port, SOCK_STREAM, true);
  for (addrinfo* a = info.get(); a; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
    if (s.fd() < 0) continue;
    // As the store itself does: a port in TIME_WAIT from an earlier run is free.
    int one = 1;
    ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(s.fd(), a->ai_addr, a->ai_addrlen) == 0 && ::listen(s.fd(), 1) == 0) return;
    if (errno == EADDRINUSE) {
      throw Error(fmt::format("MASTER_PORT {} is in use on {} (another run? pick --master-port)", port, addr));
    }
  }
  // Not bindable for another reason (an address of a NAT, say): the store
  // listens on every interface anyway and reports its own error.
}

uint16_t pick_free_port(const std::string& addr) {
  AddrInfo info = resolve(addr, 0, SOCK_STREAM, true);
  for (addrinfo* a = info.get(); a; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
    if (s.fd() < 0 || ::bind(s.fd(), a->ai_addr, a->ai_addrlen) != 0) continue;
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) continue;
    const auto* any = reinterpret_cast<const sockaddr*>(&bound);
    if (any->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(any)->sin_port);
    if (any->sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(any)->sin6_port);
  }
  throw Error(fmt::format("no free port on MASTER_ADDR {} (pick --master-port)", addr));
}

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

std::string local_address_towards(const std::string& addr, uint16_t port) {
  AddrInfo info = resolve(addr, port, SOCK_DGRAM, false);
  for (addrinfo* a = info.get(); a; a = a->ai_next) {
    Socket s(::socket(a->ai_family, SOCK_DGRAM, 0));
    if (s.fd() < 0 || ::connect(s.fd(), a->ai_addr, a->ai_addrlen) != 0) continue;  // UDP: only routes
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&local), length, host, sizeof(host), nullptr, 0, NI_NUMERICHOST) == 0) {
      return host;
    }
  }
  throw Error(fmt::format("no route from this machine to MASTER_ADDR {}", addr));
}

}  // namespace vidpred::dist
