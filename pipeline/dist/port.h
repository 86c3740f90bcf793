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

// A port no socket on `addr` is bound to now, chosen by the kernel: the
// default for a launch on one machine (as torchrun --standalone), so two
// runs on one machine do not collide.
uint16_t pick_free_port(const std::string& addr);

// 127.0.0.0/8, ::1 or "localhost".
bool is_loopback(const std::string& addr);

// The local address the kernel would use to reach `addr` (no packet is sent).
std::string local_address_towards(const std::string& addr, uint16_t port);

}  // namespace vidpred::dist
