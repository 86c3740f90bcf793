#pragma once
// `--nproc-per-node N`: runs N copies of this very command line as workers of
// a data-parallel run, each with torchrun's variables (RANK, WORLD_SIZE,
// LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) set, forwards their
// output line by line with a "[rank k] " prefix, and fails when any worker
// fails, naming it. Workers still running `timeout` after a failure (they
// normally notice it themselves at once) are terminated.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "pipeline/core/cancel.h"

namespace vidpred::dist {

struct LaunchOptions {
  int nproc_per_node = 1;
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  // Called with every complete line a worker writes to stdout, for callers
  // that read the workers' results; a line it returns true for is theirs and
  // is not forwarded.
  std::function<bool(int rank, const std::string& line)> on_line;
};

// Returns when every worker of this node has exited successfully; otherwise
// throws vidpred::Error naming the first worker that failed (or Interrupted).
void launch_workers(const LaunchOptions& options, const CancelToken& cancel);

}  // namespace vidpred::dist
