#pragma once
// The torchrun launch convention: a worker learns its place from RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT, so
// the same binary runs under torchrun-style launchers, SLURM wrappers, by hand
// on several machines, or under `vidpred train --nproc-per-node`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vidpred::dist {

struct WorkerEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
  bool launched_by_vidpred = false;  // VIDPRED_LAUNCHED: a child of `--nproc-per-node`
  std::string run_id;                // VIDPRED_RUN_ID: the launcher's token, checked at rendezvous
};

// The worker's place, or nullopt when WORLD_SIZE is unset, or 1 in a process
// that `--nproc-per-node` did not start (a single process: no process group
// at all). Malformed or inconsistent values are a vidpred::Error naming the
// variable.
std::optional<WorkerEnv> worker_env();

// True in a process that `vidpred ... --nproc-per-node` started.
bool launched_by_vidpred();

// Torch threads for a worker: max(1, cores / local processes).
int threads_per_worker(int local_world_size);

// The variables' names, for the launcher and the messages.
inline constexpr const char* kLaunchedVar = "VIDPRED_LAUNCHED";
inline constexpr const char* kRunIdVar = "VIDPRED_RUN_ID";

// Parses a timeout in seconds ("30", "2.5"); > 0.
std::chrono::milliseconds parse_timeout(double seconds);

}  // namespace vidpred::dist
