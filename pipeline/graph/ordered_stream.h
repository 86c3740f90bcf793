#pragma once
// The flow-graph scaffolding every data stream uses:
//
//   input_node(plan) -> limiter_node(prefetch) -> read (serial)
//     -> decode (parallel) -> sequencer_node -> deliver (serial) -> consumer
//
// - bounded memory: at most `prefetch` items exist between the plan and the
//   consumer's release, whatever the consumer's speed (the limiter's decrement
//   is fed when the consumer takes the next item);
// - ordered delivery: the consumer gets items in plan order whatever the
//   number of threads;
// - errors: the first exception of any node stops the graph and is rethrown
//   by next(); cancellation (Ctrl-C) is noticed within 100 ms.
// It knows nothing of what flows: Plan and Item are the caller's types.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <tbb/flow_graph.h>
#include <tbb/task_arena.h>

#include "pipeline/core/arena.h"
#include "pipeline/core/cancel.h"
#include "pipeline/graph/node_timer.h"

namespace vidpred {

template <class Plan, class Item>
struct StreamStages {
  // Serial: the next plan, or nullopt at the end.
  std::function<std::optional<Plan>()> plan;
  // Serial (one at a time): work that must not run concurrently, such as HDF5 reads.
  std::function<void(Plan&)> read;
  // Parallel: turns a plan into the delivered item.
  std::function<Item(Plan&&)> decode;
};

struct StreamOptions {
  int prefetch = 4;  // items alive at once, the consumer's included
  int threads = 2;   // threads working on the graph
};

template <class Plan, class Item>
class OrderedStream {
 public:
  OrderedStream(StreamStages<Plan, Item> stages, StreamOptions options, CancelToken cancel)
      : stages_(std::move(stages)), options_(options), cancel_(std::move(cancel)),
        arena_(std::max(1, options.threads)) {
    options_.prefetch = std::max(1, options_.prefetch);
    arena_.execute([this] { build_graph(); });
    driver_ = std::thread([this] { drive(); });
  }

  ~OrderedStream() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    graph_->cancel();
    driver_cv_.notify_all();
    driver_.join();
    arena_.execute([this] {
      nodes_.reset();
      graph_.reset();
    });
  }

  OrderedStream(const OrderedStream&) = delete;
  OrderedStream& operator=(const OrderedStream&) = delete;

