#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nn.h"
#include "test_util.h"

TEST_CASE("parallel_for visits every index exactly once") {
  const int saved = nn::get_num_threads();
  for (int threads : {1, 2, 3, 5}) {
    nn::set_num_threads(threads);
    CHECK(nn::get_num_threads() == threads);
    for (size_t n : {0, 1, 2, 7, 64, 1000, 4099}) {
      for (size_t grain : {1, 3, 64, 5000}) {
        std::vector<std::atomic<int>> visits(n);
        nn::parallel_for(n, grain, [&](size_t b, size_t e) {
          for (size_t i = b; i < e; ++i) visits[i]++;
        });
        for (size_t i = 0; i < n; ++i) REQUIRE(visits[i].load() == 1);
      }
    }
  }
  nn::set_num_threads(saved);
}

TEST_CASE("chunk boundaries do not depend on the thread count") {
  const int saved = nn::get_num_threads();
  std::vector<std::vector<int>> starts_by_threads;
  for (int threads : {1, 2, 4}) {
    nn::set_num_threads(threads);
    std::vector<int> starts(100, -1);
    nn::parallel_for(1000, 37, [&](size_t b, size_t) { starts[b / 37] = static_cast<int>(b); });
    starts_by_threads.push_back(starts);
  }
  CHECK(starts_by_threads[0] == starts_by_threads[1]);
  CHECK(starts_by_threads[0] == starts_by_threads[2]);
  nn::set_num_threads(saved);
}

TEST_CASE("worker ids are in range and exclusive") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(3);
  std::vector<std::atomic<int>> in_use(3);
  std::atomic<bool> clash{false}, out_of_range{false};
  nn::parallel_tasks(500, [&](size_t, int w) {
    if (w < 0 || w >= 3) {
      out_of_range = true;
      return;
    }
    if (in_use[w].fetch_add(1) != 0) clash = true;
    std::this_thread::yield();  // widen the window in which a clash would show
    in_use[w].fetch_sub(1);
  });
  CHECK_FALSE(out_of_range.load());
  CHECK_FALSE(clash.load());
  nn::set_num_threads(saved);
}

TEST_CASE("an exception in a task reaches the caller, and the pool still works") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(2);
  std::atomic<int> done{0};
  CHECK_THROWS_WITH_AS(nn::parallel_for(100, 1,
                                        [&](size_t b, size_t) {
                                          if (b == 42) throw std::runtime_error("task 42 failed");
                                          done++;
                                        }),
                       "task 42 failed", std::runtime_error);
  CHECK(done.load() == 99);  // the other tasks still ran
  std::atomic<int> sum{0};
  nn::parallel_for(10, 1, [&](size_t b, size_t) { sum += static_cast<int>(b); });
  CHECK(sum.load() == 45);
  nn::set_num_threads(saved);
}

TEST_CASE("nested parallel work runs inline instead of deadlocking") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(2);
  std::atomic<int> count{0};
  nn::parallel_for(8, 1, [&](size_t, size_t) { nn::parallel_for(8, 1, [&](size_t, size_t) { count++; }); });
  CHECK(count.load() == 64);
  nn::set_num_threads(saved);
}

TEST_CASE("set_num_threads rejects nonsense") {
  CHECK_THROWS_AS(nn::set_num_threads(0), nn::Error);
  CHECK_THROWS_AS(nn::set_num_threads(-3), nn::Error);
}

TEST_CASE("back-to-back jobs of different sizes: every task runs exactly once, in its own job") {
  // A worker that wakes up late for a finished job must not claim a task of the next one
  // (whose task list and count are being set up): that once ran a task twice and let the
  // caller return while a task of the new job was still running.
  const int saved = nn::get_num_threads();
  nn::set_num_threads(2);
  std::vector<std::atomic<int>> runs(64);
  bool ok = true;
  const int jobs = nn_test::quick() ? 20000 : 200000;
  for (int job = 0; job < jobs && ok; ++job) {
    const size_t count = 1 + static_cast<size_t>(job % 7 == 0 ? 63 : job % 5);  // 1..5, sometimes 64
    for (size_t i = 0; i < count; ++i) runs[i].store(0, std::memory_order_relaxed);
    nn::parallel_tasks(count, [&](size_t i, int) { runs[i].fetch_add(1, std::memory_order_relaxed); });
    for (size_t i = 0; i < count && ok; ++i) {
      const int r = runs[i].load(std::memory_order_relaxed);
      if (r != 1) {
        ok = false;
        INFO("job ", job, " of ", count, " tasks: task ", i, " ran ", r, " times");
        CHECK(r == 1);
      }
    }
  }
  nn::set_num_threads(saved);
  CHECK(ok);
}
