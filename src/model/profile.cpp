// Model::set_profile and profile_report: where the time of training goes, layer by layer.
// The timing itself sits in Model::forward, backward and train_step (model.cpp), around
// each call, so it measures exactly what a training step runs — thread pool and all.
#include <algorithm>
#include <cstdio>
#include <string>

#include "kernels/thread_pool.h"
#include "model/model.h"

namespace nn {

void Model::set_profile(bool on) {
  profile_on_ = on;
  set_pool_timing(on);  // the thread pool's wake-up and waiting, for the report's last lines
  if (on) reset_profile();
}

void Model::reset_profile() {
  profile_ = Profile{};
  if (profile_on_) set_pool_timing(true);
  for (size_t i = 1; i < layers_.size(); ++i)
    profile_.layers.push_back({layers_[i]->name(), layers_[i]->type(), 0.0, 0.0, ""});
}

std::string Model::profile_report() const {
  const Profile& p = profile_;
  if (p.forward_passes == 0) return "no profile: call set_profile(true), then train (fit or train_on_batch)\n";
  double total = p.loss_seconds + p.optimizer_seconds, fwd = 0, bwd = 0;
  for (const LayerTiming& t : p.layers) {
    fwd += t.forward_seconds;
    bwd += t.backward_seconds;
  }
  total += fwd + bwd;
  const auto per = [](double seconds, long calls) { return calls > 0 ? 1e3 * seconds / calls : 0.0; };
  const auto share = [&](double seconds) { return total > 0 ? 100.0 * seconds / total : 0.0; };
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-24s %-20s %10s %10s %7s\n", "layer", "type", "fwd ms", "bwd ms", "share");
  out += line;
  std::snprintf(line, sizeof line, "%-24s %-20s %10s %10s %7s\n", "", "", "per pass", "per pass", "");
  out += line;
  for (const LayerTiming& t : p.layers) {
    if (!t.fused_into.empty() && t.forward_seconds == 0 && t.backward_seconds == 0) {
      std::snprintf(line, sizeof line, "%-24s %-20s %21s\n", t.name.c_str(), t.type.c_str(),
                    ("fused into " + t.fused_into).c_str());
      out += line;
      continue;
    }
    // A layer fused in training steps but run on its own in other passes (validation):
    // its times are averaged over all passes, so say so.
    std::snprintf(line, sizeof line, "%-24s %-20s %10.3f %10.3f %6.1f%%%s\n", t.name.c_str(), t.type.c_str(),
                  per(t.forward_seconds, p.forward_passes), per(t.backward_seconds, p.backward_passes),
                  share(t.forward_seconds + t.backward_seconds),
                  t.fused_into.empty() ? "" : ("  (fused into " + t.fused_into + " in training steps)").c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "%-24s %-20s %10.3f %10.3f %6.1f%%\n", "(all layers)", "", per(fwd, p.forward_passes),
                per(bwd, p.backward_passes), share(fwd + bwd));
  out += line;
  std::snprintf(line, sizeof line, "%-24s %-20s %21.3f %6.1f%%\n", "(loss + its gradient)", "",
                per(p.loss_seconds, p.backward_passes), share(p.loss_seconds));
  out += line;
  std::snprintf(line, sizeof line, "%-24s %-20s %21.3f %6.1f%%\n", "(optimizer step)", "",
                per(p.optimizer_seconds, p.steps), share(p.optimizer_seconds));
  out += line;
  std::snprintf(line, sizeof line, "%ld forward passes, %ld backward passes, %ld optimizer steps; %.2f s measured\n",
                p.forward_passes, p.backward_passes, p.steps, total);
  out += line;
  // Inside the times above: what splitting work over the threads cost (kernels/thread_pool.h).
  const PoolTimes pool = pool_times();
  if (pool.jobs > 0) {
    const long helped = pool.jobs - pool.jobs_alone;
    char pool_line[400];
    std::snprintf(pool_line, sizeof pool_line,
                  "thread pool: %.1f jobs per step; the caller waited %.3f ms per step for the other threads "
                  "(%.1f%%);\n  another thread started %.1f us after a job was published (mean), and %.1f%% of jobs "
                  "ran on the caller alone\n",
                  static_cast<double>(pool.jobs) / std::max(1L, p.steps), per(pool.wait_seconds, p.steps),
                  share(pool.wait_seconds), helped > 0 ? 1e6 * pool.wake_seconds / helped : 0.0,
                  100.0 * pool.jobs_alone / pool.jobs);
    out += pool_line;
  }
  return out;
}

}  // namespace nn
