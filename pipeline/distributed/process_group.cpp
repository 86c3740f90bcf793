#include "pipeline/distributed/process_group.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <exception>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "pipeline/core/error.h"
#include "pipeline/core/stopwatch.h"
#include "pipeline/distributed/liveness.h"
#include "pipeline/distributed/port.h"

#if defined(VIDPRED_HAVE_GLOO) || defined(VIDPRED_HAVE_NCCL)
#define VIDPRED_HAVE_C10D 1
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef VIDPRED_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef VIDPRED_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace vidpred::dist {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
}  // namespace

void Pending::wait() {
  if (wait_) {
    auto wait = std::move(wait_);
    wait_ = nullptr;
    wait();
  }
}

c10::Device worker_device(c10::Device run_device, const WorkerEnv& env, int64_t gpus) {
  if (!run_device.is_cuda()) return run_device;
  return c10::Device(c10::kCUDA, c10::DeviceIndex(env.local_rank % std::max<int64_t>(1, gpus)));
}

GroupOptions worker_group_options(const WorkerEnv& env, c10::Device run_device, std::chrono::milliseconds timeout) {
  GroupOptions options;
  options.timeout = timeout;
  options.cuda = run_device.is_cuda();
  options.device = worker_device(run_device, env, options.cuda ? int64_t(torch::cuda::device_count()) : 1);
  return options;
}

std::unique_ptr<ProcessGroup> join_worker_group(c10::Device run_device, std::chrono::milliseconds timeout) {
  std::optional<WorkerEnv> env = worker_env();
  if (!env) return nullptr;
  return std::make_unique<ProcessGroup>(*env, worker_group_options(*env, run_device, timeout));
}

bool backend_available(bool cuda) {
#if defined(VIDPRED_HAVE_NCCL)
  if (cuda) return true;
#endif
#if defined(VIDPRED_HAVE_GLOO)
  return true;  // Gloo takes CUDA tensors too (through host copies)
#else
  return false;
#endif
}

std::string backends_built() {
  std::string out;
#ifdef VIDPRED_HAVE_GLOO
  out += "gloo";
#endif
#ifdef VIDPRED_HAVE_NCCL
  out += out.empty() ? "nccl" : ", nccl";
#endif
  return out.empty() ? "none" : out;
}

#ifndef VIDPRED_HAVE_C10D

// A build without c10d: the class exists, joining says why it cannot.
struct ProcessGroup::Impl {
  WorkerEnv env;
  GroupOptions options;
  CollectiveTimes times;
};

ProcessGroup::ProcessGroup(const WorkerEnv& env, const GroupOptions&) {
  throw Error(fmt::format("WORLD_SIZE={} asks for {} processes, but this build has no distributed backend (LibTorch's "
                          "c10d with Gloo or NCCL was not found when it was built)",
                          env.world_size, env.world_size));
}
ProcessGroup::~ProcessGroup() = default;
int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::size() const { return impl_->env.world_size; }
const WorkerEnv& ProcessGroup::env() const { return impl_->env; }
std::string ProcessGroup::backend() const { return "none"; }
c10::Device ProcessGroup::device() const { return impl_->options.device; }
void ProcessGroup::all_sum(at::Tensor&) {}
Pending ProcessGroup::all_sum_async(at::Tensor) { return {}; }
void ProcessGroup::broadcast(at::Tensor&, int) {}
void ProcessGroup::barrier() {}
void ProcessGroup::report_failure(const std::string&) noexcept {}
const CollectiveTimes& ProcessGroup::times() const { return impl_->times; }

#else

namespace {

// LibTorch 2 split backends (Gloo, NCCL) from the ProcessGroup front; in 1.13
// the backends were ProcessGroups themselves.
#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#else
using Backend = c10d::ProcessGroup;
#endif

constexpr const char* kPrefix = "vidpred";

class StoreKeyValue : public KeyValue {
 public:
  explicit StoreKeyValue(c10::intrusive_ptr<c10d::Store> store) : store_(std::move(store)) {}
  void set(const std::string& key, const std::string& value) override {
    store_->set(key, std::vector<uint8_t>(value.begin(), value.end()));
  }
  std::optional<std::string> get(const std::string& key) override {
    if (!store_->check({key})) return std::nullopt;
    auto bytes = store_->get(key);
    return std::string(bytes.begin(), bytes.end());
  }
  int64_t add(const std::string& key, int64_t delta) override { return store_->add(key, delta); }

