#include "kernels/thread_pool.h"

#include <atomic>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernels/denormals.h"
#include "tensor/error.h"

namespace nn {
namespace {

std::atomic<bool> g_pool_timing{false};
PoolTimes g_pool_times;  // written by the submitting thread only (under submit_mutex_)

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

thread_local bool t_inside_task = false;
thread_local int t_worker = 0;  // the worker id of the task this thread is running

// NN_NUM_THREADS when it is a whole number >= 1; else the hardware's count. A value that
// is set but unusable ("abc", "0", "-2") is not ignored silently: it is named on stderr,
// once per process.
int default_thread_count() {
  const unsigned hw = std::thread::hardware_concurrency();
  const int hardware = hw ? static_cast<int>(hw) : 1;
  const char* env = std::getenv("NN_NUM_THREADS");
  if (!env || !*env) return hardware;
  if (const int n = parse_thread_count(env); n >= 1) return n;
  static std::once_flag warned;
  std::call_once(warned, [&] {
    std::cerr << "nnscratch: NN_NUM_THREADS=\"" << env << "\" is not a whole number >= 1, so it is ignored and "
              << hardware << " threads (one per hardware thread) are used; set it to e.g. 2, or unset it\n";
  });
  return hardware;
}

// Short pause inside spin loops: tells the CPU we are waiting (saves power, frees the
// sibling hyper-thread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How a job runs: the caller publishes it by storing (generation << 32 | count) in
// `claim_`, then every thread — the caller included — claims tasks one at a time with a
// compare-and-swap that lowers the count of tasks left (task index = tasks left - 1, so
// tasks are handed out last to first). A claim succeeds only while the generation still
// matches and tasks are left, so a worker that wakes up late can never touch a finished
// job. The claim word alone decides: an earlier version compared the index with a separate
// `count_` that the caller rewrote for the next job just before publishing it, and a late
// worker of the old job could see the old generation with the new, larger count and run a
// task of a job that did not exist yet (ThreadSanitizer found it). The caller waits until
// every task has *completed*, not until every worker has checked in: on a busy machine, a
// worker the OS has not scheduled yet simply gets no tasks, instead of stalling the job.
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
    if (count > 0xffffffffu) throw Error("parallel_tasks: at most 2^32 - 1 tasks per call, got " + std::to_string(count));
    const uint64_t generation = ++generation_counter_;
    task_.store(&task, std::memory_order_relaxed);
    denormal_mode_.store(denormal_mode(), std::memory_order_relaxed);  // the workers take the caller's
    error_ = nullptr;
    unfinished_.store(count, std::memory_order_relaxed);
    const bool timing = g_pool_timing.load(std::memory_order_relaxed);
    const int64_t published = timing ? now_ns() : 0;
    first_start_.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      claim_.store(generation << 32 | count, std::memory_order_release);  // publishes task_ and unfinished_
    }
    wake_.notify_all();
    work(0, generation);  // the calling thread is worker 0
    const int64_t own_done = timing ? now_ns() : 0;
    // Wait for tasks other threads claimed: a brief spin first (a task is often ~50 µs and
    // a sleep/wake costs tens of µs), then sleep.
    for (int spin = 0; spin < 4000 && unfinished_.load(std::memory_order_acquire) > 0; ++spin) cpu_relax();
    if (unfinished_.load(std::memory_order_acquire) > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return unfinished_.load(std::memory_order_acquire) == 0; });
    }
    if (timing) record_times(published, own_done);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Claims and runs tasks of job `generation` until none are left.
  void work(int worker, uint64_t generation) {
    t_inside_task = true;
    t_worker = worker;
    bool mode_set = worker == 0;  // the caller already has its own mode
    for (;;) {
      uint64_t current = claim_.load(std::memory_order_acquire);
      const size_t left = current & 0xffffffffu;
      if ((current >> 32) != generation || left == 0) break;
      if (!claim_.compare_exchange_weak(current, current - 1, std::memory_order_acq_rel)) continue;
      // The claim succeeded, so this job still had a task left: the caller is inside run()
      // for it and task_ is this job's.
      const size_t index = left - 1;
      if (worker != 0 && g_pool_timing.load(std::memory_order_relaxed)) {
        int64_t none = 0;  // the first start by another thread, for the wake-up time
        first_start_.compare_exchange_strong(none, now_ns(), std::memory_order_relaxed);
      }
      if (!mode_set) {  // (read after the claim, whose acquire orders it)
        const unsigned mode = denormal_mode_.load(std::memory_order_relaxed);
        if (denormal_mode() != mode) set_denormal_mode(mode);
        mode_set = true;
      }
      const int64_t task_start = worker != 0 && g_pool_timing.load(std::memory_order_relaxed) ? now_ns() : 0;
      try {
        (*task_.load(std::memory_order_relaxed))(index, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (task_start) others_busy_ns_.fetch_add(now_ns() - task_start, std::memory_order_relaxed);
      if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1 && worker != 0) {
        std::lock_guard<std::mutex> lock(mutex_);  // the caller may be asleep: wake it
        done_.notify_one();
      }
    }
    t_inside_task = false;
    t_worker = 0;
  }

  void record_times(int64_t published, int64_t own_done) {
    const int64_t first = first_start_.load(std::memory_order_relaxed);
    ++g_pool_times.jobs;
    if (first == 0) ++g_pool_times.jobs_alone;  // every task claimed by the caller
    if (first != 0) g_pool_times.wake_seconds += 1e-9 * static_cast<double>(first - published);
    g_pool_times.wait_seconds += 1e-9 * static_cast<double>(now_ns() - own_done);
    // (every task of this job has finished, so no other thread adds to it now)
    g_pool_times.others_busy_seconds += 1e-9 * static_cast<double>(others_busy_ns_.exchange(0));
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
  std::atomic<uint64_t> claim_{0};      // generation << 32 | tasks not yet claimed
  std::atomic<size_t> unfinished_{0};   // tasks of the current job not yet finished
  // Relaxed: read only after a successful claim, whose acquire orders it.
  std::atomic<const std::function<void(size_t, int)>*> task_{nullptr};
  std::atomic<unsigned> denormal_mode_{0};  // the submitting thread's (kernels/denormals.h)
  std::atomic<int64_t> first_start_{0};    // when another thread first started on this job (pool timing)
  std::atomic<int64_t> others_busy_ns_{0};  // this job's task time on other threads (pool timing)
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

int parse_thread_count(const char* text) {
  if (!text || !*text) return 0;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || n < 1 || n > 1 << 16) return 0;
  return static_cast<int>(n);
}

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

void set_pool_timing(bool on) {
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  g_pool_times = PoolTimes{};
  g_pool_timing.store(on, std::memory_order_relaxed);
}

PoolTimes pool_times() { return g_pool_times; }

int available_threads() { return t_inside_task ? 1 : get_num_threads(); }

bool inside_parallel_task() { return t_inside_task; }

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
