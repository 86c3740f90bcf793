// Joining a process group in this process: the store and the backend on
// LibTorch 1.13 and 2.x alike (2.4+ asks for libuv by default, which Debian's
// LibTorch lacks), each way of failing named as what it is, and the device a
// worker's collectives run on.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "pipeline/core/error.h"
#include "pipeline/distributed/process_group.h"
#include "tests/distributed/dist_support.h"

using namespace vidpred;
using std::chrono::milliseconds;

namespace {

dist::WorkerEnv loopback(int rank, int world, uint16_t port) {
  dist::WorkerEnv env;
  env.rank = rank;
  env.world_size = world;
  env.local_rank = rank;
  env.local_world_size = world;
  env.master_addr = "127.0.0.1";
  env.master_port = port;
  return env;
}

dist::GroupOptions cpu_options(milliseconds timeout) {
  dist::GroupOptions o;
  o.timeout = timeout;
  return o;
}

}  // namespace

TEST_CASE("a worker's device: its own GPU in a CUDA run, the CPU otherwise") {
  const dist::WorkerEnv third = loopback(3, 4, 1);
  CHECK(dist::worker_device(c10::Device(c10::kCUDA), third, 2) == c10::Device(c10::kCUDA, 1));
  CHECK(dist::worker_device(c10::Device(c10::kCUDA), third, 8) == c10::Device(c10::kCUDA, 3));
  CHECK(dist::worker_device(c10::Device(c10::kCUDA), third, 0) == c10::Device(c10::kCUDA, 0));
  CHECK(dist::worker_device(c10::Device(c10::kCPU), third, 8) == c10::Device(c10::kCPU));

  // The options every joining run uses (training and the benchmarks) carry it.
  const auto cuda = dist::worker_group_options(loopback(0, 2, 1), c10::Device(c10::kCUDA), milliseconds(5000));
  CHECK(cuda.cuda);
  CHECK(cuda.device.is_cuda());
  CHECK(cuda.timeout == milliseconds(5000));
  const auto cpu = dist::worker_group_options(third, c10::Device(c10::kCPU), milliseconds(5000));
  CHECK(!cpu.cuda);
  CHECK(cpu.device == c10::Device(c10::kCPU));
}

TEST_CASE("a 1-rank group on loopback starts its store and sums" * doctest::skip(!test::kCpuGroups)) {
  // On LibTorch >= 2.4 without libuv this failed with "use_libuv was requested
  // but PyTorch was build without libuv support".
  dist::ProcessGroup group(loopback(0, 1, test::free_port()), cpu_options(milliseconds(20000)));
  CHECK(group.size() == 1);
  CHECK(group.backend() == "gloo");
  CHECK(group.device() == c10::Device(c10::kCPU));
  at::Tensor t = at::full({3}, 2.0);
  group.all_sum(t);
  CHECK(t.sum().item<double>() == 6.0);
  group.barrier();
}

TEST_CASE("each way of failing to join is named as what it is" * doctest::skip(!test::kCpuGroups)) {
  const uint16_t port = test::free_port();
  SUBCASE("a client with no store to reach") {
    try {
      dist::ProcessGroup group(loopback(1, 2, port), cpu_options(milliseconds(1500)));
      FAIL("joined without a store");
    } catch (const Error& e) {
      const std::string what = e.what();
      CHECK(what.find(fmt::format("rank 1 cannot reach the rendezvous store at 127.0.0.1:{}", port)) !=
            std::string::npos);
      CHECK(what.find("libuv") == std::string::npos);
    }
  }
  SUBCASE("a port another group holds") {
    dist::ProcessGroup first(loopback(0, 1, port), cpu_options(milliseconds(20000)));
    const std::string taken = fmt::format("MASTER_PORT {} is in use on 127.0.0.1", port);
    CHECK_THROWS_WITH_AS(dist::ProcessGroup(loopback(0, 1, port), cpu_options(milliseconds(20000))),
                         doctest::Contains(taken.c_str()), Error);
  }
  SUBCASE("a rank that never comes") {
    CHECK_THROWS_WITH_AS(dist::ProcessGroup(loopback(0, 2, port), cpu_options(milliseconds(1500))),
                         doctest::Contains("rank(s) 1 of 2 did not join"), Error);
  }
}
