#include "pipeline/distributed/env.h"

#include <cerrno>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred::dist {

namespace {

const char* get(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

int64_t integer(const char* name, const char* text, int64_t min, int64_t max) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
    throw Error(fmt::format("{}='{}' is not an integer in [{}, {}] (is the launcher's environment right?)", name,
                            text, min, max));
  }
  return value;
}

int64_t required(const char* name, int64_t min, int64_t max) {
  const char* text = get(name);
  if (!text) throw Error(fmt::format("WORLD_SIZE is set but {} is not (launch with torchrun's variables)", name));
  return integer(name, text, min, max);
}

}  // namespace

std::optional<WorkerEnv> worker_env() {
  const char* world_text = get("WORLD_SIZE");
  if (!world_text) return std::nullopt;
  WorkerEnv env;
  env.world_size = int(integer("WORLD_SIZE", world_text, 1, 1 << 20));
  // A lone torchrun worker is a plain single process; `--nproc-per-node 1`
  // asked for a process group and gets one (of one rank), which is what the
  // group's overhead is measured against.
  if (env.world_size == 1 && !launched_by_vidpred()) return std::nullopt;
  env.rank = int(required("RANK", 0, env.world_size - 1));
  // LOCAL_RANK / LOCAL_WORLD_SIZE only choose threads and the GPU: optional.
  env.local_world_size = get("LOCAL_WORLD_SIZE")
                             ? int(integer("LOCAL_WORLD_SIZE", get("LOCAL_WORLD_SIZE"), 1, env.world_size))
                             : 1;
  env.local_rank = get("LOCAL_RANK") ? int(integer("LOCAL_RANK", get("LOCAL_RANK"), 0, env.world_size - 1)) : 0;
  if (get("LOCAL_WORLD_SIZE") && env.local_rank >= env.local_world_size) {
    throw Error(fmt::format("LOCAL_RANK={} is not below LOCAL_WORLD_SIZE={}", env.local_rank, env.local_world_size));
  }
  const char* addr = get("MASTER_ADDR");
  if (!addr) throw Error("WORLD_SIZE is set but MASTER_ADDR is not (the address of rank 0's machine)");
  env.master_addr = addr;
  env.master_port = uint16_t(required("MASTER_PORT", 1, 65535));
  env.launched_by_vidpred = launched_by_vidpred();
  if (const char* id = get(kRunIdVar)) env.run_id = id;
  return env;
}

bool launched_by_vidpred() { return get(kLaunchedVar) != nullptr; }

int threads_per_worker(int local_world_size) {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, local_world_size));
}

std::chrono::milliseconds parse_timeout(double seconds) {
  if (!(seconds > 0) || seconds > 7 * 24 * 3600) {
    throw Error(fmt::format("--dist-timeout {} is not a number of seconds in (0, 604800]", seconds));
  }
  return std::chrono::milliseconds(int64_t(seconds * 1000));
}

}  // namespace vidpred::dist