  // The next item in plan order; nullopt at the end. Rethrows a node's error;
  // throws Interrupted when cancelled.
  std::optional<Item> next() {
    bool release = false;
    {
      std::lock_guard lock(mutex_);
      if (handed_out_ > 0) {  // the consumer is done with the previous item
        --handed_out_;
        release = true;
      }
    }
    std::unique_lock lock(mutex_);
    if (release) {
      --in_flight_;
      ++releases_;
      driver_cv_.notify_one();
    }
    while (true) {
      if (error_) std::rethrow_exception(error_);
      cancel_.throw_if_cancelled();
      auto it = ready_.find(next_seq_);
      if (it != ready_.end()) {
        Item item = std::move(it->second);
        ready_.erase(it);
        ++next_seq_;
        ++handed_out_;
        return item;
      }
      if (planned_ && next_seq_ == *planned_) return std::nullopt;
      ready_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  // Items past the limiter and not yet released by the consumer (for tests
  // of the bound; the source may hold one more plan, which is no batch yet).
  int64_t in_flight() const { return in_flight_.load(); }
  const NodeTimes& node_times() const { return times_; }

 private:
  struct Message {
    uint64_t seq = 0;
    std::optional<Plan> plan;
    std::optional<Item> item;
  };
  using Msg = std::shared_ptr<Message>;

  struct Nodes {
    tbb::flow::input_node<Msg> source;
    tbb::flow::limiter_node<Msg> limiter;
    tbb::flow::function_node<Msg, Msg> read, decode;
    tbb::flow::sequencer_node<Msg> order;
    tbb::flow::function_node<Msg> deliver;
  };

  // The graph runs on the driver thread (the arena's master) and the arena's
  // workers. A flow graph goes idle whenever the limiter is full, and
  // wait_for_all() returns then; the driver sleeps until the consumer releases
  // an item, feeds the limiter's decrement inside the arena, and waits again.
  // The consumer's thread never runs graph work.
  void drive() {
    arena_.execute([this] {
      nodes_->source.activate();
      graph_->wait_for_all();
    });
    while (true) {
      int releases = 0;
      {
        std::unique_lock lock(mutex_);
        driver_cv_.wait(lock, [this] { return stopping_ || releases_ > 0; });
        if (stopping_) break;
        std::swap(releases, releases_);
      }
      arena_.execute([this, releases] {
        for (int i = 0; i < releases; ++i) nodes_->limiter.decrementer().try_put(tbb::flow::continue_msg());
        graph_->wait_for_all();
      });
    }
    arena_.execute([this] { graph_->wait_for_all(); });
  }

  void fail(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = error;
    }
    ready_cv_.notify_all();
    graph_->cancel();
  }

  bool should_stop() {
    std::lock_guard lock(mutex_);
    return stopping_ || error_ || cancel_.cancelled();
  }

  Msg plan_next(tbb::flow_control& fc) {
    if (should_stop()) {
      fc.stop();
      return nullptr;
    }
    try {
      auto timer = times_.time(NodeTimes::Node::plan);
      std::optional<Plan> plan = stages_.plan();
      if (!plan) {
        {
          std::lock_guard lock(mutex_);
          planned_ = seq_;
        }
        ready_cv_.notify_all();
        fc.stop();
        return nullptr;
      }
      auto msg = std::make_shared<Message>();
      msg->seq = seq_++;
      msg->plan = std::move(plan);
      return msg;
    } catch (...) {
      fail(std::current_exception());
      fc.stop();
      return nullptr;
    }
  }

  template <class Body>
  auto guarded(NodeTimes::Node node, Body body) {
    return [this, node, body](Msg msg) -> Msg {
      if (!msg->plan || should_stop()) return msg;
      try {
        auto timer = times_.time(node);
        body(*msg);
      } catch (...) {
        fail(std::current_exception());
      }
      return msg;
    };
  }

  void deliver(const Msg& msg) {
    if (!msg->item) return;  // skipped after an error or a stop
    {
      std::lock_guard lock(mutex_);
      ready_.emplace(msg->seq, std::move(*msg->item));
    }
    ready_cv_.notify_all();
  }

  // Built inside the arena, so that the graph's tasks run on its threads.
  void build_graph() {
    using namespace tbb::flow;
    graph_ = std::make_unique<graph>();
    graph& g = *graph_;
    nodes_.reset(new Nodes{
        input_node<Msg>(g, [this](tbb::flow_control& fc) { return plan_next(fc); }),
        limiter_node<Msg>(g, size_t(options_.prefetch)),
        function_node<Msg, Msg>(g, serial, guarded(NodeTimes::Node::read, [this](Message& m) {
                                  ++in_flight_;  // past the limiter: counts against prefetch
                                  stages_.read(*m.plan);
                                })),
        function_node<Msg, Msg>(g, size_t(arena_.threads()), guarded(NodeTimes::Node::decode, [this](Message& m) {
                                  m.item.emplace(stages_.decode(std::move(*m.plan)));
                                })),
        sequencer_node<Msg>(g, [](const Msg& m) { return size_t(m->seq); }),
        function_node<Msg>(g, serial, [this](Msg msg) { deliver(msg); })});
    make_edge(nodes_->source, nodes_->limiter);
    make_edge(nodes_->limiter, nodes_->read);
    make_edge(nodes_->read, nodes_->decode);
    make_edge(nodes_->decode, nodes_->order);
    make_edge(nodes_->order, nodes_->deliver);
  }

  StreamStages<Plan, Item> stages_;
  StreamOptions options_;
  CancelToken cancel_;
  NodeTimes times_;
  Arena arena_;
  std::unique_ptr<tbb::flow::graph> graph_;  // lives as long as the stream
  std::unique_ptr<Nodes> nodes_;
  uint64_t seq_ = 0;  // next plan's number; used by the source body only

  std::mutex mutex_;  // guards what the consumer and the graph share
  std::condition_variable ready_cv_;
  std::condition_variable driver_cv_;
  int releases_ = 0;  // items the consumer released, not yet fed to the limiter
  std::map<uint64_t, Item> ready_;
  uint64_t next_seq_ = 0;
  int handed_out_ = 0;
  std::optional<uint64_t> planned_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::atomic<int64_t> in_flight_{0};

  std::thread driver_;
};

}  // namespace vidpred
