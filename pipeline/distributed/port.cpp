#include "pipeline/distributed/port.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>
#include <utility>
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

// 0 when a listening socket could take `address` now, else errno (-1 when
// this machine makes no socket of its family). As the store itself does, a
// port in TIME_WAIT from an earlier run counts as free (SO_REUSEADDR).
int try_listen(const sockaddr* address, socklen_t length) {
  Socket s(::socket(address->sa_family, SOCK_STREAM, 0));
  if (s.fd() < 0) return -1;
  int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(s.fd(), address, length) != 0 || ::listen(s.fd(), 1) != 0) return errno;
  return 0;
}

}  // namespace

void ensure_port_free(const std::string& addr, uint16_t port) {
  AddrInfo info = resolve(addr, port, SOCK_STREAM, true);
  for (addrinfo* a = info.get(); a; a = a->ai_next) {
    const int error = try_listen(a->ai_addr, a->ai_addrlen);
    if (error == 0) return;
    if (error == EADDRINUSE) {
      throw Error(fmt::format("MASTER_PORT {} is in use on {} (another run? pick --master-port)", port, addr));
    }
  }
  // Not bindable for another reason (an address of a NAT, say): the store
  // listens on every interface anyway and reports its own error.
}

namespace {

// Whether a listening socket could bind `port` on every address of this
// machine (IPv4 and, where there is IPv6, IPv6), as the store binds.
bool bindable_everywhere(uint16_t port) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_addr.s_addr = htonl(INADDR_ANY);
  v4.sin_port = htons(port);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_any;
  v6.sin6_port = htons(port);
  const std::pair<const sockaddr*, socklen_t> addresses[] = {{reinterpret_cast<const sockaddr*>(&v4), sizeof(v4)},
                                                             {reinterpret_cast<const sockaddr*>(&v6), sizeof(v6)}};
  for (const auto& [address, length] : addresses) {
    if (try_listen(address, length) > 0) return false;  // -1: no IPv6 here
  }
  return true;
}

}  // namespace

uint16_t pick_free_port() {
  // Below the kernel's ephemeral range (32768 and up by default), where the
  // connecting sockets of other programs (and of this run's own workers, while
  // its store is still starting) take their ports from.
  int ephemeral_low = 32768;
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) {
    int low = 0;
    if (range >> low && low > 11000 && low <= 65535) ephemeral_low = low;
  }
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(10000, ephemeral_low - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = uint16_t(pick(rng));
    if (bindable_everywhere(port)) return port;
  }
  throw Error("found no free port for the rendezvous store (pick one with --master-port)");
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
