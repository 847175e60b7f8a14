// The library's one thread pool: persistent std::thread workers that sleep on a
// condition variable between jobs. No thread is created per call (creating one costs
// ~20 µs, more than a whole small matrix multiply), and idle workers use no CPU.
//
// Reproducibility rule: the work is cut into chunks whose boundaries depend only on the
// problem (n and grain), never on how many threads run them. A reduction that combines
// per-chunk results in chunk order therefore gives bit-identical answers for 1 or 16 threads.
#pragma once
#include <cstddef>
#include <functional>

namespace nn {

// Number of threads parallel work uses, the caller included. Default: the number of
// hardware threads (or NN_NUM_THREADS from the environment; a value that is not a whole
// number >= 1 is named on stderr once and ignored). Call while no parallel work is
// running; n < 1 is an nn::Error.
void set_num_threads(int n);
int get_num_threads();
// NN_NUM_THREADS's rule: "4" -> 4; anything but a whole number in 1..65536 ("abc", "0",
// "-2", "3x", "") -> 0.
int parse_thread_count(const char* text);
// The threads a parallel call made right here would use: 1 inside a task (a nested call
// runs serially, see parallel_tasks), else get_num_threads(). sgemm plans its split with
// it: a multiply inside a task cut as if for 2 threads only gets narrower tiles.
int available_threads();
// True while this thread runs a task of parallel_tasks (on 1 thread too, where the tasks run
// here one after the other).
bool inside_parallel_task();

// Runs task(index, worker) for every index in [0, count). `worker` is in
// [0, get_num_threads()) and no two tasks run at the same time with the same worker, so
// it can index per-worker scratch buffers. Blocks until all are done; the first exception
// thrown by a task is rethrown here after the rest finish. Called from inside a task, it
// runs serially on the calling thread (no deadlock, no oversubscription).
void parallel_tasks(size_t count, const std::function<void(size_t index, int worker)>& task);

// ---- Measuring the pool (Model::set_profile turns this on) ----
// Splitting a job pays twice on the critical path, and these sums say how much: the
// wake-up (from publishing a job until another thread starts on it: a worker asleep on
// the condition variable takes tens of µs, one still spinning from the last job ~0) and
// the wait (the calling thread, its own tasks done, waiting for the other threads to
// finish theirs: uneven tasks, or a late start). Off, it costs one untaken branch a job.
struct PoolTimes {
  long jobs = 0;              // jobs the pool ran (more than one task, more than one thread)
  long jobs_alone = 0;        // of those, jobs the caller finished before any other thread began
  double wake_seconds = 0;    // Σ over jobs another thread joined: first start - publish
  double wait_seconds = 0;    // Σ over all jobs: time the caller waited after its own tasks
  double others_busy_seconds = 0;  // Σ over the other threads: time spent running tasks
};
void set_pool_timing(bool on);  // on or off, and the sums back to zero
PoolTimes pool_times();

// Cuts [0, n) into chunks of `grain` elements (the last may be shorter) and calls
// body(begin, end) for each chunk, in parallel.
void parallel_for(size_t n, size_t grain, const std::function<void(size_t begin, size_t end)>& body);

}  // namespace nn
