#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
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

// Regression test: the pool used to read a job's task count from a variable that the
// caller rewrote for the next job just before publishing it, so a worker still finishing
// the previous job could run a task of a job that had ended or not begun yet: a call of a
// destroyed std::function (a crash) or an index visited twice. Many tiny back-to-back
// jobs of different sizes, with more threads than cores so workers get descheduled at
// every point, crashed the old pool within ~100,000 jobs.
TEST_CASE("back-to-back tiny jobs: every task of every job runs exactly once, on its own job") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(3);
  const int jobs = nn_test::quick() ? 20000 : 200000;  // ~0.3 s in the optimised build
  long wrong = 0;
  for (int job = 0; job < jobs && wrong == 0; ++job) {
    const size_t count = job % 7 == 0 ? 64 : 2 + static_cast<size_t>(job % 5) * 3;  // 2..14, sometimes 64
    std::vector<std::atomic<int>> visits(count);
    std::atomic<int> out_of_range{0};
    nn::parallel_tasks(count, [&](size_t i, int) {
      volatile int busy = 0;  // tasks of different lengths: workers finish at different times
      for (size_t k = 0; k < i * 20; ++k) busy = busy + 1;
      if (i < count)
        visits[i]++;
      else
        out_of_range++;
    });
    wrong += out_of_range.load();
    for (size_t i = 0; i < count; ++i) wrong += visits[i].load() != 1;
  }
  CHECK(wrong == 0);
  nn::set_num_threads(saved);
}

TEST_CASE("set_num_threads rejects nonsense") {
  CHECK_THROWS_AS(nn::set_num_threads(0), nn::Error);
  CHECK_THROWS_AS(nn::set_num_threads(-3), nn::Error);
}

TEST_CASE("pool timing counts the jobs split over threads, and nothing when off") {
  const int saved = nn::get_num_threads();
  nn::set_num_threads(2);
  std::vector<double> out(1 << 16);
  auto job = [&] {
    nn::parallel_for(out.size(), 1024, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) out[i] = std::sqrt(static_cast<double>(i));
    });
  };
  nn::set_pool_timing(false);
  job();
  CHECK(nn::pool_times().jobs == 0);
  nn::set_pool_timing(true);
  for (int i = 0; i < 5; ++i) job();
  nn::parallel_tasks(1, [](size_t, int) {});  // one task: runs serially, not a pool job
  const nn::PoolTimes t = nn::pool_times();
  CHECK(t.jobs == 5);
  CHECK(t.jobs_alone <= t.jobs);
  CHECK(t.wait_seconds >= 0);
  CHECK(t.wake_seconds >= 0);
  CHECK((t.jobs_alone == t.jobs || t.wake_seconds > 0));  // a thread that joined started after publishing
  CHECK((t.jobs_alone == t.jobs || t.others_busy_seconds > 0));  // ... and then worked
  CHECK(t.others_busy_seconds >= 0);
  nn::set_pool_timing(false);
  CHECK(nn::pool_times().jobs == 0);  // switching resets the sums
  nn::set_num_threads(saved);
}
