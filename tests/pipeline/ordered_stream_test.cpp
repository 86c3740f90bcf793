#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pipeline/core/error.h"
#include "pipeline/graph/ordered_stream.h"

using namespace vidpred;
using namespace std::chrono_literals;

namespace {

// An item that counts how many of its kind are alive.
struct Counted {
  int value = 0;
  std::shared_ptr<std::atomic<int>> alive;
  Counted(int v, std::shared_ptr<std::atomic<int>> a) : value(v), alive(std::move(a)) { ++*alive; }
  Counted(Counted&& o) noexcept : value(o.value), alive(std::move(o.alive)) {}
  Counted& operator=(Counted&&) = delete;
  ~Counted() {
    if (alive) --*alive;
  }
};

StreamStages<int, int> counting_stages(int count, std::function<void(int)> in_decode = nullptr) {
  auto next = std::make_shared<int>(0);
  StreamStages<int, int> s;
  s.plan = [next, count]() -> std::optional<int> {
    if (*next >= count) return std::nullopt;
    return (*next)++;
  };
  s.read = [](int&) {};
  s.decode = [in_decode](int&& v) {
    if (in_decode) in_decode(v);
    return v * 10;
  };
  return s;
}

}  // namespace

TEST_CASE("items arrive in plan order at any thread count") {
  for (int threads : {1, 4}) {
    auto stages = counting_stages(200, [](int v) {
      // Uneven work, so that later items often finish first.
      std::this_thread::sleep_for(std::chrono::microseconds((v * 7919) % 500));
    });
    OrderedStream<int, int> stream(stages, {8, threads}, CancelToken());
    std::vector<int> got;
    while (auto v = stream.next()) got.push_back(*v);
    REQUIRE(got.size() == 200);
    for (int i = 0; i < 200; ++i) CHECK(got[i] == i * 10);
  }
}

TEST_CASE("an empty plan ends at once") {
  OrderedStream<int, int> stream(counting_stages(0), {2, 2}, CancelToken());
  CHECK(!stream.next().has_value());
}

TEST_CASE("no more than prefetch items are alive with a slow consumer") {
  auto alive = std::make_shared<std::atomic<int>>(0);
  auto next = std::make_shared<int>(0);
  StreamStages<int, Counted> s;
  s.plan = [next]() -> std::optional<int> {
    if (*next >= 30) return std::nullopt;
    return (*next)++;
  };
  s.read = [](int&) {};
  s.decode = [alive](int&& v) { return Counted(v, alive); };
  const int prefetch = 3;
  OrderedStream<int, Counted> stream(s, {prefetch, 4}, CancelToken());
  int most = 0, received = 0;
  while (auto item = stream.next()) {
    CHECK(item->value == received++);
    std::this_thread::sleep_for(5ms);  // the graph has time to run ahead
    most = std::max({most, alive->load(), int(stream.in_flight())});
  }
  CHECK(received == 30);
  CHECK(most <= prefetch);
  CHECK(most >= 2);  // it did run ahead
}

TEST_CASE("an error in a node surfaces from next(), promptly and once") {
  auto stages = counting_stages(1000, [](int v) {
    if (v == 17) throw Error("sample 17 is damaged");
  });
  OrderedStream<int, int> stream(stages, {4, 2}, CancelToken());
  auto start = std::chrono::steady_clock::now();
  int received = 0;
  try {
    while (stream.next()) ++received;
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "sample 17 is damaged");
  }
  CHECK(received <= 17);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("errors in plan and read surface too") {
  auto plan_fails = counting_stages(10);
  plan_fails.plan = []() -> std::optional<int> { throw Error("cannot plan"); };
  OrderedStream<int, int> a(plan_fails, {2, 2}, CancelToken());
  CHECK_THROWS_WITH_AS(a.next(), "cannot plan", Error);

  auto read_fails = counting_stages(10);
  read_fails.read = [](int& v) {
    if (v == 3) throw Error("file removed");
  };
  OrderedStream<int, int> b(read_fails, {2, 2}, CancelToken());
  CHECK_THROWS_WITH_AS(([&] { while (b.next()) {} }()), "file removed", Error);
}

TEST_CASE("cancellation stops a blocked consumer promptly") {
  CancelToken cancel;
  auto stages = counting_stages(1000000, [](int) { std::this_thread::sleep_for(50ms); });
  OrderedStream<int, int> stream(stages, {2, 2}, cancel);
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(([&] { while (stream.next()) {} }()), Interrupted);
  canceller.join();
  // It polls every 100 ms; the bound leaves room for a loaded machine and
  // still tells a prompt stop from a wait for the million items.
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("destroying a stream mid-way does not hang") {
  auto start = std::chrono::steady_clock::now();
  {
    OrderedStream<int, int> stream(counting_stages(1000000), {4, 2}, CancelToken());
    for (int i = 0; i < 5; ++i) CHECK(stream.next().value() == i * 10);
  }
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}
