#pragma once
// The options of a data-parallel run, shared by `vidpred train` and
// `vidpred bench train`: how many local workers to launch (torchrun's
// --nproc-per-node, --nnodes, --node-rank, --master-addr, --master-port),
// and how the workers behave (--dist-timeout, bucketing).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "pipeline/distributed/env.h"
#include "pipeline/distributed/gradient_sync.h"
#include "pipeline/distributed/launcher.h"
#include "pipeline/distributed/port.h"

namespace vidpred::cli {

struct DistArgs {
  int nproc_per_node = 0;  // 0: no launch; this process is the run (or a torchrun worker)
  int nnodes = 1, node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;  // 0: a free one on a single machine, 29500 across machines
  double timeout_seconds = 300;
  double bucket_mb = 25;
  bool overlap = false;

  // This process launches workers (and is not one of them).
  bool launches() const { return nproc_per_node > 0 && !dist::launched_by_vidpred(); }

  dist::LaunchOptions launch() const {
    dist::LaunchOptions o;
    o.nproc_per_node = nproc_per_node;
    o.nnodes = nnodes;
    o.node_rank = node_rank;
    o.master_addr = master_addr;
    if (master_port != 0) {
      o.master_port = uint16_t(master_port);
    } else {
      // Every machine of a multi-machine run must agree without talking: a fixed port.
      o.master_port = nnodes == 1 ? dist::pick_free_port() : uint16_t(29500);
    }
    o.timeout = dist::parse_timeout(timeout_seconds);
    return o;
  }

  dist::SyncOptions sync() const {
    dist::SyncOptions o;
    o.bucket_bytes = int64_t(bucket_mb * (1 << 20));
    o.overlap = overlap;
    return o;
  }
};

inline void add_dist_options(CLI::App* cmd, DistArgs& d) {
  const char* group = "Data-parallel (c10d; workers also read RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)";
  cmd->add_option("--nproc-per-node", d.nproc_per_node, "Start N workers on this machine (torchrun style)")
      ->group(group)
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--nnodes", d.nnodes, "Machines in the run")->group(group)->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_option("--node-rank", d.node_rank, "This machine's number, 0..nnodes-1 (0 hosts rank 0)")
      ->group(group)
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--master-addr", d.master_addr, "Address of the machine of rank 0")->group(group)
      ->capture_default_str();
  cmd->add_option("--master-port", d.master_port,
                  "Port of the rendezvous store on that machine [default: a free one with --nnodes 1, else 29500]")
      ->group(group)
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--dist-timeout", d.timeout_seconds,
                  "Seconds before a lost or hung worker makes the others fail, naming it")
      ->group(group)
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bucket-mb", d.bucket_mb, "Gradient all-reduce bucket size in MiB")
      ->group(group)
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--overlap-backward", d.overlap, "All-reduce gradient buckets from autograd hooks during backward")
      ->group(group);
}

}  // namespace vidpred::cli