 private:
  c10::intrusive_ptr<c10d::Store> store_;
};

// Under torchrun the agent already hosts a store at MASTER_ADDR:MASTER_PORT
// and tells its workers so; every rank is then a client of it.
bool agent_hosts_store() {
  const char* v = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
  return v && std::string(v) == "True";
}

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return text.find(w) != std::string::npos; });
}

// LibTorch 2.4 and later ask for the libuv store by default, and a LibTorch
// built without libuv (Debian's) then refuses every store, server or client.
// libuv is taken where the LibTorch in use has it, and the classic store
// otherwise: both speak the same protocol.
c10::intrusive_ptr<c10d::TCPStore> make_tcp_store(const std::string& host, c10d::TCPStoreOptions o) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2)
  o.useLibUV = true;
  try {
    return c10::make_intrusive<c10d::TCPStore>(host, o);
  } catch (const std::exception& e) {
    if (!mentions(e.what(), {"libuv"})) throw;
  }
  o.useLibUV = false;
#endif
  return c10::make_intrusive<c10d::TCPStore>(host, o);
}

c10::intrusive_ptr<c10d::Store> open_store(const WorkerEnv& env, bool server, milliseconds timeout) {
  if (server) ensure_port_free(env.master_addr, env.master_port);
  c10d::TCPStoreOptions o;
  o.port = env.master_port;
  o.isServer = server;
  o.numWorkers = size_t(env.world_size);
  o.waitWorkers = false;  // our own join below names the ranks that are missing
  o.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = make_tcp_store(env.master_addr, o);
  } catch (const std::exception& e) {
    const std::string what = first_line(e.what());
    if (server && mentions(what, {"in use", "failed to listen", "bind"})) {
      throw Error(fmt::format("MASTER_PORT {} is in use on {} (another run? pick --master-port)", env.master_port,
                              env.master_addr));
    }
    if (server) {
      throw Error(fmt::format("rank {} cannot start the rendezvous store on {}:{}: {}", env.rank, env.master_addr,
                              env.master_port, what));
    }
    if (mentions(what, {"timed out", "refused", "connect", "Connection", "resolve"})) {
      throw Error(fmt::format("rank {} cannot reach the rendezvous store at {}:{} within {:.0f} s: {} (is rank 0 "
                              "running, with the same MASTER_ADDR and MASTER_PORT?)",
                              env.rank, env.master_addr, env.master_port, timeout.count() / 1000.0, what));
    }
    throw Error(fmt::format("rank {} cannot open a client of the rendezvous store at {}:{}: {}", env.rank,
                            env.master_addr, env.master_port, what));
  }
  return c10::make_intrusive<c10d::PrefixStore>(kPrefix, store);
}

// A client of the store for liveness: its own connection and a short timeout.
// Opened once, when the run starts, and never after a failure: a connection
// opened while rank 0 is dying lands in its listening socket's queue and is
// reset when the socket closes, and LibTorch 1.13's store client has a thread
// that aborts the process on such a reset.
std::shared_ptr<KeyValue> connect_store(const WorkerEnv& env, milliseconds timeout) {
  return std::make_shared<StoreKeyValue>(open_store(env, false, timeout));
}

#ifdef VIDPRED_HAVE_GLOO
std::shared_ptr<::gloo::transport::Device> gloo_device(const WorkerEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  // Loopback runs stay on 127.0.0.1; otherwise the address that reaches rank 0.
  if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDeviceForHostname(local_address_towards(env.master_addr, env.master_port));
}
#endif

}  // namespace

