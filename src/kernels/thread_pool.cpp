#include "kernels/thread_pool.h"

#include <atomic>
#include <condition_variable>
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
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      count_ = count;
      next_.store(0);
      error_ = nullptr;
      busy_.store(static_cast<int>(workers_.size()));
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work(0);  // the calling thread is worker 0
    // Wait for the others: a brief spin first (jobs are often ~100 µs and a sleep/wake
    // costs tens of µs), then sleep.
    for (int spin = 0; spin < 4000 && busy_.load(std::memory_order_acquire) > 0; ++spin) cpu_relax();
    if (busy_.load(std::memory_order_acquire) > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return busy_.load() == 0; });
    }
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(int worker) {
    t_inside_task = true;
    t_worker = worker;
    for (size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < count_;) {
      try {
        (*task_)(i, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    t_inside_task = false;
    t_worker = 0;
  }

  void worker_loop(int worker) {
    unsigned seen = 0;
    for (;;) {
      // Spin briefly for the next job (back-to-back jobs are common in a training
      // step), then sleep on the condition variable: no CPU is used while idle.
      for (int spin = 0; spin < 4000 && generation_.load(std::memory_order_acquire) == seen; ++spin) cpu_relax();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
        if (stop_) return;
        seen = generation_.load();
      }
      work(worker);
      if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_mutex_, mutex_, error_mutex_;
  std::condition_variable wake_, done_;
  bool stop_ = false;
  std::atomic<unsigned> generation_{0};
  std::atomic<size_t> next_{0};
  std::atomic<int> busy_{0};
  size_t count_ = 0;
  const std::function<void(size_t, int)>* task_ = nullptr;
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
