// Model::set_profile and profile_report: where the time of training goes, layer by layer.
// The timing itself sits in Model::forward, backward and train_step (model.cpp), around
// each call, so it measures exactly what a training step runs — thread pool and all.
#include <cstdio>
#include <string>

#include "model/model.h"

namespace nn {

void Model::set_profile(bool on) {
  profile_on_ = on;
  if (on) reset_profile();
}

void Model::reset_profile() {
  profile_ = Profile{};
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
  return out;
}

}  // namespace nn