struct ProcessGroup::Impl {
  WorkerEnv env;
  GroupOptions options;
  std::string address;
  milliseconds period{500};
  c10::intrusive_ptr<c10d::Store> store;
  std::shared_ptr<KeyValue> liveness;  // heartbeats, diagnosis, leaving
  c10::intrusive_ptr<Backend> backend;
  std::string backend_name;
  std::unique_ptr<Heartbeat> heartbeat;
  std::atomic<uint64_t> issued{0};
  std::atomic<bool> broken{false};
  bool failing = false;
  std::vector<int> lost;
  CollectiveTimes times;

  milliseconds diagnosis_budget() const { return 3 * period + milliseconds(2500); }

  // Every rank announces itself and waits for all the others, so that a
  // missing rank is named instead of surfacing as a Gloo timeout.
  void rendezvous() {
    StoreKeyValue kv(store);
    if (!env.run_id.empty()) {
      if (env.rank == 0) {
        kv.set("run_id", env.run_id);
      } else {
        try {
          store->wait({"run_id"}, options.timeout);
        } catch (const std::exception&) {
          throw Error(fmt::format("rendezvous at {} timed out after {:.0f} s: rank 0 did not join", address,
                                  options.timeout.count() / 1000.0));
        }
        if (kv.get("run_id") != env.run_id) {
          throw Error(fmt::format("the rendezvous store at {} belongs to another run (MASTER_PORT {} in use by another "
                                  "run? pick --master-port)",
                                  address, env.master_port));
        }
      }
    }
    kv.set(fmt::format("joined/{}", env.rank), "1");
    std::vector<std::string> keys;
    for (int r = 0; r < env.world_size; ++r) keys.push_back(fmt::format("joined/{}", r));
    try {
      store->wait(keys, options.timeout);
    } catch (const std::exception&) {
      std::vector<std::string> missing;
      for (int r = 0; r < env.world_size; ++r) {
        if (!store->check({keys[size_t(r)]})) missing.push_back(std::to_string(r));
      }
      throw Error(fmt::format("rendezvous at {} timed out after {:.0f} s: rank(s) {} of {} did not join", address,
                              options.timeout.count() / 1000.0, fmt::join(missing, ", "), env.world_size));
    }
  }

  void create_backend() {
#ifdef VIDPRED_HAVE_NCCL
    if (options.cuda) {
      // Blocking waits: a timed-out collective throws here (and is diagnosed)
      // instead of NCCL's watchdog aborting the process.
      ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
      ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = options.timeout;
      backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, o);
      backend_name = "nccl";
      return;
    }
#endif
#ifdef VIDPRED_HAVE_GLOO
    auto o = c10d::ProcessGroupGloo::Options::create(options.timeout);
    o->devices.push_back(gloo_device(env));
    o->threads = 2;
    backend = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, o);
    backend_name = "gloo";
#else
    throw Error("run.device is CPU but this build has only NCCL (Gloo was not found when it was built)");
#endif
  }

  // Starts collective number n (returned beside its work).
  std::pair<c10::intrusive_ptr<c10d::Work>, uint64_t> start(
      const char* what, const std::function<c10::intrusive_ptr<c10d::Work>()>& launch) {
    if (broken) throw Error(fmt::format("rank {}: the process group is broken by an earlier failure", env.rank));
    const uint64_t n = ++issued;
    if (heartbeat) heartbeat->set_progress(n);
    try {
      return {launch(), n};
    } catch (const std::exception& e) {
      fail(what, n, e);
    }
  }

  void finish(const c10::intrusive_ptr<c10d::Work>& work, const char* what, uint64_t n) {
    const Stopwatch watch;
    try {
      work->wait();
    } catch (const std::exception& e) {
      fail(what, n, e);
    }
    times.seconds += watch.seconds();
    ++times.count;
  }

  [[noreturn]] void fail(const char* what, uint64_t n, const std::exception& e) {
    broken = true;
    failing = true;
    // The diagnosis may outlive this object (it is abandoned after its
    // budget), so it shares the client and copies the rest.
    Diagnosis d = diagnose(liveness, env.rank, env.world_size, n, period, diagnosis_budget(), address);
    lost = d.lost;
    throw Error(fmt::format("rank {}: {} ({} #{} failed: {})", env.rank, d.message, what, n, first_line(e.what())));
  }

  // Rank 0 hosts the store: after a failure it keeps it up until the other
  // live ranks have read what they need (or a short deadline).
  // Other ranks say when they are done with it, through the short-timeout
  // liveness client (the store's host may be stopped).
  void linger() {
    if (!failing || std::find(lost.begin(), lost.end(), 0) != lost.end()) return;
    try {
      liveness->add(kLeftKey, 1);
      if (env.rank != 0) return;
      const int64_t expected = env.world_size - int64_t(lost.size());
      const auto deadline = Clock::now() + diagnosis_budget();
      while (liveness->add(kLeftKey, 0) < expected && Clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(50));
      }
    } catch (const std::exception&) {
      // the store is gone already
    }
  }
};

