#include "kernels/thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tensor/error.h"

namespace nn {
namespace {

thread_local bool t_inside_task = false;
thread_local int t_worker = 0;  // the worker id of the task this thread is running

int default_thread_count() {
  if (const char* env = std::getenv("NN_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

// Short pause inside spin loops: tells the CPU we are waiting (saves power, frees the
// sibling hyper-thread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How a job runs: the caller publishes it by storing (generation << 32 | 0) in `claim_`,
// then every thread — the caller included — claims task indices one at a time with a
// compare-and-swap on that word. A claim succeeds only while the generation still
// matches, so a worker that wakes up late can never touch a finished job. The caller
// waits until every task has *completed*, not until every worker has checked in: on a
// busy machine, a worker the OS has not scheduled yet simply gets no tasks, instead of
// stalling the whole job.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int w = 1; w < threads; ++w) workers_.emplace_back([this, w] { worker_loop(w); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void run(size_t count, const std::function<void(size_t, int)>& task) {
    std::lock_guard<std::mutex> submit(submit_mutex_);  // one job at a time
    // Close the finished job first: a late worker may still hold that job's claim word
    // (generation, next index) and the old count. Were the new count stored while the old
    // word still stood, such a worker could pass its index check against the new count and
    // win the compare-and-swap on the old word: it would run a task of the new job that
    // someone else runs too, and its completion would let this caller return early. With
    // the index set past any count, every claim on the old generation fails.
    claim_.store((generation_counter_ << 32) | 0xffffffffu, std::memory_order_relaxed);
    const uint64_t generation = ++generation_counter_;
    task_.store(&task, std::memory_order_relaxed);
    count_.store(count, std::memory_order_release);  // seen with the new count => claim_ closed
    error_ = nullptr;
    completed_.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      claim_.store(generation << 32, std::memory_order_release);  // publishes task_ and count_
    }
    wake_.notify_all();
    work(0, generation);  // the calling thread is worker 0
    // Wait for tasks other threads claimed: a brief spin first (a task is often ~50 µs and
    // a sleep/wake costs tens of µs), then sleep.
    for (int spin = 0; spin < 4000 && completed_.load(std::memory_order_acquire) < count; ++spin) cpu_relax();
    if (completed_.load(std::memory_order_acquire) < count) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return completed_.load(std::memory_order_acquire) >= count; });
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Claims and runs tasks of job `generation` until none are left.
  void work(int worker, uint64_t generation) {
    t_inside_task = true;
    t_worker = worker;
    for (;;) {
      uint64_t current = claim_.load(std::memory_order_acquire);
      const size_t count = count_.load(std::memory_order_acquire);
      if ((current >> 32) != generation || (current & 0xffffffffu) >= count) break;
      if (!claim_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) continue;
      const size_t index = current & 0xffffffffu;
      try {
        (*task_.load(std::memory_order_relaxed))(index, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (completed_.fetch_add(1, std::memory_order_acq_rel) + 1 == count && worker != 0) {
        std::lock_guard<std::mutex> lock(mutex_);  // the caller may be asleep: wake it
        done_.notify_one();
      }
    }
    t_inside_task = false;
    t_worker = 0;
  }

  void worker_loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly for the next job (back-to-back jobs are common in a training
      // step), then sleep on the condition variable: no CPU is used while idle.
      auto job = [&] { return claim_.load(std::memory_order_acquire) >> 32; };
      for (int spin = 0; spin < 4000 && job() == seen; ++spin) cpu_relax();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || job() != seen; });
        if (stop_) return;
        seen = job();
      }
      work(worker, seen);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_mutex_, mutex_, error_mutex_;
  std::condition_variable wake_, done_;
  bool stop_ = false;
  uint64_t generation_counter_ = 0;     // written only by the submitting thread
  std::atomic<uint64_t> claim_{0};      // generation << 32 | next task index
  std::atomic<size_t> completed_{0};    // tasks of the current job that have finished
  // Read by late workers of a finished job while the next one is being set up: atomic, but
  // relaxed — the acquire on claim_ is what orders them.
  std::atomic<size_t> count_{0};
  std::atomic<const std::function<void(size_t, int)>*> task_{nullptr};
  std::exception_ptr error_;
};

std::mutex g_pool_mutex;
std::unique_ptr<ThreadPool> g_pool;
int g_threads = 0;

ThreadPool& pool() {
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  if (!g_pool) {
    if (g_threads == 0) g_threads = default_thread_count();
    g_pool = std::make_unique<ThreadPool>(g_threads);
  }
  return *g_pool;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: expected at least 1 thread, got " + std::to_string(n));
  if (t_inside_task) throw Error("set_num_threads: cannot change the thread count from inside parallel work");
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  if (g_pool && g_pool->threads() == n) return;
  g_pool.reset();  // joins the old workers
  g_threads = n;
}

int get_num_threads() {
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  if (g_threads == 0) g_threads = default_thread_count();
  return g_threads;
}

void parallel_tasks(size_t count, const std::function<void(size_t, int)>& task) {
  if (count == 0) return;
  if (count == 1 || t_inside_task || get_num_threads() == 1) {
    // Serial path: same tasks, in index order, on this thread's worker id (so a nested
    // call from inside a task keeps using that task's per-worker buffers).
    bool was_inside = t_inside_task;
    t_inside_task = true;
    try {
      for (size_t i = 0; i < count; ++i) task(i, t_worker);
    } catch (...) {
      t_inside_task = was_inside;
      throw;
    }
    t_inside_task = was_inside;
    return;
  }
  pool().run(count, task);
}

void parallel_for(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n == 0) return;
  if (grain == 0) grain = 1;
  const size_t chunks = (n + grain - 1) / grain;
  parallel_tasks(chunks, [&](size_t c, int) { body(c * grain, std::min(n, (c + 1) * grain)); });
}

}  // namespace nn
