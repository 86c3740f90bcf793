#pragma once
// Sockets the process group needs before c10d takes over: a clear message
// when MASTER_PORT is taken, and the local address that reaches rank 0 (the
// one Gloo's connections bind to).
#include <cstdint>
#include <string>

namespace vidpred::dist {

// Throws vidpred::Error "MASTER_PORT P is in use on ADDR (another run? pick
// --master-port)" when a listening socket cannot bind ADDR:PORT.
void ensure_port_free(const std::string& addr, uint16_t port);

// A port that no socket of this machine holds now, below the ephemeral range:
// the default for a launch on one machine, so that two runs side by side do
// not collide.
uint16_t pick_free_port();

// 127.0.0.0/8, ::1 or "localhost".
bool is_loopback(const std::string& addr);

// The local address the kernel would use to reach `addr` (no packet is sent).
std::string local_address_towards(const std::string& addr, uint16_t port);

}  // namespace vidpred::dist