ProcessGroup::ProcessGroup(const WorkerEnv& env, const GroupOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& g = *impl_;
  g.env = env;
  g.options = options;
  g.address = fmt::format("{}:{}", env.master_addr, env.master_port);
  // Beats often enough that a lost rank is seen within a small part of the timeout.
  g.period = std::clamp(milliseconds(options.timeout.count() / 20), milliseconds(100), milliseconds(1000));
  g.store = open_store(env, env.rank == 0 && !agent_hosts_store(), options.timeout);
  g.rendezvous();
  // Liveness has its own connection with a short timeout, so that a stopped
  // store host cannot hold the heartbeat or the diagnosis (or this process's
  // exit) for long.
  g.liveness = connect_store(env, g.period * 4 + milliseconds(1000));
  g.heartbeat = std::make_unique<Heartbeat>(g.liveness, env.rank, g.period);
  try {
    g.create_backend();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("rank {}: creating the {} process group at {} failed: {}", env.rank,
                            options.cuda ? "NCCL" : "Gloo", g.address, first_line(e.what())));
  }
}

ProcessGroup::~ProcessGroup() {
  Impl& g = *impl_;
  if (std::uncaught_exceptions() > 0) g.failing = true;
  if (g.broken) {
    // Its threads may sit in a collective that will never complete: leave it.
    (void)g.backend.release();
    if (g.heartbeat) g.heartbeat->abandon();
  }
  g.heartbeat.reset();
  // Destroying the backend closes its connections: ranks waiting on this one
  // fail at once instead of at the timeout.
  g.backend.reset();
  g.linger();
}

int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::size() const { return impl_->env.world_size; }
const WorkerEnv& ProcessGroup::env() const { return impl_->env; }
std::string ProcessGroup::backend() const { return impl_->backend_name; }
c10::Device ProcessGroup::device() const { return impl_->options.device; }
const CollectiveTimes& ProcessGroup::times() const { return impl_->times; }

void ProcessGroup::all_sum(at::Tensor& tensor) { all_sum_async(tensor).wait(); }

Pending ProcessGroup::all_sum_async(at::Tensor tensor) {
  Impl& g = *impl_;
  auto [work, n] = g.start("all-reduce", [&] {
    std::vector<at::Tensor> tensors{tensor};
    return g.backend->allreduce(tensors, c10d::AllreduceOptions());
  });
  return Pending([&g, work = work, n = n] { g.finish(work, "all-reduce", n); });
}

void ProcessGroup::broadcast(at::Tensor& tensor, int root) {
  Impl& g = *impl_;
  auto [work, n] = g.start("broadcast", [&] {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    return g.backend->broadcast(tensors, o);
  });
  g.finish(work, "broadcast", n);
}

void ProcessGroup::barrier() {
  // An all-reduce of one number: a barrier that every backend runs the same way.
  at::Tensor one = at::ones({1}, at::TensorOptions().device(impl_->options.device));
  all_sum(one);
}

void ProcessGroup::report_failure(const std::string& message) noexcept {
  Impl& g = *impl_;
  g.failing = true;
  if (g.broken) return;  // a victim, not the cause: the diagnosis named the cause
  try {
    StoreKeyValue(g.store).set(failure_key(g.env.rank), first_line(message));
  } catch (const std::exception&) {
  }
}

#endif

}  // namespace vidpred::dist
