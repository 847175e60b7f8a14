// Model::set_profile and profile_report: where the time of training goes, layer by layer.
// The timing itself sits in Model::forward, backward and train_step (model.cpp), around
// each call, so it measures exactly what a training step runs — thread pool and all.
#include <algorithm>
#include <cstdio>
#include <string>

#include "kernels/gemm.h"
#include "kernels/thread_pool.h"
#include "model/model.h"

namespace nn {

void Model::set_profile(bool on) {
  profile_on_ = on;
  set_pool_timing(on);  // the thread pool's wake-up and waiting, for the report's last lines
  set_gemm_timing(on);  // the layers' time in matrix multiplies
  if (on) reset_profile();
}

void Model::reset_profile() {
  profile_ = Profile{};
  if (profile_on_) {
    set_pool_timing(true);
    set_gemm_timing(true);
  }
  for (size_t i = 1; i < layers_.size(); ++i)
    profile_.layers.push_back({.name = layers_[i]->name(), .type = layers_[i]->type(), .fused_into = ""});
}

std::string Model::profile_report() const {
  const Profile& p = profile_;
  if (p.forward_passes == 0) return "no profile: call set_profile(true), then train (fit or train_on_batch)\n";
  double fwd = 0, bwd = 0, fwd_multiply = 0, bwd_multiply = 0;
  for (const LayerTiming& t : p.layers) {
    fwd += t.forward_seconds;
    bwd += t.backward_seconds;
    fwd_multiply += t.forward_multiply_seconds;
    bwd_multiply += t.backward_multiply_seconds;
  }
  const double total = fwd + bwd + p.loss_seconds + p.guard_seconds + p.optimizer_seconds + p.data_seconds;
  const auto per = [](double seconds, long calls) { return calls > 0 ? 1e3 * seconds / calls : 0.0; };
  const auto share = [&](double seconds) { return total > 0 ? 100.0 * seconds / total : 0.0; };
  std::string out;
  char line[220];
  std::snprintf(line, sizeof line, "%-24s %-20s %10s %9s %10s %9s %7s\n", "layer", "type", "fwd ms", "multiply",
                "bwd ms", "multiply", "share");
  out += line;
  std::snprintf(line, sizeof line, "%-24s %-20s %10s %9s %10s %9s %7s\n", "", "", "per pass", "of it", "per pass",
                "of it", "");
  out += line;
  // A layer that multiplied nothing itself shows "-" (Flatten; a convolution multiplies
  // inside its own per-image tasks, which are not split out).
  const auto multiply = [&](double seconds, long calls) {
    char cell[24];
    if (seconds > 0)
      std::snprintf(cell, sizeof cell, "%.3f", per(seconds, calls));
    else
      std::snprintf(cell, sizeof cell, "-");
    return std::string(cell);
  };
  for (const LayerTiming& t : p.layers) {
    if (!t.fused_into.empty() && t.forward_seconds == 0 && t.backward_seconds == 0) {
      std::snprintf(line, sizeof line, "%-24s %-20s %21s\n", t.name.c_str(), t.type.c_str(),
                    ("fused into " + t.fused_into).c_str());
      out += line;
      continue;
    }
    // A layer fused in training steps but run on its own in other passes (validation):
    // its times are averaged over all passes, so say so.
    std::snprintf(line, sizeof line, "%-24s %-20s %10.3f %9s %10.3f %9s %6.1f%%%s\n", t.name.c_str(), t.type.c_str(),
                  per(t.forward_seconds, p.forward_passes),
                  multiply(t.forward_multiply_seconds, p.forward_passes).c_str(),
                  per(t.backward_seconds, p.backward_passes),
                  multiply(t.backward_multiply_seconds, p.backward_passes).c_str(),
                  share(t.forward_seconds + t.backward_seconds),
                  t.fused_into.empty() ? "" : ("  (fused into " + t.fused_into + " in training steps)").c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "%-24s %-20s %10.3f %9s %10.3f %9s %6.1f%%\n", "(all layers)", "",
                per(fwd, p.forward_passes), multiply(fwd_multiply, p.forward_passes).c_str(),
                per(bwd, p.backward_passes), multiply(bwd_multiply, p.backward_passes).c_str(), share(fwd + bwd));
  out += line;
  const auto step_line = [&](const char* what, double seconds, long calls) {
    std::snprintf(line, sizeof line, "%-45s %10s %9s %10.3f %9s %6.1f%%\n", what, "", "", per(seconds, calls), "",
                  share(seconds));
    out += line;
  };
  step_line("(loss + its gradient)", p.loss_seconds, p.backward_passes);
  step_line("(NaN guard: every gradient finite?)", p.guard_seconds, p.backward_passes);
  step_line("(optimizer step)", p.optimizer_seconds, p.steps);
  step_line("(gathering the batch, per pass)", p.data_seconds, p.forward_passes);
  std::snprintf(line, sizeof line, "%ld forward passes, %ld backward passes, %ld optimizer steps; %.2f s measured\n",
                p.forward_passes, p.backward_passes, p.steps, total);
  out += line;
  const double multiplies = fwd_multiply + bwd_multiply;
  std::snprintf(line, sizeof line,
                "of that: matrix multiplies %.1f%%, the layers' other work (bias, activations, copies) %.1f%%, "
                "loss %.1f%%, guard %.1f%%, optimizer %.1f%%, data %.1f%%\n",
                share(multiplies), share(fwd + bwd - multiplies), share(p.loss_seconds), share(p.guard_seconds),
                share(p.optimizer_seconds), share(p.data_seconds));
  out += line;
  // Inside the times above: what splitting work over the threads cost (kernels/thread_pool.h).
  const PoolTimes pool = pool_times();
  if (pool.jobs > 0) {
    const long helped = pool.jobs - pool.jobs_alone;
    const int others = get_num_threads() - 1;
    const double busy = others > 0 && total > 0 ? 100.0 * pool.others_busy_seconds / (others * total) : 0.0;
    char pool_line[500];
    std::snprintf(pool_line, sizeof pool_line,
                  "thread pool: %.1f jobs per step; the caller waited %.3f ms per step for the other threads "
                  "(%.1f%%);\n  another thread started %.1f us after a job was published (mean), and %.1f%% of jobs "
                  "ran on the caller alone;\n  the other thread%s worked %.1f%% of the time measured (idle %.1f%%: "
                  "while the caller runs what is not split)\n",
                  static_cast<double>(pool.jobs) / std::max(1L, p.steps), per(pool.wait_seconds, p.steps),
                  share(pool.wait_seconds), helped > 0 ? 1e6 * pool.wake_seconds / helped : 0.0,
                  100.0 * pool.jobs_alone / pool.jobs, others == 1 ? "" : "s", busy, 100.0 - busy);
    out += pool_line;
  }
  return out;
}

}  // namespace nn
